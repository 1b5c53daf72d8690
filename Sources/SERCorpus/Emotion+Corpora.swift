extension Emotion {
    /// RAVDESS emotion codes (third field of the name) to canonical emotions.
    public static let ravdessCodes: [String: String] = Dictionary(uniqueKeysWithValues:
        RAVDESSAdapter.emotions.enumerated().map { (String(format2: $0.offset + 1), $0.element) })
    /// SAVEE file-name codes to canonical emotions.
    public static let saveeCodes: [String: String] = Dictionary(uniqueKeysWithValues: SAVEEAdapter.codes.map { ($0.code, $0.emotion) })
    /// TESS emotion words (file names and folders, case-folded) to canonical emotions.
    public static let tessWords: [String: String] = [
        "angry": angry, "disgust": disgust, "fear": fear, "happy": happy, "neutral": neutral, "sad": sad,
        "ps": surprise, "pleasant_surprise": surprise, "pleasant_surprised": surprise,
    ]
}
