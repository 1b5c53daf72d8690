import Foundation
import Testing
import SERTestSupport
@testable import SERAudio

/// The two speed paths (libFLAC read directly, pooled libsoxr resamplers) must give the very samples the
/// plain paths give (libsndfile's `sf_readf_float`, `soxr_oneshot`), since those match librosa bit for bit.
@Suite struct FastPathTests {
    static let flacFiles = [
        "ravdess/Actor_01/03-01-01-01-01-01-01.flac",
        "ravdess/Actor_01/03-01-02-01-01-02-01.flac",  // stereo
        "ravdess/Actor_20/03-01-06-01-01-02-20.flac",  // stereo
        "ravdess/Actor_24/03-01-08-02-02-02-24.flac",
        "tess/TESS Toronto emotional speech set data/OAF_Fear/OAF_food_fear.flac",  // 24414 Hz
        "savee/AudioData/KL/n25.flac",  // 44100 Hz
    ]

    static func url(_ relative: String) throws -> URL {
        let corpus = String(relative.prefix { $0 != "/" })
        return try TestSupport.corpus(corpus).appendingPathComponent(String(relative.dropFirst(corpus.count + 1)))
    }

    @Test(.realCorpora, arguments: flacFiles)
    func libFLACEqualsLibsndfile(_ relative: String) throws {
        let url = try Self.url(relative)
        let direct = try AudioFile.read(url, sampleRate: nil, flacThroughLibFLAC: true)
        let viaSndfile = try AudioFile.read(url, sampleRate: nil, flacThroughLibFLAC: false)
        #expect(direct.samples.count == viaSndfile.samples.count)
        #expect(direct.samples.elementsEqual(viaSndfile.samples) { $0.bitPattern == $1.bitPattern })
        #expect(direct.samples.contains { $0 != 0 })
        // And through the resampler, as the feature pipeline reads it.
        let direct16k = try AudioFile.read(url, sampleRate: 16000, flacThroughLibFLAC: true)
        let viaSndfile16k = try AudioFile.read(url, sampleRate: 16000, flacThroughLibFLAC: false)
        #expect(direct16k.samples.elementsEqual(viaSndfile16k.samples) { $0.bitPattern == $1.bitPattern })
    }

    /// A pooled resampler reused across clips of different lengths (long after short and back) gives the
    /// one-shot output every time: `soxr_clear` leaves no state behind.
    @Test(.realCorpora) func pooledResamplerEqualsOneShot() throws {
        var clips: [[Float]] = []
        for relative in Self.flacFiles {
            clips.append(try AudioFile.read(try Self.url(relative)).samples)
        }
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<50_000).map { _ in Float.random(in: -1...1, using: &generator) }
        let lengths = [1, 2, 3, 100, 511, 512, 4801, 48_000, 50_000]
        let pairs = [(48000, 16000), (24414, 16000), (44100, 16000), (96000, 16000), (16000, 22050)]
        for (source, target) in pairs {
            var inputs = clips + lengths.map { Array(noise.prefix($0)) }
            inputs += inputs.reversed()
            for input in inputs {
                let capacity = Int((Double(input.count) * Double(target) / Double(source)).rounded(.up)) + 64
                var pooled = [Float](repeating: .nan, count: capacity)
                var oneShot = [Float](repeating: .nan, count: capacity)
                let pooledCount = try input.withUnsafeBufferPointer { source_ in
                    try pooled.withUnsafeMutableBufferPointer { try AudioFile.pooledResample(source_, from: source, to: target, into: $0) }
                }
                let oneShotCount = try input.withUnsafeBufferPointer { source_ in
                    try oneShot.withUnsafeMutableBufferPointer { try AudioFile.oneShotResample(source_, from: source, to: target, into: $0) }
                }
                #expect(pooledCount == oneShotCount, "\(source) -> \(target) Hz, \(input.count) samples")
                #expect(pooledCount > 0 || input.count < 4)
                let same = pooled.prefix(pooledCount).elementsEqual(oneShot.prefix(oneShotCount)) { $0.bitPattern == $1.bitPattern }
                #expect(same, "\(source) -> \(target) Hz, \(input.count) samples")
            }
        }
    }

    /// Many threads resampling at once each check out their own resampler and still match one-shot.
    @Test(.realCorpora) func pooledResamplerIsSafeAcrossThreads() async throws {
        let clip = try AudioFile.read(try Self.url(Self.flacFiles[0])).samples
        let reference = try AudioFile.resample(clip, from: 48000, to: 16000)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let input = Array(clip.prefix(clip.count - index * 7))
                    let out = try AudioFile.resample(input, from: 48000, to: 16000)
                    var oneShot = [Float](repeating: 0, count: out.count + 64)
                    let count = try input.withUnsafeBufferPointer { source in
                        try oneShot.withUnsafeMutableBufferPointer { try AudioFile.oneShotResample(source, from: 48000, to: 16000, into: $0) }
                    }
                    return out.prefix(count).elementsEqual(oneShot.prefix(min(count, out.count))) { $0.bitPattern == $1.bitPattern }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 16 && results.allSatisfy { $0 })
        #expect(reference.count == Int((Double(clip.count) / 3).rounded(.up)))
    }
}
