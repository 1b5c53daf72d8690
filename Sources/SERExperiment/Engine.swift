import Foundation
import SERCore
import SERFeatures
import SERNet
import SERResults

/// Computes (or reads from a cache) the features of audio files, in order.
public protocol FeatureProvider: Sendable {
    /// The matrices in input order; `progress(done, total)` hears how many files are ready (from any
    /// thread), the last call with `done == total`.
    func features(for urls: [URL], progress: @escaping @Sendable (Int, Int) -> Void) throws -> [FeatureMatrix]

    /// Lower-case hex SHA-256 of those of `urls` whose bytes the provider hashed or verified (a cache
    /// matching size and mtime) and that still have the size and mtime they had then; keyed by the URLs
    /// as given. The runner hashes the others for environment.json. Default: none.
    func knownContentHashes(for urls: [URL]) -> [URL: String]
}

extension FeatureProvider {
    public func knownContentHashes(for urls: [URL]) -> [URL: String] { [:] }
}

/// Feature matrices with label indices.
public struct LabeledFeatures: Sendable {
    public var features: [FeatureMatrix]
    public var labels: [Int]

    public init(features: [FeatureMatrix], labels: [Int]) {
        precondition(features.count == labels.count, "features \(features.count) vs labels \(labels.count)")
        self.features = features
        self.labels = labels
    }
}

/// What a backend needs to train one fold.
public struct FoldTrainingRequest: Sendable {
    public var train: LabeledFeatures
    public var validation: LabeledFeatures
    public var labels: [String]
    /// The repeat's seed; derive streams with `SeededGenerator(seed:stream:).derived(stream)`.
    public var seed: Int
    /// The fold's index; -1 for the whole-corpus model of `serlab train`.
    public var foldIndex: Int
    /// What the random streams are derived by: `"fold-<index>"` for a fold, `"whole-corpus..."` for `serlab train`.
    public var stream: String
    public var model: ModelChoice
    /// `epochs` is how many epochs to train at most.
    public var training: TrainingOptions
    /// The epochs the learning-rate schedule spans when that is not `training.epochs` (see `Trainer.fit`).
    public var scheduleEpochs: Int? = nil
    /// Threads to use (resolved: never 0).
    public var threads: Int
    public var onEpoch: @Sendable (TrainingEpoch) -> Void
}

/// A trained fold model (it holds the network, which is not Sendable: use it on one thread).
public struct TrainedFold {
    public var curve: [TrainingEpoch]
    /// 1-based epoch whose weights were kept (best validation UAR).
    public var epochKept: Int
    /// Class probabilities (rows sum to 1) for each matrix.
    public var predict: ([FeatureMatrix]) throws -> [[Double]]
    /// Writes the model as a checkpoint, when the backend can.
    public var saveCheckpoint: ((URL) throws -> Void)?
    /// The trained SERNet networks, when the backend has them (a model bundle stores them): one, or the
    /// members of a seed ensemble (`training.ensemble`), whose probabilities `predict` averages.
    public var models: [Model]
    /// The first network (the only one unless the fold trained an ensemble).
    public var model: Model? { models.first }
    /// What model selection chose on the validation part (svm: cost, gamma, validationUAR); the fold's
    /// metrics.json records it as `modelSelection`.
    public var modelSelection: OrderedObject<Double>?

    public init(curve: [TrainingEpoch], epochKept: Int, predict: @escaping ([FeatureMatrix]) throws -> [[Double]],
                saveCheckpoint: ((URL) throws -> Void)? = nil, models: [Model] = [], modelSelection: OrderedObject<Double>? = nil) {
        self.curve = curve
        self.epochKept = epochKept
        self.predict = predict
        self.saveCheckpoint = saveCheckpoint
        self.models = models
        self.modelSelection = modelSelection
    }
}

/// Where a fold's saved networks go (`--save-models`): `model.h5`, and for the further members of a seed
/// ensemble `model-2.h5`, `model-3.h5`, ... beside it.
public enum FoldCheckpoint {
    public static func fileName(member: Int) -> String { member == 0 ? "model.h5" : "model-\(member + 1).h5" }

    /// The members saved in a fold folder, in member order (up to the first one missing; none without `model.h5`).
    public static func savedMembers(in folder: URL) -> [URL] {
        var urls: [URL] = []
        while true {
            let url = folder.appendingPathComponent(fileName(member: urls.count))
            guard FileManager.default.fileExists(atPath: url.path) else { return urls }
            urls.append(url)
        }
    }
}

/// Trains a model for a fold.
public protocol ModelBackend: Sendable {
    /// Short model name for results (`"lstm"`).
    func modelName(_ model: ModelChoice) -> String
    func train(_ request: FoldTrainingRequest) throws -> TrainedFold
}
