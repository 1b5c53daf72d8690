import Foundation

/// TESS from names and folders alone: `<OAF|YAF>_<emotion>/<speaker>_<word>_<emotion>`.
///
/// The folder, when it has that form, decides speaker and emotion: folder names vary in case and
/// spelling (`OAF_Fear`, `OAF_Pleasant_surprise`, `YAF_pleasant_surprised`) and one release file is
/// misnamed (`OAF_neutral/OA_bite_neutral`). Without such a folder (a flat copy) the file name decides.
/// The word is metadata `word`; `ps`/pleasant surprise maps to `surprise`.
enum TESSAdapter {
    static let speakers = ["OAF", "YAF"]

    static func parse(_ candidate: AudioCandidate) -> Result<Utterance, Corpus.ParseFailure> {
        let parts = candidate.stem.split(separator: "_").map(String.init)
        let fromFolder = parseFolder(candidate.folder)
        guard parts.count >= 3 else {
            return .failure(.init(message: "expected a TESS name <speaker>_<word>_<emotion>, found '\(candidate.stem)'"))
        }
        // The emotion may be one token ("angry", "ps") or two ("pleasant_surprise").
        var nameEmotion = Emotion.canonical(parts[parts.count - 1])
        var wordEnd = parts.count - 1
        if parts.count >= 4, let two = Emotion.canonical(parts[parts.count - 2] + "_" + parts[parts.count - 1]) {
            nameEmotion = two
            wordEnd = parts.count - 2
        }
        let nameSpeaker = speaker(fromToken: parts[0])
        let word = parts[1..<wordEnd].joined(separator: "_").lowercased()
        guard let speaker = fromFolder?.speaker ?? nameSpeaker, let emotion = fromFolder?.emotion ?? nameEmotion, !word.isEmpty else {
            return .failure(.init(message: "expected a TESS speaker (OAF, YAF) and emotion in the folder or name, found '\(candidate.folder)/\(candidate.fileName)'"))
        }
        var metadata = ["word": word]
        if let fromFolder, parts[0].uppercased() != fromFolder.speaker || (nameEmotion != nil && nameEmotion != fromFolder.emotion) {
            metadata["note"] = "file name disagrees with its folder \(candidate.folder); speaker and emotion taken from the folder"
        }
        return .success(Utterance(path: candidate.path, url: candidate.url, speaker: speaker, label: emotion, metadata: metadata))
    }

    /// `"YAF_pleasant_surprised"` -> (YAF, surprise); case and spelling folded.
    static func parseFolder(_ folder: String) -> (speaker: String, emotion: String)? {
        guard let underscore = folder.firstIndex(of: "_") else { return nil }
        let speaker = folder[..<underscore].uppercased()
        guard speakers.contains(speaker), let emotion = Emotion.canonical(String(folder[folder.index(after: underscore)...])) else { return nil }
        return (speaker, emotion)
    }

    /// `"OAF"`, `"oaf"` -> OAF; the truncated `"OA"`/`"YA"` of misnamed files -> OAF/YAF.
    static func speaker(fromToken token: String) -> String? {
        let upper = token.uppercased()
        if speakers.contains(upper) { return upper }
        let matches = speakers.filter { $0.hasPrefix(upper) && upper.count >= 2 }
        return matches.count == 1 ? matches[0] : nil
    }
}
