import Foundation
import SERCore

/// File hashing with SERCore's SHA-256 (named apart so files here never see two `SHA256` types).
enum SHA256Bridge {
    /// Lower-case hex SHA-256 of a file's bytes, read in 1 MiB chunks.
    static func hex(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SERCore.SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().hexString
    }
}
