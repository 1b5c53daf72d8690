import Foundation
import SERCore
import SERExperiment

extension ModelBundle {
    /// The bundle of a whole-corpus training (`serlab train`): one member (or a seed ensemble's members), the features, input shaping
    /// and normalisation of `config`, and a provenance naming the config file (`configName`, no folder:
    /// the bundle may travel), the data and how the epoch count was chosen (`EpochChoice.summary`).
    public init(trained: WholeCorpusModel, config: ExperimentConfig, resolvedConfig: JSONValue, configName: String) {
        // Only the training-global statistics travel (see `ModelBundle.normalization`).
        let normalizer = Normalizer(kind: trained.normalizer.kind, global: trained.normalizer.global)
        self.init(members: trained.models.map { BundleMember(model: $0, normalizer: normalizer) }, labels: trained.labels,
                  featureSpec: config.features, input: config.input, normalization: config.normalization,
                  resolvedConfig: resolvedConfig, dataFingerprint: trained.dataFingerprint,
                  provenance: "train of \(configName) on all \(trained.dataset.items.count) utterances of \(trained.dataset.corpusName): "
                      + trained.epochChoice.summary)
    }
}
