/// Cuts the samples of speech segments out of a recording fed block by block (a second pass of an
/// `AudioStream`, after `VoiceActivityDetector` found the segments in the first): each segment's samples
/// are handed over as soon as the stream has passed its end, and the samples no remaining segment needs
/// are dropped, so memory is the longest segment plus a block, whatever the recording's length.
///
/// Segment `s` covers samples `round(s.start x rate) ..< round(s.end x rate)` (cut to the recording), the
/// same samples the whole recording read at `sampleRate` holds there. Segments must come sorted by start
/// (as the detector gives them; its overlapping windows included).
public struct SegmentCutter {
    public let sampleRate: Int
    public let segments: [SpeechSegment]
    private let ranges: [Range<Int>]
    /// The next segment to hand over.
    private var next = 0
    /// Samples kept, starting at recording sample `kept.start`.
    private var kept: (start: Int, samples: [Float]) = (0, [])
    private var appended = 0

    public init(segments: [SpeechSegment], sampleRate: Int) {
        precondition(sampleRate > 0, "sampleRate must be positive, got \(sampleRate)")
        precondition(zip(segments, segments.dropFirst()).allSatisfy { $0.start <= $1.start }, "segments must be sorted by start")
        self.sampleRate = sampleRate
        self.segments = segments
        ranges = segments.map { segment in
            let start = max(0, Int((segment.start * Double(sampleRate)).rounded()))
            return start..<max(start, Int((segment.end * Double(sampleRate)).rounded()))
        }
    }

    /// Feeds the next block; calls `body(index, samples)` for every segment that ends within it, in order.
    public mutating func append(_ block: [Float], _ body: (Int, [Float]) throws -> Void) rethrows {
        appended += block.count
        if next < ranges.count {
            // Keep only what the segments still to come need.
            let needed = ranges[next].lowerBound
            let keptEnd = kept.start + kept.samples.count
            if needed >= appended {
                kept = (appended, [])
            } else if needed >= keptEnd {
                kept = (needed, Array(block[(needed - keptEnd)...]))
            } else {
                if needed > kept.start { kept.samples.removeFirst(needed - kept.start); kept.start = needed }
                kept.samples += block
            }
        }
        try handOver(upTo: appended, body)
    }

    /// Hands over the segments left after the last block, cut to the recording's end.
    public mutating func finish(_ body: (Int, [Float]) throws -> Void) rethrows {
        try handOver(upTo: Int.max, body)
    }

    private mutating func handOver(upTo end: Int, _ body: (Int, [Float]) throws -> Void) rethrows {
        while next < ranges.count, ranges[next].upperBound <= end {
            let range = ranges[next]
            let lower = min(max(range.lowerBound - kept.start, 0), kept.samples.count)
            let upper = min(max(range.upperBound - kept.start, lower), kept.samples.count)
            try body(next, Array(kept.samples[lower..<upper]))
            next += 1
        }
    }
}
