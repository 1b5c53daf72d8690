/// The min/max envelope of a recording of known length over equal slices, fed block by block (an
/// `AudioStream`'s blocks or any cut of the samples, with the same result): memory is two floats per
/// slice whatever the recording's length. What a waveform plot draws of a long recording.
///
/// Slice `i` of `sliceCount` covers samples `i * N / S ..< (i + 1) * N / S` of the `N`-sample recording
/// (integer division); `S` is at most `N`, so every slice holds a sample.
public struct WaveformEnvelope: Sendable, Equatable {
    /// Samples the recording holds (`AudioStream.sampleCount`).
    public let sampleCount: Int
    public let sliceCount: Int
    /// The smallest and largest sample of each slice so far (infinite before its first sample).
    private var lows: [Float]
    private var highs: [Float]
    /// Samples appended so far.
    public private(set) var appendedCount = 0
    private var slice = 0

    /// An envelope of `slices` slices (fewer when the recording is shorter) of a recording of `sampleCount` samples.
    public init(sampleCount: Int, slices: Int = 2000) {
        precondition(sampleCount >= 0 && slices > 0, "bad envelope: \(sampleCount) samples, \(slices) slices")
        self.sampleCount = sampleCount
        sliceCount = max(1, min(slices, sampleCount))
        lows = [Float](repeating: .infinity, count: sliceCount)
        highs = [Float](repeating: -.infinity, count: sliceCount)
    }

    /// The first sample past slice `index`.
    private func sliceEnd(_ index: Int) -> Int { (index + 1) * sampleCount / sliceCount }

    /// Feeds the next samples; those past `sampleCount` are ignored.
    public mutating func append(_ samples: [Float]) {
        var offset = 0
        while offset < samples.count, appendedCount < sampleCount {
            let end = min(samples.count, offset + sliceEnd(slice) - appendedCount)
            var low = lows[slice], high = highs[slice]
            for sample in samples[offset..<end] {
                low = min(low, sample)
                high = max(high, sample)
            }
            lows[slice] = low
            highs[slice] = high
            appendedCount += end - offset
            offset = end
            if appendedCount == sliceEnd(slice) && slice + 1 < sliceCount { slice += 1 }
        }
    }

    /// The smallest and largest sample of each slice; 0 for slices not reached (a recording cut short).
    public var minimum: [Float] { lows.map { $0.isFinite ? $0 : 0 } }
    public var maximum: [Float] { highs.map { $0.isFinite ? $0 : 0 } }
}
