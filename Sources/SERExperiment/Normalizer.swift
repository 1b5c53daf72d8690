import Foundation
import SERCore
import SERFeatures

/// Column-wise z-score of feature matrices, fitted on the training part only.
///
/// `global`: one mean and standard deviation per column over every frame of the training utterances.
/// `speaker`: each speaker's own mean and deviation over that speaker's frames (no labels used);
/// a test speaker is therefore normalised with statistics of its own unlabelled test audio, the
/// usual speaker-normalisation assumption (the speaker is known at test time).
/// `corpus`: the same per corpus of a multi-corpus run: each corpus's own mean and deviation over
/// its frames (training, validation and test utterances of that corpus, no labels used), so a test
/// corpus is normalised with statistics of its own unlabelled test audio. Deviations below
/// 1e-8 count as 1 so constant columns stay finite.
public struct Normalizer: Sendable {
    public var kind: FeatureNormalization
    /// Mean and standard deviation per column over the training part (nil for `none`).
    public internal(set) var global: (mean: [Double], std: [Double])?
    /// `speaker` only: each speaker's own statistics, keyed by speaker.
    public internal(set) var perSpeaker: [String: (mean: [Double], std: [Double])] = [:]
    /// `corpus` only: each corpus's own statistics, keyed by corpus name.
    public internal(set) var perCorpus: [String: (mean: [Double], std: [Double])] = [:]

    /// Given statistics (a model bundle's): `global` is applied to any speaker without statistics of its own.
    public init(kind: FeatureNormalization, global: (mean: [Double], std: [Double])?,
                perSpeaker: [String: (mean: [Double], std: [Double])] = [:]) {
        self.kind = kind
        self.global = global
        self.perSpeaker = perSpeaker
    }

    /// Fits on `fitIndices`; for `speaker` (`corpus`), statistics of every speaker (corpus) appearing in `allIndices`.
    public init(kind: FeatureNormalization, features: [FeatureMatrix], speakers: [String], corpora: [String?] = [],
                fitIndices: [Int], allIndices: [Int]) {
        self.kind = kind
        switch kind {
        case .none: break
        case .global: global = Normalizer.statistics(features: features, indices: fitIndices)
        case .corpus:
            var byCorpus: [String: [Int]] = [:]
            for index in allIndices where index < corpora.count { if let corpus = corpora[index] { byCorpus[corpus, default: []].append(index) } }
            for (corpus, indices) in byCorpus { perCorpus[corpus] = Normalizer.statistics(features: features, indices: indices) }
            global = Normalizer.statistics(features: features, indices: fitIndices)
        case .speaker:
            var bySpeaker: [String: [Int]] = [:]
            for index in allIndices { bySpeaker[speakers[index], default: []].append(index) }
            for (speaker, indices) in bySpeaker { perSpeaker[speaker] = Normalizer.statistics(features: features, indices: indices) }
            global = Normalizer.statistics(features: features, indices: fitIndices)
        }
    }

    /// This normaliser with per-speaker statistics of `features` (grouped by `speakers`, no labels used)
    /// replacing any it had; the global statistics stay. Only `speaker` normalisation uses them.
    public func fittingSpeakers(features: [FeatureMatrix], speakers: [String]) -> Normalizer {
        precondition(features.count == speakers.count, "\(features.count) matrices for \(speakers.count) speakers")
        var result = self
        result.perSpeaker = [:]
        var bySpeaker: [String: [Int]] = [:]
        for (index, speaker) in speakers.enumerated() { bySpeaker[speaker, default: []].append(index) }
        for (speaker, indices) in bySpeaker { result.perSpeaker[speaker] = Normalizer.statistics(features: features, indices: indices) }
        return result
    }

    static func statistics(features: [FeatureMatrix], indices: [Int]) -> (mean: [Double], std: [Double]) {
        guard let first = indices.first else { return ([], []) }
        let columns = features[first].columnCount
        var sum = [Double](repeating: 0, count: columns)
        var squares = [Double](repeating: 0, count: columns)
        var rows = 0
        for index in indices {
            let matrix = features[index]
            precondition(matrix.columnCount == columns, "utterance \(index) has \(matrix.columnCount) columns, expected \(columns)")
            matrix.values.withUnsafeBufferPointer { values in
                for row in 0..<matrix.frameCount {
                    let base = row * columns
                    for column in 0..<columns {
                        let value = Double(values[base + column])
                        sum[column] += value
                        squares[column] += value * value
                    }
                }
            }
            rows += matrix.frameCount
        }
        let count = Double(max(rows, 1))
        let mean = sum.map { $0 / count }
        let std = zip(squares, mean).map { square, m in
            let deviation = (max(square / count - m * m, 0)).squareRoot()
            return deviation < 1e-8 ? 1 : deviation
        }
        return (mean, std)
    }

    /// The fitted statistics as JSON (saved beside a checkpoint: the model expects normalised input).
    public var json: JSONValue {
        func stats(_ value: (mean: [Double], std: [Double])) -> JSONValue {
            .object([("mean", .array(value.mean.map { .number($0) })), ("std", .array(value.std.map { .number($0) }))])
        }
        var pairs: [(key: String, value: JSONValue)] = [("kind", .string(kind.rawValue))]
        if let global { pairs.append(("global", stats(global))) }
        if !perSpeaker.isEmpty {
            pairs.append(("speakers", .object(perSpeaker.keys.sorted().map { ($0, stats(perSpeaker[$0]!)) })))
        }
        if !perCorpus.isEmpty {
            pairs.append(("corpora", .object(perCorpus.keys.sorted().map { ($0, stats(perCorpus[$0]!)) })))
        }
        return .object(pairs)
    }

    /// Reads `json` (a fold's normalization.json); `path` names the file in errors.
    public init(json: JSONValue, path: String) throws {
        func fail(_ key: String, _ expected: String) -> NormalizerFileError {
            NormalizerFileError(path: path, key: key, expected: expected)
        }
        guard case .string(let kindText)? = json["kind"], let kind = FeatureNormalization(rawValue: kindText) else {
            throw fail("kind", "one of " + FeatureNormalization.allCases.map(\.rawValue).joined(separator: ", "))
        }
        func stats(_ value: JSONValue, key: String) throws -> (mean: [Double], std: [Double]) {
            func numbers(_ name: String) throws -> [Double] {
                guard case .array(let items)? = value[name] else { throw fail("\(key).\(name)", "an array of numbers") }
                return try items.map { item in
                    guard case .number(let number) = item else { throw fail("\(key).\(name)", "an array of numbers") }
                    return number
                }
            }
            let mean = try numbers("mean"), std = try numbers("std")
            guard mean.count == std.count else { throw fail(key, "as many std values as mean values, found \(std.count) and \(mean.count)") }
            return (mean, std)
        }
        let global = try json["global"].map { try stats($0, key: "global") }
        var perSpeaker: [String: (mean: [Double], std: [Double])] = [:]
        if let speakers = json["speakers"] {
            guard case .object(let pairs) = speakers else { throw fail("speakers", "an object of speaker statistics") }
            for (speaker, value) in pairs { perSpeaker[speaker] = try stats(value, key: "speakers.\(speaker)") }
        }
        var perCorpus: [String: (mean: [Double], std: [Double])] = [:]
        if let corpora = json["corpora"] {
            guard case .object(let pairs) = corpora else { throw fail("corpora", "an object of corpus statistics") }
            for (corpus, value) in pairs { perCorpus[corpus] = try stats(value, key: "corpora.\(corpus)") }
        }
        if kind != .none && global == nil { throw fail("global", "statistics for '\(kind.rawValue)' normalisation") }
        self.init(kind: kind, global: global, perSpeaker: perSpeaker)
        self.perCorpus = perCorpus
    }

    /// `matrix` normalised; a speaker (corpus) without statistics of its own gets the global ones.
    public func apply(_ matrix: FeatureMatrix, speaker: String, corpus: String? = nil) -> FeatureMatrix {
        let stats: (mean: [Double], std: [Double])?
        switch kind {
        case .none: return matrix
        case .global: stats = global
        case .speaker: stats = perSpeaker[speaker] ?? global
        case .corpus: stats = corpus.flatMap { perCorpus[$0] } ?? global
        }
        guard let stats, !stats.mean.isEmpty else { return matrix }
        var result = matrix
        let columns = matrix.columnCount
        let mean = stats.mean.map(Float.init)
        let scale = stats.std.map { Float(1 / $0) }
        result.values.withUnsafeMutableBufferPointer { values in
            for row in 0..<matrix.frameCount {
                let base = row * columns
                for column in 0..<columns { values[base + column] = (values[base + column] - mean[column]) * scale[column] }
            }
        }
        return result
    }
}

/// A normalization.json that does not hold what `Normalizer(json:path:)` needs.
public struct NormalizerFileError: LocalizedError, Equatable, Sendable {
    public var path: String
    public var key: String
    public var expected: String

    public var errorDescription: String? { "\(path): '\(key)': expected \(expected)" }
}

/// A dataset's features under one fitted `Normalizer`, with label indices: what a fold (or a
/// whole-corpus training) hands the backend.
struct NormalizedFeatures {
    let normalizer: Normalizer
    /// The label order every index refers to.
    let labels: [String]
    private let features: [FeatureMatrix]
    private let speakers: [String]
    private let corpora: [String?]
    private let labelIndices: [Int]

    /// Fits the normaliser on `fitIndices` (for `speaker`: statistics of every speaker in `allIndices`).
    init(dataset: LoadedDataset, features: [FeatureMatrix], kind: FeatureNormalization, fitIndices: [Int], allIndices: [Int]) {
        let labelIndex = Dictionary(uniqueKeysWithValues: dataset.labels.enumerated().map { ($1, $0) })
        speakers = dataset.items.map(\.speaker)
        corpora = dataset.items.map(\.corpus)
        labelIndices = dataset.items.map { labelIndex[$0.label]! }
        labels = dataset.labels
        self.features = features
        normalizer = Normalizer(kind: kind, features: features, speakers: speakers, corpora: corpora, fitIndices: fitIndices, allIndices: allIndices)
    }

    /// The normalised matrices and label indices of `indices`, in that order.
    func set(_ indices: [Int]) -> LabeledFeatures {
        LabeledFeatures(features: indices.map { normalizer.apply(features[$0], speaker: speakers[$0], corpus: corpora[$0]) },
                        labels: indices.map { labelIndices[$0] })
    }
}
