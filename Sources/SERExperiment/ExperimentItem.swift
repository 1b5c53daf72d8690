import Foundation

/// One utterance as the experiment sees it: where it is, who speaks, which label (after merges).
public struct ExperimentItem: Sendable, Equatable {
    /// Path relative to the corpus root, with extension; folds files and predictions use it.
    public var path: String
    public var url: URL
    public var speaker: String
    public var label: String
    /// The corpus namespace in a multi-corpus run (`path` and `speaker` then start with it and "/"); nil otherwise.
    public var corpus: String?

    public init(path: String, url: URL, speaker: String, label: String, corpus: String? = nil) {
        self.path = path
        self.url = url
        self.speaker = speaker
        self.label = label
        self.corpus = corpus
    }

    /// `path` without its extension: how folds files are matched (a WAV copy matches a FLAC list).
    public var pathKey: String { ExperimentItem.key(path) }

    static func key(_ path: String) -> String {
        let name = (path as NSString).deletingPathExtension
        return name.hasPrefix("./") ? String(name.dropFirst(2)) : name
    }
}

/// Fisher-Yates with our own generator, so the order never depends on the standard library's algorithm.
func seededShuffle<T>(_ values: [T], using generator: inout SeededGenerator) -> [T] {
    var result = values
    guard result.count > 1 else { return result }
    for i in stride(from: result.count - 1, to: 0, by: -1) {
        let j = Int(generator.next() % UInt64(i + 1))
        result.swapAt(i, j)
    }
    return result
}

import SERCore
