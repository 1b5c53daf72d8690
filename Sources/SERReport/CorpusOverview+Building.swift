import Foundation

extension CorpusOverview.Example {
    /// Builds an example from raw material, reducing it to what the plots draw: the waveform's
    /// min/max envelope over `slices` equal slices, and the frame-major feature matrices (as a
    /// `FeatureMatrix` stores them: `values[frame * columnCount + column]`) transposed to
    /// `[row][frame]` and mean-pooled over time to at most `maxFrames` frames.
    ///
    /// - Parameters:
    ///   - samples: mono samples in [-1, 1] at `sampleRate` Hz.
    ///   - spectrogramFrames: frame-major dB values, `spectrogramBandCount` per frame (band 0 lowest).
    ///   - mfccFrames: frame-major MFCCs, `mfccCount` per frame, same frames as the spectrogram.
    ///   - hopDuration: seconds between the input frames (hop length / sample rate).
    public init(label: String, path: String, speaker: String?, samples: [Float], sampleRate: Double,
                spectrogramFrames: [Float], spectrogramBandCount: Int, spectrogramMaxFrequency: Double, spectrogramScale: String,
                mfccFrames: [Float], mfccCount: Int, hopDuration: Double, slices: Int = 600, maxFrames: Int = 200) {
        precondition(sampleRate > 0 && slices > 0 && maxFrames > 0, "bad overview parameters: rate \(sampleRate), slices \(slices), maxFrames \(maxFrames)")
        precondition(spectrogramBandCount > 0 && spectrogramFrames.count % spectrogramBandCount == 0,
                     "spectrogram: \(spectrogramFrames.count) values is not a whole number of \(spectrogramBandCount)-band frames")
        precondition(mfccCount > 0 && mfccFrames.count % mfccCount == 0,
                     "mfcc: \(mfccFrames.count) values is not a whole number of \(mfccCount)-coefficient frames")
        let sliceCount = max(1, min(slices, samples.count))
        var minimum = [Double](repeating: 0, count: sliceCount), maximum = minimum
        for slice in 0..<sliceCount {
            let start = slice * samples.count / sliceCount, end = max(start + 1, (slice + 1) * samples.count / sliceCount)
            guard start < samples.count else { break }
            var low = Float.infinity, high = -Float.infinity
            for sample in samples[start..<min(end, samples.count)] { low = min(low, sample); high = max(high, sample) }
            minimum[slice] = Double(low); maximum[slice] = Double(high)
        }
        let inputFrames = spectrogramFrames.count / spectrogramBandCount
        let factor = max(1, Int((Double(inputFrames) / Double(maxFrames)).rounded(.up)))
        self.init(label: label, path: path, speaker: speaker, durationSeconds: Double(samples.count) / sampleRate,
                  waveformMinimum: minimum, waveformMaximum: maximum,
                  spectrogramDB: Self.pooled(spectrogramFrames, columns: spectrogramBandCount, factor: factor),
                  spectrogramMaxFrequency: spectrogramMaxFrequency, spectrogramScale: spectrogramScale,
                  mfcc: Self.pooled(mfccFrames, columns: mfccCount, factor: factor), frameDuration: hopDuration * Double(factor))
    }

    /// Frame-major `[frame * columns + column]` to `[column][pooled frame]`, averaging `factor` frames.
    static func pooled(_ frames: [Float], columns: Int, factor: Int) -> [[Double]] {
        let frameCount = frames.count / columns
        let pooledCount = (frameCount + factor - 1) / factor
        return (0..<columns).map { column in
            (0..<pooledCount).map { pooledFrame in
                let start = pooledFrame * factor, end = min(frameCount, start + factor)
                var sum = 0.0
                for frame in start..<end { sum += Double(frames[frame * columns + column]) }
                return sum / Double(end - start)
            }
        }
    }
}
