import Foundation

/// Why an HDF5 operation failed. Every error names the file and the object path inside it, and carries
/// HDF5's own error stack (API call first) so nothing is lost when HDF5's stderr printing is silenced.
public struct HDF5Error: LocalizedError, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The file is missing, not HDF5, truncated or corrupt.
        case cannotOpen
        case cannotCreate
        /// No object (group, dataset, attribute) at the path.
        case notFound
        case alreadyExists
        /// Stored element type differs from the requested one (no silent conversion).
        case typeMismatch
        /// The number of values does not match the shape, or the stored shape is not the expected one.
        case shapeMismatch
        case readFailed
        case writeFailed
        /// The file was closed before the object was used.
        case closed
        case invalidArgument
    }

    public var kind: Kind
    /// Path of the HDF5 file on disk.
    public var file: String
    /// Path of the object inside the file ("/features/values"), with "@name" for an attribute.
    public var object: String
    /// What was expected and what was found.
    public var message: String
    /// HDF5's error stack, empty when HDF5 reported nothing.
    public var library: String

    public init(_ kind: Kind, file: String, object: String, message: String, library: String = "") {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message
        self.library = library
    }

    public var errorDescription: String? {
        let suffix = library.isEmpty ? "" : " (HDF5: \(library))"
        return "\(file):\(object): \(message)\(suffix)"
    }
}
