import Foundation

/// SAVEE from names alone, in both layouts that circulate: `AudioData/<speaker>/<code><NN>` (the
/// original) and flat `<speaker>_<code><NN>`. Codes: a anger, d disgust, f fear, h happiness,
/// n neutral, sa sadness, su surprise; NN is the sentence number (metadata `sentence`).
enum SAVEEAdapter {
    static let codes: [(code: String, emotion: String)] = [
        ("sa", Emotion.sad), ("su", Emotion.surprise), ("a", Emotion.angry), ("d", Emotion.disgust),
        ("f", Emotion.fear), ("h", Emotion.happy), ("n", Emotion.neutral),
    ]

    static func parse(_ candidate: AudioCandidate) -> Result<Utterance, Corpus.ParseFailure> {
        let stem = candidate.stem
        let speaker: String
        let codePart: String
        if let underscore = stem.firstIndex(of: "_") {
            speaker = String(stem[..<underscore])
            codePart = String(stem[stem.index(after: underscore)...])
        } else {
            speaker = candidate.folder
            codePart = stem
        }
        guard isSpeakerName(speaker) else {
            return .failure(.init(message: "expected a SAVEE speaker (two or three capital letters) as the folder or the name prefix, found '\(speaker)'"))
        }
        guard let (emotion, sentence) = parseCode(codePart) else {
            return .failure(.init(message: "expected a SAVEE code a, d, f, h, n, sa or su and a two-digit number, found '\(codePart)'"))
        }
        return .success(Utterance(path: candidate.path, url: candidate.url, speaker: speaker, label: emotion,
                                  metadata: ["sentence": sentence]))
    }

    static func isSpeakerName(_ name: String) -> Bool {
        (2...3).contains(name.count) && name.allSatisfy { $0.isASCII && $0.isUppercase && $0.isLetter }
    }

    /// `"sa03"` -> (sad, "03"). Case-sensitive, as the corpus names its files in lower case.
    static func parseCode(_ text: String) -> (String, String)? {
        for (code, emotion) in codes where text.hasPrefix(code) {
            let number = text.dropFirst(code.count)
            guard number.count == 2, number.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return (emotion, String(number))
        }
        return nil
    }
}
