/// Namespace marker for the SERNet module; see README.md in this folder for what it owns.
public enum SERNetModule {
    public static let name = "SERNet"
}
