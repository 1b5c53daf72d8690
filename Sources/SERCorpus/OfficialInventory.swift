import Foundation

/// The official file list of each published corpus, to name what a copy lacks.
enum OfficialInventory {
    /// Missing official files, named as the corpus names them, then per-cell shortfalls.
    static func missing(in corpus: Corpus) -> [String] {
        switch corpus.kind {
        case .ravdess:
            let present = Set(corpus.utterances.map { AudioFileScanner.stem(of: ($0.path as NSString).lastPathComponent) })
            var missing: [String] = []
            for actor in 1...24 {
                for emotion in 1...8 {
                    for intensity in emotion == 1 ? [1] : [1, 2] {
                        for statement in 1...2 {
                            for repetition in 1...2 {
                                let name = ["03", "01", String(format2: emotion), String(format2: intensity), String(format2: statement),
                                            String(format2: repetition), String(format2: actor)].joined(separator: "-")
                                if !present.contains(name) { missing.append("Actor_\(String(format2: actor))/\(name)") }
                            }
                        }
                    }
                }
            }
            return missing
        case .savee:
            let present = Set(corpus.utterances.map { "\($0.speaker)/\(savEECode($0))" })
            var missing: [String] = []
            for speaker in ["DC", "JE", "JK", "KL"] {
                for (code, count) in [("a", 15), ("d", 15), ("f", 15), ("h", 15), ("n", 30), ("sa", 15), ("su", 15)] {
                    for number in 1...count where !present.contains("\(speaker)/\(code)\(String(format2: number))") {
                        missing.append("\(speaker)/\(code)\(String(format2: number))")
                    }
                }
            }
            return missing
        case .tess:
            // Only words present are expected in full: the subset of words is a choice, a hole in a word is not.
            let words = Set(corpus.utterances.compactMap { $0.metadata["word"] })
            let present = Set(corpus.utterances.map { "\($0.speaker)_\($0.metadata["word"] ?? "")_\($0.label)" })
            let official = CorpusSources.official(.tess)!
            var missing: [String] = []
            for word in words.sorted() {
                for speaker in official.speakers {
                    for emotion in official.emotions where !present.contains("\(speaker)_\(word)_\(emotion)") {
                        missing.append("\(speaker)_\(word)_\(emotion)")
                    }
                }
            }
            return missing
        case .manifest, .folders:
            return []
        }
    }

    private static func savEECode(_ utterance: Utterance) -> String {
        let stem = AudioFileScanner.stem(of: (utterance.path as NSString).lastPathComponent)
        if let underscore = stem.firstIndex(of: "_") { return String(stem[stem.index(after: underscore)...]) }
        return stem
    }
}
