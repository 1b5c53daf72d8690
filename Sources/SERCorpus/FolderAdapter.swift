import Foundation

/// A user's corpus laid out as `<root>/<label>/<files>` or `<root>/<label>/<speaker>/<files>`.
///
/// The label is the first folder (canonical emotion when it names one, else as written). The speaker is
/// the second folder when there is one; files directly in a label folder get speaker `unknown`, which
/// rules out speaker-independent protocols (use a manifest or speaker folders then).
enum FolderAdapter {
    static let unknownSpeaker = "unknown"

    static func load(root: URL) throws -> Corpus {
        guard FileManager.default.fileExists(atPath: root.path) else { throw CorpusError.missingRoot(path: root.path, kind: .folders) }
        let candidates = try AudioFileScanner.scan(root)
        var utterances: [Utterance] = []
        var ignored: [IgnoredFile] = []
        for candidate in candidates {
            let parts = candidate.components
            switch parts.count {
            case 2:
                utterances.append(Utterance(path: candidate.path, url: candidate.url, speaker: unknownSpeaker,
                                            label: Emotion.normalizedUserLabel(parts[0])))
            case 3:
                utterances.append(Utterance(path: candidate.path, url: candidate.url, speaker: parts[1],
                                            label: Emotion.normalizedUserLabel(parts[0])))
            default:
                ignored.append(IgnoredFile(path: candidate.path, reason: "expected <label>/<file> or <label>/<speaker>/<file>"))
            }
        }
        guard !utterances.isEmpty else { throw CorpusError.noAudio(path: root.path, kind: .folders) }
        return Corpus(name: root.lastPathComponent, kind: .folders, root: root, utterances: utterances, ignored: ignored)
    }

    /// Nearly all (90%) files sit at `<label>/<file>` or `<label>/<speaker>/<file>` under two or more labels.
    static func looksLikeLabelFolders(_ candidates: [AudioCandidate]) -> Bool {
        let placed = candidates.filter { (2...3).contains($0.components.count) }
        let labels = Set(placed.map { $0.components[0] })
        return placed.count * 10 >= candidates.count * 9 && labels.count >= 2
    }
}
