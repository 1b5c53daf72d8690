/// Namespace marker for the SERCorpus module; see README.md in this folder for what it owns.
public enum SERCorpusModule {
    public static let name = "SERCorpus"
}
