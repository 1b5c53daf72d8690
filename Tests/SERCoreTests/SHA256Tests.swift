import Foundation
import SERCore
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 examples, an empty input, and a million 'a's fed in uneven chunks.
    @Test func knownDigests() {
        #expect(SHA256.hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256()
        let block = Data(repeating: UInt8(ascii: "a"), count: 999)
        for _ in 0..<1001 { hasher.update(block) }
        hasher.update(Data(repeating: UInt8(ascii: "a"), count: 1_000_000 - 999 * 1001))
        #expect(hasher.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
