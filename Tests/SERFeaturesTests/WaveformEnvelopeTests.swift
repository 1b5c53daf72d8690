import Foundation
import Testing
import SERCore
@testable import SERFeatures

/// `WaveformEnvelope` fed in blocks equals the min/max of each slice computed from the whole recording.
@Suite struct WaveformEnvelopeTests {
    /// The slices' min/max from all the samples at once.
    static func reference(_ samples: [Float], slices: Int) -> (minimum: [Float], maximum: [Float]) {
        let count = max(1, min(slices, samples.count))
        let ranges = (0..<count).map { $0 * samples.count / count..<($0 + 1) * samples.count / count }
        return (ranges.map { samples[$0].min() ?? 0 }, ranges.map { samples[$0].max() ?? 0 })
    }

    @Test(arguments: [(10_007, 100), (999, 1000), (37, 2000), (48_000, 2000)])
    func blocksGiveTheWholeRecordingsEnvelope(_ length: Int, _ slices: Int) {
        var generator = SeededGenerator(seed: 5, stream: "envelope")
        let samples = (0..<length).map { _ in Float.random(in: -1...1, using: &generator) }
        let expected = Self.reference(samples, slices: slices)
        for block in [1, 7, 333, length, length + 5] {
            var envelope = WaveformEnvelope(sampleCount: length, slices: slices)
            var offset = 0
            while offset < length {
                envelope.append(Array(samples[offset..<min(length, offset + block)]))
                offset += block
            }
            #expect(envelope.sliceCount == min(slices, length))
            #expect(envelope.minimum == expected.minimum, "block \(block)")
            #expect(envelope.maximum == expected.maximum, "block \(block)")
            #expect(envelope.appendedCount == length)
        }
    }

    @Test func samplesPastTheEndAreIgnoredAndMissingOnesAreZero() {
        var envelope = WaveformEnvelope(sampleCount: 10, slices: 5)
        envelope.append([0.5, -0.5, 0.25, -0.25])
        #expect(envelope.minimum == [-0.5, -0.25, 0, 0, 0])
        #expect(envelope.maximum == [0.5, 0.25, 0, 0, 0])
        envelope.append([1, 1, 1, 1, 1, 1, -1, -1])
        #expect(envelope.maximum == [0.5, 0.25, 1, 1, 1])
        #expect(envelope.appendedCount == 10)
        let empty = WaveformEnvelope(sampleCount: 0, slices: 5)
        #expect(empty.sliceCount == 1 && empty.minimum == [0] && empty.maximum == [0])
    }
}
