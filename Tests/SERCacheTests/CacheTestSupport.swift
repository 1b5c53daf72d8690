import Foundation
import SERAudio
import SERCore
import SERFeatures
import SERTestSupport
@testable import SERCache

/// Synthetic audio and helpers shared by the cache tests.
enum CacheTestSupport {
    /// Writes a 16-bit PCM mono WAV of `seconds` seconds: a tone of `frequency` Hz plus seeded noise.
    static func writeWAV(_ url: URL, frequency: Double, seconds: Double = 0.4, sampleRate: Int = 16000, seed: UInt64 = 1) throws {
        var generator = SeededGenerator(seed: seed, stream: "cache-test-audio")
        let count = Int(seconds * Double(sampleRate))
        var pcm = Data()
        pcm.reserveCapacity(count * 2)
        for index in 0..<count {
            let tone = 0.4 * sin(2 * Double.pi * frequency * Double(index) / Double(sampleRate))
            let noise = 0.05 * (Double(generator.nextFloat()) - 0.5)
            let sample = Int16(max(-32767, min(32767, (tone + noise) * 32767)))
            withUnsafeBytes(of: sample.littleEndian) { pcm.append(contentsOf: $0) }
        }
        var header = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) } }
        header.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + pcm.count))
        header.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
        append(UInt32(sampleRate)); append(UInt32(sampleRate * 2)); append(UInt16(2)); append(UInt16(16))
        header.append(contentsOf: Array("data".utf8)); append(UInt32(pcm.count))
        try (header + pcm).write(to: url)
    }

    /// A folder of `count` distinct synthetic WAV files, returned sorted.
    static func makeCorpus(_ folder: URL, count: Int, prefix: String = "clip") throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try (0..<count).map { index in
            let url = folder.appendingPathComponent("\(prefix)-\(index).wav")
            try writeWAV(url, frequency: 220 + 55 * Double(index), seconds: 0.3 + 0.05 * Double(index), seed: UInt64(index + 1))
            // Like a corpus on disk: modified well before it is cached (fresh files are re-hashed, see CacheEntry.isRacy).
            try setModificationDate(url, Date(timeIntervalSinceNow: -86_400))
            return url
        }
    }

    /// What the feature code computes for `url` right now, bypassing the cache.
    static func freshFeatures(_ url: URL, spec: FeatureSpec) throws -> FeatureMatrix {
        let clip = try AudioFile.read(url, sampleRate: spec.sampleRate)
        return try FeatureExtractor(spec: spec).extract(clip.samples)
    }

    /// Bit-level equality (NaN-safe).
    static func identical(_ a: FeatureMatrix, _ b: FeatureMatrix) -> Bool {
        a.frameCount == b.frameCount && a.columnNames == b.columnNames && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }

    static func setModificationDate(_ url: URL, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.path)
    }
}
