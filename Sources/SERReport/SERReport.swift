/// Namespace marker for the SERReport module; see README.md in this folder for what it owns.
public enum SERReportModule {
    public static let name = "SERReport"
}
