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
    /// Several corpora pooled in one experiment; empty = the single corpus of `corpus`, `root`, `manifest`.
    public var corpora: [CorpusEntry] = []
    /// Multi-corpus only: keep just the labels every corpus has (after its own and the global merges).
    public var sharedLabels: Bool = false

    /// True when the dataset names several corpora (`corpora` is not empty).
    public var isMultiCorpus: Bool { !corpora.isEmpty }
}

extension DatasetConfig {
    enum CodingKeys: String, CodingKey { case corpus, root, manifest, labels, merge, synthetic, corpora, sharedLabels }

    /// `corpora` and `sharedLabels` may be absent (config.resolved.json leaves them out at their defaults).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        corpus = try container.decode(CorpusChoice.self, forKey: .corpus)
        root = try container.decodeIfPresent(String.self, forKey: .root)
        manifest = try container.decodeIfPresent(String.self, forKey: .manifest)
        labels = try container.decode([String].self, forKey: .labels)
        merge = try container.decode([String: String].self, forKey: .merge)
        synthetic = try container.decode(SyntheticCorpusConfig.self, forKey: .synthetic)
        corpora = try container.decodeIfPresent([CorpusEntry].self, forKey: .corpora) ?? []
        sharedLabels = try container.decodeIfPresent(Bool.self, forKey: .sharedLabels) ?? false
    }
}

/// One corpus of a multi-corpus dataset (`dataset.corpora[i]`); its labels are mapped to canonical
/// emotions by its adapter, then `merge`d and `drop`ped here, before the global `labels` and `merge`.
public struct CorpusEntry: Codable, Sendable, Equatable {
    public var corpus: CorpusChoice
    /// The namespace of its speakers and paths ("savee" -> "savee/DC"); null = the corpus's own name.
    public var name: String?
    public var root: String?
    public var manifest: String?
    public var merge: [String: String]
    /// Labels (after `merge`) whose utterances this corpus leaves out.
    public var drop: [String]

    public init(corpus: CorpusChoice, name: String? = nil, root: String? = nil, manifest: String? = nil,
                merge: [String: String] = [:], drop: [String] = []) {
        self.corpus = corpus; self.name = name; self.root = root; self.manifest = manifest; self.merge = merge; self.drop = drop
    }

    enum CodingKeys: String, CodingKey { case corpus, name, root, manifest, merge, drop }

    /// Every key but `corpus` may be left out.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        corpus = try container.decode(CorpusChoice.self, forKey: .corpus)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        root = try container.decodeIfPresent(String.self, forKey: .root)
        manifest = try container.decodeIfPresent(String.self, forKey: .manifest)
        merge = try container.decodeIfPresent([String: String].self, forKey: .merge) ?? [:]
        drop = try container.decodeIfPresent([String].self, forKey: .drop) ?? []
    }

    /// The entry as resolved JSON: every key, nulls included.
    var json: JSONValue {
        .object([("corpus", .string(corpus.rawValue)), ("name", name.map { .string($0) } ?? .null),
                 ("root", root.map { .string($0) } ?? .null), ("manifest", manifest.map { .string($0) } ?? .null),
                 ("merge", .object(merge.keys.sorted().map { ($0, .string(merge[$0]!)) })), ("drop", .array(drop.map { .string($0) }))])
    }
}

/// One training/test direction of protocol `crossCorpus`: corpus names (`dataset.corpora[i].name`).
public struct CorpusDirection: Codable, Sendable, Equatable {
    public var train: [String]
    public var test: [String]

    public init(train: [String], test: [String]) { self.train = train; self.test = test }
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
    /// z-score of each corpus with that corpus's own statistics (labels never used; a test corpus's
    /// from its own unlabelled test audio).
    case corpus
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
    /// Multi-corpus: one fold per `protocol.directions` entry, training on its train corpora, testing on its test corpora.
    case crossCorpus
    /// Multi-corpus: one fold per corpus, tested on it and trained on all the others.
    case leaveOneCorpusOut
}

public struct ProtocolConfig: Codable, Sendable, Equatable {
    public var kind: ProtocolKind
    public var folds: Int
    public var testSpeakers: [[String]]
    public var foldsFile: String?
    public var repeats: Int
    public var validationFraction: Double
    public var speakerValidationMinimumSpeakers: Int
    /// For `crossCorpus`: the directions, each a fold.
    public var directions: [CorpusDirection] = []
}

extension ProtocolConfig {
    enum CodingKeys: String, CodingKey { case kind, folds, testSpeakers, foldsFile, repeats, validationFraction, speakerValidationMinimumSpeakers, directions }

    /// `directions` may be absent (config.resolved.json leaves it out when empty).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(ProtocolKind.self, forKey: .kind)
        folds = try container.decode(Int.self, forKey: .folds)
        testSpeakers = try container.decode([[String]].self, forKey: .testSpeakers)
        foldsFile = try container.decodeIfPresent(String.self, forKey: .foldsFile)
        repeats = try container.decode(Int.self, forKey: .repeats)
        validationFraction = try container.decode(Double.self, forKey: .validationFraction)
        speakerValidationMinimumSpeakers = try container.decode(Int.self, forKey: .speakerValidationMinimumSpeakers)
        directions = try container.decodeIfPresent([CorpusDirection].self, forKey: .directions) ?? []
    }
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
