/// The canonical emotion vocabulary every corpus adapter maps its own codes to.
///
/// Labels travel as plain strings (`Utterance.label`), so a user's own corpus may carry labels outside
/// this list; these constants are the names serlab itself produces and orders.
public enum Emotion {
    public static let neutral = "neutral"
    public static let calm = "calm"
    public static let happy = "happy"
    public static let sad = "sad"
    public static let angry = "angry"
    public static let fear = "fear"
    public static let disgust = "disgust"
    public static let surprise = "surprise"
    public static let boredom = "boredom"
    public static let contempt = "contempt"

    /// The fixed order labels are listed in when a label policy gives none: this list first,
    /// then any other labels alphabetically.
    public static let canonicalOrder: [String] = [neutral, calm, happy, sad, angry, fear, disgust, surprise, boredom, contempt]

    /// Spellings corpora and users write for the canonical emotions (lower-case, `-`/space/`_` folded to `_`).
    static let synonyms: [String: String] = [
        "neutral": neutral, "neu": neutral,
        "calm": calm,
        "happy": happy, "happiness": happy, "joy": happy, "hap": happy,
        "sad": sad, "sadness": sad,
        "angry": angry, "anger": angry, "ang": angry,
        "fear": fear, "fearful": fear, "afraid": fear, "fea": fear,
        "disgust": disgust, "disgusted": disgust, "dis": disgust,
        "surprise": surprise, "surprised": surprise, "sur": surprise,
        "pleasant_surprise": surprise, "pleasant_surprised": surprise, "ps": surprise,
        "boredom": boredom, "bored": boredom,
        "contempt": contempt,
    ]

    /// The canonical emotion a spelling names (`"Pleasant_surprised"` -> `"surprise"`), or nil.
    public static func canonical(_ name: String) -> String? {
        synonyms[fold(name)]
    }

    /// A user's label: its canonical emotion when it names one, otherwise the label as written.
    public static func normalizedUserLabel(_ label: String) -> String {
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        return canonical(trimmed) ?? trimmed
    }

    static func fold(_ name: String) -> String {
        String(name.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
    }

    /// Sorts labels: canonical ones in `canonicalOrder`, then the rest alphabetically.
    public static func sorted<S: Sequence>(_ labels: S) -> [String] where S.Element == String {
        let unique = Set(labels)
        let known = canonicalOrder.filter { unique.contains($0) }
        let others = unique.subtracting(canonicalOrder).sorted()
        return known + others
    }
}
