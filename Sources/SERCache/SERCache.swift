/// Namespace marker for the SERCache module; see README.md in this folder for what it owns.
public enum SERCacheModule {
    public static let name = "SERCache"
}
