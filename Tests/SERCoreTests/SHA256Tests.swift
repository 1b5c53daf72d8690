import Testing
@testable import SERCore

@Suite struct SHA256Tests {
    /// FIPS 180-4 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(text: String, hex: String) {
        #expect(SHA256.hexDigest(of: text) == hex)
    }

    @Test func millionAsViaBothPathsAgree() {
        let bytes = [UInt8](repeating: 0x61, count: 1_000_000)
        var streamed = SHA256()
        bytes.withUnsafeBytes { raw in
            // Odd chunk sizes exercise the partial-block buffer.
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + 777)
                streamed.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
        }
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(streamed.finalize().hexString == expected)
        #expect(SHA256.hash(bytes).hexString == expected)
    }
}
