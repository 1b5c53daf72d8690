/// Namespace marker for the SERFeatures module; see README.md in this folder for what it owns.
public enum SERFeaturesModule {
    public static let name = "SERFeatures"
}
