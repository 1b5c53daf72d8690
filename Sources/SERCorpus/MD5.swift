import Foundation

/// MD5 (RFC 1321), streaming: only to compare a download with the checksum Zenodo publishes
/// (`md5:<hex>`); never as a content hash of our own (use SHA-256 for that).
struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// floor(abs(sin(i + 1)) * 2^32).
    private static let table: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    static func hex(of data: Data) -> String {
        var hasher = MD5()
        hasher.update(data)
        return hasher.finalize()
    }

    static func hex(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = MD5()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finalize()
    }

    mutating func update(_ data: Data) {
        data.withUnsafeBytes { bytes in
            length &+= UInt64(bytes.count)
            var offset = 0
            if !buffer.isEmpty {
                let take = min(64 - buffer.count, bytes.count)
                buffer.append(contentsOf: bytes[0..<take])
                offset = take
                if buffer.count == 64 {
                    let block = buffer
                    block.withUnsafeBytes { compress($0, 0) }
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            while bytes.count - offset >= 64 {
                compress(bytes, offset)
                offset += 64
            }
            if offset < bytes.count { buffer.append(contentsOf: bytes[offset...]) }
        }
    }

    mutating func finalize() -> String {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        while (buffer.count + tail.count) % 64 != 56 { tail.append(0) }
        for shift in stride(from: 0, through: 56, by: 8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        let block = buffer + tail
        block.withUnsafeBytes { raw in
            for start in stride(from: 0, to: raw.count, by: 64) { compress(raw, start) }
        }
        buffer = []
        return [state.0, state.1, state.2, state.3].map { word in
            (0..<4).map { index in
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt32(index)))
                return (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        }.joined()
    }

    private mutating func compress(_ bytes: UnsafeRawBufferPointer, _ start: Int) {
        var m = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 {
            let b = start + i * 4
            m[i] = UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.table[i] &+ m[g]
            a = d; d = c; c = b
            b = b &+ ((f << Self.shifts[i]) | (f >> (32 - Self.shifts[i])))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
