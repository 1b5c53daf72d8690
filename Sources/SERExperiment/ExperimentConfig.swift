import Foundation
import SERFeatures
import SERNet

/// One experiment, fully resolved: every value present (defaults from `ExperimentConfig.schema`,
/// then the config file, then `--set` overrides). JSON keys are the property names.
public struct ExperimentConfig: Codable, Sendable {
    /// Names the results folder; `null` in a file means the file's name without `.json`.
    public var name: String?
    public var description: String
    public var dataset: DatasetConfig
    public var features: FeatureSpec
    public var normalization: FeatureNormalization
    /// Decoded and validated when the config is loaded (`ConfigLoader`).
    public var model: ModelSpec
    public var training: TrainingOptions
    /// Frame pooling for sequence models (all parts of the data alike).
    public var input: InputConfig
    /// SpecAugment-style masking of the training part only.
    public var augmentation: AugmentationConfig
    public var `protocol`: ProtocolConfig
    public var output: OutputConfig

    /// The name results are filed under.
    public var resolvedName: String { name ?? "experiment" }

    /// `training.seed` as the experiment seed.
    public var seed: Int { Int(truncatingIfNeeded: training.seed) }
}

public struct DatasetConfig: Codable, Sendable, Equatable {
    public var corpus: CorpusChoice
    public var root: String?
    public var manifest: String?
    public var labels: [String]
    public var merge: [String: String]
    public var synthetic: SyntheticCorpusConfig
}

public enum CorpusChoice: String, Codable, Sendable, CaseIterable {
    case synthetic, tess, ravdess, savee, manifest, folders
}

public struct SyntheticCorpusConfig: Codable, Sendable, Equatable, Hashable {
    public var speakers: Int
    public var utterancesPerLabel: Int
    public var seed: Int
    public var sampleRate: Int
}

public enum FeatureNormalization: String, Codable, Sendable, CaseIterable {
    /// z-score with mean and standard deviation of the training part.
    case global
    /// z-score of each speaker with that speaker's own statistics (labels never used).
    case speaker
    case none
}

public enum ProtocolKind: String, Codable, Sendable, CaseIterable {
    /// speakerKFold when the corpus has several speakers, stratifiedKFold otherwise.
    case auto
    case stratifiedKFold
    case speakerKFold
    case leaveOneSpeakerOut
    case testSpeakers
    case foldsFile
}

public struct ProtocolConfig: Codable, Sendable, Equatable {
    public var kind: ProtocolKind
    public var folds: Int
    public var testSpeakers: [[String]]
    public var foldsFile: String?
    public var repeats: Int
    public var validationFraction: Double
    public var speakerValidationMinimumSpeakers: Int
}

public struct OutputConfig: Codable, Sendable, Equatable {
    public var directory: String
    public var saveModels: Bool
    public var bootstrapResamples: Int
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int.self) { self = .integer(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value.keys.sorted().map { ($0, value[$0]!) })
            return
        }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let pairs): try container.encode(Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
