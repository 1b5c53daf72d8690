import Foundation

/// Why features could not be produced. Every case names the file.
public enum FeatureCacheError: LocalizedError, Equatable {
    /// An audio file could not be read or its features computed; `reason` is the underlying error.
    case extractionFailed(path: String, reason: String, otherFailures: Int)
    /// An input file is missing or cannot be examined.
    case unreadableInput(path: String, reason: String)
    /// Two files of one spec gave different columns (a feature-code bug, reported rather than cached).
    case inconsistentColumns(path: String, expected: [String], found: [String])
    /// The cache folder or file cannot be written.
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .extractionFailed(let path, let reason, let others):
            let more = others > 0 ? " (and \(others) other file\(others == 1 ? "" : "s") failed)" : ""
            return "\(path): cannot extract features: \(reason)\(more)"
        case .unreadableInput(let path, let reason):
            return "\(path): expected a readable audio file, found: \(reason)"
        case .inconsistentColumns(let path, let expected, let found):
            return "\(path): expected the feature columns \(Self.brief(expected)) like the other files, found \(Self.brief(found))"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write the feature cache: \(reason)"
        }
    }

    private static func brief(_ names: [String]) -> String {
        names.count <= 6 ? "\(names)" : "\(names.prefix(3)) ... (\(names.count) columns)"
    }
}
