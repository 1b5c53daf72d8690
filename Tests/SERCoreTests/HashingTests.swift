import Foundation
import Testing
@testable import SERCore

/// SERCore's SHA-256 and MD5 are swift-crypto's; these known answers (NIST, RFC 1321, Python's
/// hashlib) pin the digests serlab recorded with its own implementations before, so every cache key,
/// fingerprint and checkpoint digest stays the same.
@Suite struct HashingTests {
    /// FIPS 180-4 / NIST example vectors, and lengths around the 55/56/64-byte padding edges.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    ])
    func sha256KnownVectors(text: String, hex: String) {
        #expect(SHA256.hexDigest(of: text) == hex)
        #expect(SHA256.hexDigest(of: Data(text.utf8)) == hex)
    }

    @Test func millionAsViaEveryPathAgree() {
        let bytes = [UInt8](repeating: 0x61, count: 1_000_000)
        var streamed = SHA256()
        bytes.withUnsafeBytes { raw in
            // Odd chunk sizes: blocks split across updates.
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + 777)
                streamed.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
        }
        var sliced = SHA256()
        for start in stride(from: 0, to: bytes.count, by: 9973) { sliced.update(bytes[start..<min(bytes.count, start + 9973)]) }
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(streamed.finalize().hexString == expected)
        #expect(sliced.finalize().hexString == expected)
        #expect(SHA256.hash(bytes).hexString == expected)
        #expect(SHA256.hash(bytes).bytes.count == 32)
    }

    /// RFC 1321's test suite.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ("The quick brown fox jumps over the lazy dog", "9e107d9d372bb6826bd81d3542a419d6"),
    ])
    func md5KnownVectors(text: String, hex: String) {
        #expect(MD5.hexDigest(of: Data(text.utf8)) == hex)
    }

    /// A file read in 1 MiB chunks (2.5 MiB + 3 bytes: two whole chunks and a partial one);
    /// the digests are Python hashlib's of the same bytes.
    @Test func fileDigestsMatchHashlib() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hashing-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let count = (5 << 19) + 3
        let bytes = (0..<count).map { (index: Int) -> UInt8 in UInt8((index * 31 + 7) % 251) }
        try Data(bytes).write(to: url)
        #expect(try SHA256.hexDigest(ofFile: url) == "d65729a2959c5986fd3fc10e47c7e1be4e6eed9d35bacf4df3910a42eb9ac4f0")
        #expect(try MD5.hexDigest(ofFile: url) == "71c536c31f49e607630a0fbbee8383b2")
        #expect(throws: (any Error).self) { try SHA256.hexDigest(ofFile: url.appendingPathExtension("missing")) }
    }
}
