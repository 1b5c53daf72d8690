import Foundation
import SERCore
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
    /// A network or an SVM; decoded and validated when the config is loaded (`ConfigLoader`).
    public var model: ModelChoice
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
