import Foundation

/// One recording of a corpus: where it is, who speaks, and what it is labelled.
public struct Utterance: Codable, Hashable, Sendable {
    /// Path relative to the corpus root, `/`-separated (as in `expected/*.csv`).
    public var path: String
    /// Absolute location of the file.
    public var url: URL
    public var speaker: String
    /// A canonical emotion (see `Emotion`) or, for a user's own corpus, the user's label.
    public var label: String
    /// What else the corpus encodes: RAVDESS `intensity`, `statement`, `repetition`, `gender`;
    /// TESS `word`; SAVEE `sentence`; manifests `split`, `fold` and any extra column.
    public var metadata: [String: String]

    public init(path: String, url: URL, speaker: String, label: String, metadata: [String: String] = [:]) {
        self.path = path
        self.url = url
        self.speaker = speaker
        self.label = label
        self.metadata = metadata
    }
}
