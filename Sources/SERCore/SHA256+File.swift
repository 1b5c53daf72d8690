import Foundation

extension SHA256 {
    /// Lower-case hex SHA-256 of `data`.
    public static func hexDigest(of data: Data) -> String {
        var hasher = SHA256()
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().hexString
    }

    /// Lower-case hex SHA-256 of a file's bytes, read in 1 MiB chunks.
    public static func hexDigest(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().hexString
    }
}
