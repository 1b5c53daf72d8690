import Crypto
import Foundation

/// SHA-256 for cache keys, file fingerprints and checkpoint digests: swift-crypto's (BoringSSL's
/// assembly on Linux, CryptoKit on Apple platforms) behind serlab's small API (streaming `update`,
/// lower-case hex), so no other module imports Crypto. Digests are those of FIPS 180-4, as before.
///
///     var hasher = SHA256()
///     hasher.update(bytes)
///     let hex = hasher.finalize().hexString
///
/// or `SHA256.hash(bytes)`, `SHA256.hexDigest(of: "text")`, `SHA256.hexDigest(ofFile: url)` in one call.
/// A hasher is not Sendable (swift-crypto's is not on Linux); its `Digest` is.
public struct SHA256 {
    private var hasher = Crypto.SHA256()

    public init() {}

    /// Feeds more bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Feeds a contiguous block.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// The 32-byte digest. The hasher should not be used afterwards.
    public mutating func finalize() -> Digest { Digest(bytes: Array(hasher.finalize())) }

    public struct Digest: Sendable, Hashable, CustomStringConvertible {
        public let bytes: [UInt8]
        /// Lower-case hex, 64 characters.
        public var hexString: String { hexadecimal(bytes) }
        public var description: String { hexString }
    }

    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hex digest of the UTF-8 bytes of `text`.
    public static func hexDigest(of text: String) -> String { hash(Array(text.utf8)).hexString }

    /// Lower-case hex SHA-256 of `data`.
    public static func hexDigest(of data: Data) -> String { hexadecimal(Array(Crypto.SHA256.hash(data: data))) }

    /// Lower-case hex SHA-256 of a file's bytes, read in 1 MiB chunks.
    public static func hexDigest(ofFile url: URL) throws -> String { try fileDigest(Crypto.SHA256.self, of: url) }
}

/// MD5 (RFC 1321), only to compare a download with the checksum Zenodo publishes (`md5:<hex>`);
/// never a content hash of our own (SHA-256 is).
public enum MD5 {
    /// Lower-case hex MD5 of `data`.
    public static func hexDigest(of data: Data) -> String { hexadecimal(Array(Insecure.MD5.hash(data: data))) }

    /// Lower-case hex MD5 of a file's bytes, read in 1 MiB chunks.
    public static func hexDigest(ofFile url: URL) throws -> String { try fileDigest(Insecure.MD5.self, of: url) }
}

/// A file's digest by `Hash`, streamed in 1 MiB chunks.
private func fileDigest<Hash: HashFunction>(_ type: Hash.Type, of url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = Hash()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }
    return hexadecimal(Array(hasher.finalize()))
}

/// Lower-case hex of `bytes`.
private func hexadecimal(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
    return String(decoding: out, as: UTF8.self)
}
