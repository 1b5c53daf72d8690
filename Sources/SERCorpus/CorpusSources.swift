/// Where users get each public corpus, how its folder is laid out, and its official contents.
public enum CorpusSources {
    public static let ravdessZenodoRecord = "1188976"
    public static let ravdessArchiveName = "Audio_Speech_Actors_01-24.zip"
    public static let ravdessBaseURL = "https://zenodo.org/records/1188976/files/"

    /// The folder layout an adapter expects.
    public static func layout(_ kind: CorpusKind) -> String {
        switch kind {
        case .ravdess: return "Actor_01 ... Actor_24 folders of 03-01-EE-II-SS-RR-AA.wav files"
        case .savee: return "AudioData/<DC|JE|JK|KL>/<code><NN>.wav, or flat <speaker>_<code><NN>.wav files"
        case .tess: return "<OAF|YAF>_<emotion>/ folders of <speaker>_<word>_<emotion>.wav files"
        case .manifest: return "a CSV or JSON manifest with path, label and speaker per file, paths relative to the manifest"
        case .folders: return "<label>/<files> or <label>/<speaker>/<files> folders"
        }
    }

    /// One sentence on how to get `kind` and where to put it.
    public static func howToGet(_ kind: CorpusKind) -> String {
        switch kind {
        case .ravdess:
            return "Get it with `serlab corpus download ravdess --to $SERLAB_CORPORA/ravdess` (Zenodo record 1188976, \(ravdessArchiveName), CC BY-NC-SA 4.0); see docs/corpora.md."
        case .tess:
            return "TESS is licence-gated (CC BY-NC-ND 4.0): download it from the University of Toronto dataverse (Toronto emotional speech set) and unpack it to $SERLAB_CORPORA/tess; see docs/corpora.md."
        case .savee:
            return "SAVEE is free for research after registration with the University of Surrey (Surrey Audio-Visual Expressed Emotion database): put its AudioData folder in $SERLAB_CORPORA/savee; see docs/corpora.md."
        case .manifest, .folders:
            return "See docs/corpora.md for the manifest and folder layouts of your own corpus."
        }
    }

    /// The official contents of a public corpus: speakers, emotions and files per speaker and emotion.
    public struct Official: Sendable {
        public var speakers: [String]
        public var emotions: [String]
        /// Files per (speaker, emotion) in the full release.
        public var perCell: @Sendable (_ speaker: String, _ emotion: String) -> Int
        public var totalFiles: Int {
            speakers.reduce(0) { sum, speaker in emotions.reduce(sum) { $0 + perCell(speaker, $1) } }
        }
    }

    /// RAVDESS speech: 24 actors x (neutral 4, others 8) = 60 each, 1440 files.
    /// SAVEE: 4 speakers x (neutral 30, others 15) = 120 each, 480 files.
    /// TESS: 2 speakers x 7 emotions x 200 words, 2800 files.
    public static func official(_ kind: CorpusKind) -> Official? {
        switch kind {
        case .ravdess:
            return Official(speakers: (1...24).map { String(format2: $0, prefix: "Actor_") },
                            emotions: [Emotion.neutral, Emotion.calm, Emotion.happy, Emotion.sad, Emotion.angry, Emotion.fear, Emotion.disgust, Emotion.surprise],
                            perCell: { _, emotion in emotion == Emotion.neutral ? 4 : 8 })
        case .savee:
            return Official(speakers: ["DC", "JE", "JK", "KL"],
                            emotions: [Emotion.neutral, Emotion.happy, Emotion.sad, Emotion.angry, Emotion.fear, Emotion.disgust, Emotion.surprise],
                            perCell: { _, emotion in emotion == Emotion.neutral ? 30 : 15 })
        case .tess:
            return Official(speakers: ["OAF", "YAF"],
                            emotions: [Emotion.neutral, Emotion.happy, Emotion.sad, Emotion.angry, Emotion.fear, Emotion.disgust, Emotion.surprise],
                            perCell: { _, _ in 200 })
        case .manifest, .folders:
            return nil
        }
    }
}

extension String {
    /// `String(format2: 7, prefix: "Actor_")` -> `"Actor_07"`.
    init(format2 value: Int, prefix: String = "") {
        self = prefix + (value < 10 ? "0\(value)" : "\(value)")
    }
}
