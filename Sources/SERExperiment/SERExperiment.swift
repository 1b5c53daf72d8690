/// Namespace marker for the SERExperiment module; see README.md in this folder for what it owns.
public enum SERExperimentModule {
    public static let name = "SERExperiment"
}
