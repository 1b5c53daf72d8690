import Foundation
import SERAudio
import SERExperiment
import SERFeatures
import SERReport

/// Builds a run folder's `corpusOverview.json` (what `serlab report` draws as the corpus overview).
/// Lives in the command layer because SERReport owns the format and SERExperiment cannot import it.
enum RunCorpusOverview {
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

    /// Writes `corpusOverview.json` into `runFolder` unless it is already there (a resumed run).
    static func writeIfMissing(_ dataset: LoadedDataset, in runFolder: URL) throws {
        let url = runFolder.appendingPathComponent("corpusOverview.json")
        guard !FileManager.default.fileExists(atPath: url.path) else { return }
        try build(dataset).write(to: url)
    }
}
