/// Namespace marker for the SERHDF5 module; see README.md in this folder for what it owns.
public enum SERHDF5Module {
    public static let name = "SERHDF5"
}
