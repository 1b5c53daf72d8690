import Foundation
import SERFeatures

extension ExperimentComponents {
    /// The real pipeline: SERCorpus for corpora, SERCache for features, SERNet for models.
    /// `corporaRoot` is `serlab run --corpora` (highest priority in corpus lookup).
    public static func standard(corporaRoot: URL? = nil) -> ExperimentComponents {
        ExperimentComponents(
            dataset: { dataset in
                dataset.corpus == .synthetic ? SyntheticDatasetSource() as DatasetSource : PendingDatasetSource()
            },
            features: { _, _, _, _ in throw PendingComponent(name: "feature cache (SERCache)") },
            backend: PendingBackend())
    }
}

/// Until the module lands on main.
struct PendingComponent: LocalizedError {
    var name: String
    var errorDescription: String? { "\(name) is not wired into this build yet" }
}

struct PendingDatasetSource: DatasetSource {
    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset { throw PendingComponent(name: "corpus loading (SERCorpus)") }
}

struct PendingBackend: ModelBackend {
    func modelName(_ model: JSONValue) -> String { "pending" }
    func train(_ request: FoldTrainingRequest) throws -> TrainedFold { throw PendingComponent(name: "training (SERNet)") }
}
