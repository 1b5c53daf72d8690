import Foundation

/// RAVDESS speech from names alone: `MM-VV-EE-II-SS-RR-AA` = modality (03 audio-only), vocal channel
/// (01 speech; 02 song is ignored), emotion (01..08), intensity (01 normal, 02 strong; neutral has
/// no strong take), statement (01 "Kids are talking by the door", 02 "Dogs are sitting by the door"),
/// repetition (01, 02), actor (01..24; odd male, even female). The speaker is `Actor_AA` from the name.
enum RAVDESSAdapter {
    static let emotions = [Emotion.neutral, Emotion.calm, Emotion.happy, Emotion.sad, Emotion.angry, Emotion.fear, Emotion.disgust, Emotion.surprise]

    /// Seven two-digit fields, whatever they say (song and video files included).
    static func hasRAVDESSName(_ candidate: AudioCandidate) -> Bool {
        let fields = candidate.stem.split(separator: "-", omittingEmptySubsequences: false)
        return fields.count == 7 && fields.allSatisfy { $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    static func parse(_ candidate: AudioCandidate) -> Result<Utterance, Corpus.ParseFailure> {
        func fail(_ message: String) -> Result<Utterance, Corpus.ParseFailure> { .failure(.init(message: message)) }
        let fields = candidate.stem.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 7, fields.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let codes = Optional(fields.compactMap { Int($0) }), codes.count == 7 else {
            return fail("expected a RAVDESS name MM-VV-EE-II-SS-RR-AA of two-digit codes")
        }
        let (modality, channel, emotion, intensity, statement, repetition, actor) = (codes[0], codes[1], codes[2], codes[3], codes[4], codes[5], codes[6])
        guard modality == 3 else { return fail("modality \(fields[0]) is not audio-only (03)") }
        guard channel == 1 else { return fail(channel == 2 ? "vocal channel 02 is song; serlab reads RAVDESS speech (01)" : "vocal channel \(fields[1]) is not speech (01)") }
        guard (1...8).contains(emotion) else { return fail("emotion code \(fields[2]) is not 01..08") }
        guard intensity == 1 || (intensity == 2 && emotion != 1) else { return fail("intensity \(fields[3]) is not 01 or 02 (neutral has only 01)") }
        guard statement == 1 || statement == 2 else { return fail("statement \(fields[4]) is not 01 or 02") }
        guard repetition == 1 || repetition == 2 else { return fail("repetition \(fields[5]) is not 01 or 02") }
        guard (1...99).contains(actor) else { return fail("actor \(fields[6]) is not a number from 01") }
        let metadata = [
            "intensity": intensity == 1 ? "normal" : "strong",
            "statement": statement == 1 ? "kids" : "dogs",
            "repetition": String(repetition),
            "gender": actor % 2 == 1 ? "male" : "female",
            "actor": String(fields[6]),
        ]
        return .success(Utterance(path: candidate.path, url: candidate.url, speaker: String(format2: actor, prefix: "Actor_"),
                                  label: emotions[emotion - 1], metadata: metadata))
    }
}
