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
    /// How `serlab run --slurm` submits the run; never part of config.resolved.json (see `SlurmSettings`).
    public var slurm: SlurmSettings
}

/// The `output.slurm` section: what `serlab run --slurm` asks Slurm for. It says where and how the work
/// runs, not what is computed, so the runner leaves it out of config.resolved.json: the same config run
/// locally or on any partition resolves to the same run folder and resumes there.
public struct SlurmSettings: Codable, Sendable, Equatable {
    /// `--partition`; nil = the cluster's default partition.
    public var partition: String?
    /// `--time` of every job (Slurm's formats: "MM", "HH:MM:SS", "D-HH:MM").
    public var time: String
    /// `--cpus-per-task`; nil = `training.threads` (the thread count the results depend on).
    public var cpusPerTask: Int?
    /// `--mem` (e.g. "4G"); nil = the cluster's default.
    public var memory: String?
    /// `--account`; nil = the user's default account.
    public var account: String?
    /// More `#SBATCH` lines, each an sbatch option such as "--qos=short".
    public var extraDirectives: [String]
    /// Shell lines every job runs before serlab (e.g. "module load hdf5").
    public var setup: [String]

    public init(partition: String? = nil, time: String = "02:00:00", cpusPerTask: Int? = nil, memory: String? = nil, account: String? = nil,
                extraDirectives: [String] = [], setup: [String] = []) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.account = account
        self.extraDirectives = extraDirectives
        self.setup = setup
    }
}
