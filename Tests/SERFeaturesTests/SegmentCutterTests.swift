import Foundation
import Testing
import SERCore
@testable import SERFeatures

/// `SegmentCutter` hands over each segment's samples, cut from streamed blocks, exactly as slices of the
/// whole recording, and keeps no more than it needs.
@Suite struct SegmentCutterTests {
    @Test(arguments: [1, 2, 3])
    func streamedCutsEqualSlicesOfTheWhole(_ seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed, stream: "segment-cutter")
        let rate = 1000
        let samples = (0..<20_000).map { Float($0) }
        // Sorted starts, overlapping windows, a segment past the end, an empty one.
        var segments: [SpeechSegment] = []
        var start = 0.0
        while start < 19 {
            let length = Double.random(in: 0...3, using: &generator)
            segments.append(SpeechSegment(start: start, end: start + length, stretch: segments.count))
            start += Double.random(in: 0...2, using: &generator)
        }
        segments.append(SpeechSegment(start: 19.5, end: 25, stretch: segments.count))
        for block in [1, 17, 999, 4000, 30_000] {
            var cutter = SegmentCutter(segments: segments, sampleRate: rate)
            var received: [(Int, [Float])] = []
            var offset = 0
            while offset < samples.count {
                cutter.append(Array(samples[offset..<min(samples.count, offset + block)])) { received.append(($0, $1)) }
                offset += block
            }
            cutter.finish { received.append(($0, $1)) }
            #expect(received.map(\.0) == Array(segments.indices), "block \(block)")
            for (index, cut) in received {
                let lower = min(samples.count, Int((segments[index].start * Double(rate)).rounded()))
                let upper = min(samples.count, max(lower, Int((segments[index].end * Double(rate)).rounded())))
                #expect(cut == Array(samples[lower..<upper]), "segment \(index) \(segments[index]), block \(block)")
            }
        }
    }

    /// A segment is handed over as soon as the block holding its end arrives, not at the end.
    @Test func segmentsComeAsSoonAsTheirEndPasses() {
        let segments = [SpeechSegment(start: 0.1, end: 0.2, stretch: 0), SpeechSegment(start: 0.5, end: 0.9, stretch: 1)]
        var cutter = SegmentCutter(segments: segments, sampleRate: 100)
        var seen: [Int] = []
        cutter.append([Float](repeating: 1, count: 30)) { index, samples in
            seen.append(index)
            #expect(samples.count == 10)
        }
        #expect(seen == [0])
        cutter.append([Float](repeating: 2, count: 30)) { index, _ in seen.append(index) }
        #expect(seen == [0])
        cutter.append([Float](repeating: 3, count: 30)) { index, samples in
            seen.append(index)
            #expect(samples == [Float](repeating: 2, count: 10) + [Float](repeating: 3, count: 30))
        }
        #expect(seen == [0, 1])
    }
}
