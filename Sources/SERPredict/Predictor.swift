import Foundation
import SERAudio
import SERCore
import SERExperiment
import SERFeatures
import SERNet

/// The emotion of one recording (or one segment of it).
public struct Prediction: Sendable, Equatable {
    /// The most probable class (the first of equals).
    public var label: String
    /// One probability per class, in the bundle's label order (an ensemble's: the members' mean).
    public var probabilities: [Double]
    /// Seconds of audio the prediction is of.
    public var duration: Double

    public init(label: String, probabilities: [Double], duration: Double) {
        self.label = label
        self.probabilities = probabilities
        self.duration = duration
    }
}

/// Why a recording could not be predicted (besides the `AudioError`s of decoding it).
public enum PredictionError: LocalizedError, Equatable {
    /// The features of a recording have no frame (nothing for the network to see).
    case noFrames(source: String)

    public var errorDescription: String? {
        switch self {
        case .noFrames(let source): return "\(source): the audio gives no feature frame (too short)"
        }
    }
}

/// Predicts with a `ModelBundle` the way the run that made it predicted its test folds: decode and
/// resample to the spec's rate, extract, crop and pool (`InputConfig`), normalise, then each member's
/// `predictProbabilities` in batches of 64 in input order (as the run does), and the members' mean.
/// The same audio gives the probabilities the run wrote to predictions.csv.
///
/// Entry points from the outside in: `predict(urls:speakers:)` (many files, a bad one gives its error in
/// its slot), `predict(url:)`, `predict(samples:sampleRate:)` (in-memory audio: a segment of a long
/// recording, standard input), and for callers that shape their own inputs `modelInput(samples:)` plus
/// `probabilities(inputs:speakers:)`. Not thread-safe (the networks are not): use one predictor per thread.
public final class Predictor {
    public let bundle: ModelBundle
    public let extractor: FeatureExtractor
    /// Files decoded and extracted at once by `predict(urls:)`, and the threads each network runs on (as
    /// in a run, where a model predicts with `training.threads`; a forward pass gives the same bits for
    /// any thread count: rows and samples are split, never a sum).
    public let threads: Int
    /// Inputs per network batch; 64 is what the run used, so batches line up with its predictions.
    public static let batchSize = 64
    /// Files whose features are held at once by `predict(urls:)` (without a speaker grouping).
    public static let filesPerChunk = 256

    public init(bundle: ModelBundle, threads: Int = 1) throws {
        self.bundle = bundle
        self.extractor = try FeatureExtractor(spec: bundle.featureSpec)
        self.threads = max(1, threads)
        for member in bundle.members { member.model.threads = self.threads }
    }

    public var labels: [String] { bundle.labels }
    /// The rate audio is resampled to before feature extraction.
    public var sampleRate: Int { bundle.featureSpec.sampleRate }

    /// The features of audio already at `sampleRate`, cropped and pooled as the bundle's input says (not
    /// yet normalised: normalisation may need a speaker's other recordings).
    public func modelInput(samples: [Float]) -> FeatureMatrix {
        bundle.input.shape(extractor.extract(samples))
    }

    /// Class probabilities of shaped inputs, in order. `speakers` (one per input) groups the inputs by
    /// speaker for `speaker` normalisation: each group is normalised with the statistics of its own
    /// inputs (give several per speaker); an input whose speaker is nil, every input without `speakers`,
    /// and every input of other kinds, gets the members' stored statistics (see `ModelBundle.normalization`).
    public func probabilities(inputs: [FeatureMatrix], speakers: [String?]? = nil) -> [[Double]] {
        guard !inputs.isEmpty else { return [] }
        precondition(speakers == nil || speakers!.count == inputs.count, "\(speakers!.count) speakers for \(inputs.count) inputs")
        let grouped = bundle.normalization == .speaker ? speakers : nil
        var groupedInputs: [FeatureMatrix] = [], groupedSpeakers: [String] = []
        for (index, speaker) in (grouped ?? []).enumerated() {
            if let speaker { groupedInputs.append(inputs[index]); groupedSpeakers.append(speaker) }
        }
        var sums = [[Double]](repeating: [Double](repeating: 0, count: labels.count), count: inputs.count)
        for member in bundle.members {
            let speakerNormalizer = member.normalizer.fittingSpeakers(features: groupedInputs, speakers: groupedSpeakers)
            let normalised = inputs.indices.map { index in
                if let speaker = grouped?[index] { return speakerNormalizer.apply(inputs[index], speaker: speaker) }
                return member.normalizer.apply(inputs[index], speaker: "")
            }
            let data = SequenceDataset(featureCount: member.model.inputSize, sequences: normalised.map(\.values),
                                       labels: [Int](repeating: 0, count: inputs.count))
            let rows = member.model.predictProbabilities(data, batchSize: Self.batchSize)
            for (index, row) in rows.enumerated() {
                for (column, value) in row.enumerated() { sums[index][column] += Double(value) }
            }
        }
        // One member: its probabilities exactly (x / 1 == x); an ensemble: the mean.
        let count = Double(bundle.members.count)
        return sums.map { $0.map { $0 / count } }
    }

    /// The prediction of mono samples at `sampleRate` (resampled as `AudioFile.read` would; `source`
    /// names them in errors). Normalised with the stored statistics (no speaker grouping).
    public func predict(samples: [Float], sampleRate rate: Int, source: String = "<samples>") throws -> Prediction {
        guard !samples.isEmpty else { throw AudioError.empty(path: source) }
        let resampled = rate == sampleRate ? samples : try AudioFile.resample(samples, from: rate, to: sampleRate)
        let input = try Self.checked(modelInput(samples: resampled), source: source)
        return prediction(probabilities(inputs: [input])[0], duration: Double(samples.count) / Double(rate))
    }

    /// The prediction of one audio file (any format serlab reads).
    public func predict(url: URL) throws -> Prediction {
        try predict(urls: [url])[0].get()
    }

    /// Every file's prediction, in order; a file that cannot be decoded (or gives no frame) gets its
    /// error and the others are still predicted. `speakers` (one per URL, nil = no grouping): see
    /// `probabilities(inputs:speakers:)`; a speaker's statistics come from those of its recordings that decoded.
    public func predict(urls: [URL], speakers: [String?]? = nil) -> [Result<Prediction, any Error>] {
        precondition(speakers == nil || speakers!.count == urls.count, "\(speakers!.count) speakers for \(urls.count) files")
        var results = [Result<Prediction, any Error>?](repeating: nil, count: urls.count)
        for chunk in chunks(count: urls.count, speakers: bundle.normalization == .speaker ? speakers : nil) {
            let (extractor, input, rate) = (extractor, bundle.input, sampleRate)
            let decoded: [Result<(FeatureMatrix, Double), any Error>] = parallelMap(count: chunk.count, threads: threads, progress: nil) { position in
                let url = urls[chunk[position]]
                return Result {
                    let clip = try AudioFile.read(url, sampleRate: rate)
                    return (try Self.checked(input.shape(extractor.extract(clip.samples)), source: url.path), clip.duration)
                }
            }
            var good: [(index: Int, input: FeatureMatrix, duration: Double)] = []
            for (position, result) in decoded.enumerated() {
                switch result {
                case .success(let (input, duration)): good.append((chunk[position], input, duration))
                case .failure(let error): results[chunk[position]] = .failure(error)
                }
            }
            let rows = probabilities(inputs: good.map(\.input), speakers: speakers.map { names in good.map { names[$0.index] } })
            for (item, row) in zip(good, rows) { results[item.index] = .success(prediction(row, duration: item.duration)) }
        }
        return results.map { $0! }
    }

    /// Indices of the files to process together: runs of `filesPerChunk` in order, or, with a speaker
    /// grouping, one speaker's files at a time (its statistics need all of them).
    func chunks(count: Int, speakers: [String?]?) -> [[Int]] {
        guard let speakers else {
            return stride(from: 0, to: count, by: Self.filesPerChunk).map { Array($0..<min($0 + Self.filesPerChunk, count)) }
        }
        var order: [String?] = []
        var bySpeaker: [String?: [Int]] = [:]
        for (index, speaker) in speakers.enumerated() {
            if bySpeaker[speaker] == nil { order.append(speaker) }
            bySpeaker[speaker, default: []].append(index)
        }
        return order.map { bySpeaker[$0]! }
    }

    static func checked(_ input: FeatureMatrix, source: String) throws -> FeatureMatrix {
        guard input.frameCount >= 1 else { throw PredictionError.noFrames(source: source) }
        return input
    }

    func prediction(_ probabilities: [Double], duration: Double) -> Prediction {
        var best = 0
        for index in probabilities.indices where probabilities[index] > probabilities[best] { best = index }
        return Prediction(label: labels[best], probabilities: probabilities, duration: duration)
    }
}
