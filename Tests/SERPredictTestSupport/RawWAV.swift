import Foundation

/// Minimal RIFF/WAVE float bytes (as SERAudioTests' hostile inputs), for files no writer would make
/// (no samples, NaN, infinity).
public enum RawWAV {
    public static func float32(_ samples: [Float], sampleRate: Int = 16000) -> Data {
        var payload = Data()
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + payload.count)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(3); u16(1); u32(UInt32(sampleRate)); u32(UInt32(sampleRate * 4)); u16(4); u16(32)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(payload.count))
        return data + payload
    }
}
