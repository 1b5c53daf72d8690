import Foundation
import SERCore

/// Hex sha256 of bytes (SERCore's SHA-256).
func sha256Hex(_ data: Data) -> String {
    var hasher = SHA256()
    data.withUnsafeBytes { hasher.update($0) }
    return hasher.finalize().hexString
}

/// Hex sha256 of a file, read in 1 MiB chunks.
func sha256Hex(fileAt url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { hasher.update($0) }
    }
    return hasher.finalize().hexString
}
