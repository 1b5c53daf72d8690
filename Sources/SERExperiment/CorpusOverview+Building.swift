import Foundation
import SERAudio
import SERFeatures
import SERResults

/// Builds a run folder's `corpusOverview.json` (what `serlab report` draws as the corpus overview)
/// from the dataset the runner loaded.
extension CorpusOverview {
    /// Seconds of audio kept per example: enough for the plots, cheap to compute.
    static let exampleSeconds = 4.0

    /// Counts per label and speaker, every file's duration (from the header only) and, for the first
    /// utterance (by path) of each label, its waveform, 64-band log-mel spectrogram and 13 MFCCs.
    static func build(_ dataset: LoadedDataset) throws -> CorpusOverview {
        var perLabel: [String: Int] = [:], perSpeaker: [String: Int] = [:]
        var durations: [Double] = []
        for item in dataset.items {
            perLabel[item.label, default: 0] += 1
            perSpeaker[item.speaker, default: 0] += 1
            durations.append(try AudioFile.info(item.url).duration)
        }
        var spec = FeatureSpec(sampleRate: 22050, features: [.logMel, .mfcc])
        spec.melBandCount = 64
        spec.mfccCount = 13
        let extractor = try FeatureExtractor(spec: spec)
        let examples = try dataset.labels.compactMap { label -> CorpusOverview.Example? in
            guard let item = dataset.items.filter({ $0.label == label }).min(by: { $0.path < $1.path }) else { return nil }
            let clip = try AudioFile.read(item.url, sampleRate: spec.sampleRate)
            let samples = Array(clip.samples.prefix(Int(exampleSeconds * Double(spec.sampleRate))))
            let frames = extractor.extractFrames(samples)
            let melColumns = frames.columnNames.indices.filter { frames.columnNames[$0].hasPrefix("log_mel_") }
            let mfccColumns = frames.columnNames.indices.filter { frames.columnNames[$0].hasPrefix("mfcc_") }
            precondition(melColumns.count == spec.melBandCount && mfccColumns.count == spec.mfccCount,
                         "overview feature columns: \(frames.columnNames)")
            func pick(_ columns: [Int]) -> [Float] {
                var out: [Float] = []
                out.reserveCapacity(frames.frameCount * columns.count)
                for frame in 0..<frames.frameCount { for column in columns { out.append(frames[frame, column]) } }
                return out
            }
            return CorpusOverview.Example(label: label, path: item.path, speaker: item.speaker, samples: samples, sampleRate: Double(spec.sampleRate),
                                          spectrogramFrames: pick(melColumns), spectrogramBandCount: melColumns.count,
                                          spectrogramMaxFrequency: Double(spec.sampleRate) / 2, spectrogramScale: "mel",
                                          mfccFrames: pick(mfccColumns), mfccCount: mfccColumns.count,
                                          hopDuration: Double(spec.hopLength) / Double(spec.sampleRate))
        }
        return CorpusOverview(corpus: dataset.corpusName, filesPerLabel: perLabel, filesPerSpeaker: perSpeaker,
                              durationsSeconds: durations, examples: examples, syntheticData: dataset.synthetic ? true : nil)
    }
}

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
