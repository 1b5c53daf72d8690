import Foundation
import SERCore
import SERFeatures
import SERNet

/// Where `serlab train` takes the number of epochs from (docs/bundle.md, "serlab train").
public enum EpochSource: Sendable, Equatable {
    /// `--epochs N`: exactly N.
    case fixed(Int)
    /// `--from-run RUN`: the median kept epoch over the folds of a finished cross-validation run of the same config.
    case crossValidationRun(URL)
    /// Neither: early stopping on a validation part taken inside the data, as in a fold, then the kept
    /// epoch count again on everything.
    case validationSplit
}

/// How the epoch count was chosen; `summary` is what a model bundle's provenance says.
public struct EpochChoice: Sendable, Equatable {
    /// `"fixed"`, `"crossValidationRun"` or `"validationSplit"`.
    public var method: String
    /// Epochs the whole-corpus model was trained, without early stopping.
    public var epochs: Int
    /// crossValidationRun: the run as `<experiment>/<run id>` (no absolute path: bundles travel), each
    /// fold's epochKept in fold order, and the data fingerprint the run recorded.
    public var run: String?
    public var foldEpochsKept: [Int]?
    public var runDataFingerprint: String?
    /// validationSplit: the split ("speaker" or "stratified"), its sizes, and the validation UAR of the kept epoch.
    public var validationKind: String?
    public var trainCount: Int?
    public var validationCount: Int?
    public var validationSpeakers: [String]?
    public var validationUAR: Double?
    /// The config's `training.epochs` and `training.patience` the choice ran under.
    public var maximumEpochs: Int
    public var patience: Int?

    /// One sentence: the count and how it was found, with the numbers it came from.
    public var summary: String {
        switch method {
        case "crossValidationRun":
            let kept = (foldEpochsKept ?? []).map(String.init).joined(separator: ", ")
            return "\(epochs) epochs, the median of the epochs kept by the \(foldEpochsKept?.count ?? 0) folds of the cross-validation run \(run ?? "?") (\(kept))"
        case "validationSplit":
            guard let validationCount, validationCount > 0 else {
                return "\(epochs) epochs, the config's training.epochs (no validation part could be taken: no label has 2 utterances)"
            }
            let speakers = validationSpeakers.map { " (speakers \($0.joined(separator: ", ")))" } ?? ""
            let uar = validationUAR.map { String(format: ", validation UAR %.3f", $0) } ?? ""
            return "\(epochs) epochs, kept by early stopping (patience \(patience.map(String.init) ?? "none"), at most \(maximumEpochs)) "
                + "on a \(validationKind ?? "") validation part of \(validationCount) utterances\(speakers)\(uar), trained on the other \(trainCount ?? 0); then retrained on everything"
        default:
            return "\(epochs) epochs, given on the command line"
        }
    }
}

/// A model trained on every utterance the config keeps, with what prediction needs besides the network.
public struct WholeCorpusModel {
    /// The networks (one, or the members of a seed ensemble; each holds its last epoch's weights; not
    /// Sendable: use them on one thread).
    public var models: [Model]
    /// The first network (the only one unless `training.ensemble` > 1).
    public var model: Model { models[0] }
    /// Fitted on every utterance (per-speaker statistics of every training speaker for `speaker`).
    public var normalizer: Normalizer
    public var labels: [String]
    public var epochChoice: EpochChoice
    /// The whole-corpus training, one record per epoch (training loss only).
    public var curve: [TrainingEpoch]
    public var dataset: LoadedDataset
    /// The same fingerprint a run's environment.json records for this data.
    public var dataFingerprint: String
    /// Wall time of the whole `train` call: dataset, features, the validation phase (if any) and the training.
    public var seconds: Double
}

/// Why `serlab train` refuses a config.
public enum WholeCorpusTrainingError: LocalizedError, Equatable {
    /// Model bundles store SERNet networks; an SVM (or any other model kind) cannot go into one yet.
    case modelNotBundleable(config: String, model: String)

    public var errorDescription: String? {
        switch self {
        case let .modelNotBundleable(config, model):
            return "\(config): model.type \"\(model)\" cannot go into a model bundle (bundles hold mlp, cnn or lstm networks); use `serlab run` for its cross-validated results"
        }
    }
}

/// `serlab train`: the run's pipeline (dataset, cached features, `config.input.shape`, normaliser,
/// augmentation, backend) through `ExperimentRunner`'s own steps, on the whole corpus instead of folds.
public struct WholeCorpusTrainer: Sendable {
    public var runner: ExperimentRunner

    public init(runner: ExperimentRunner) { self.runner = runner }

    var config: ExperimentConfig { runner.config }

    /// The derivation name of the whole-corpus model's random streams (model, shuffle, augment).
    static let stream = "whole-corpus"
    /// The same for the validation phase, so its model never shares a stream with the final one.
    static let validationStream = "whole-corpus-validation"

    public func train(epochs source: EpochSource) throws -> WholeCorpusModel {
        guard config.model.network != nil else {
            throw WholeCorpusTrainingError.modelNotBundleable(config: config.resolvedName, model: config.model.typeName)
        }
        let clock = Date()
        // A wrong --from-run is found before any feature is computed.
        let runEpochs: RunEpochs?
        if case .crossValidationRun(let url) = source {
            runEpochs = try RunEpochs.read(run: url, resolvedConfig: runner.resolvedConfig)
        } else {
            runEpochs = nil
        }
        let dataset = try runner.loadDataset()
        let (features, provider) = try runner.extractFeatures(dataset)
        let choice: EpochChoice
        switch source {
        case .fixed(let epochs):
            choice = EpochChoice(method: "fixed", epochs: epochs, maximumEpochs: config.training.epochs, patience: config.training.patience)
        case .crossValidationRun(let url):
            choice = EpochChoice(method: "crossValidationRun", epochs: runEpochs!.median,
                                 run: url.standardizedFileURL.pathComponents.suffix(2).joined(separator: "/"),
                                 foldEpochsKept: runEpochs!.foldEpochsKept, runDataFingerprint: runEpochs!.dataFingerprint,
                                 maximumEpochs: config.training.epochs, patience: config.training.patience)
        case .validationSplit:
            choice = try chooseByValidation(dataset, features: features)
        }
        runner.progress.report(.message("training on all \(dataset.items.count) utterances: \(choice.summary)"))

        let all = Array(dataset.items.indices)
        let data = NormalizedFeatures(dataset: dataset, features: features, kind: config.normalization, fitIndices: all, allIndices: all)
        var training = config.training
        training.epochs = choice.epochs
        let trained = try fit(data, train: all, validation: [], stream: WholeCorpusTrainer.stream, training: training, phase: "whole corpus")
        guard !trained.models.isEmpty else {
            preconditionFailure("the model backend \(type(of: runner.components.backend)) returned no network to store")
        }
        let options = runner.options
        let known = options.hashData ? provider.knownContentHashes(for: dataset.items.map(\.url)) : [:]
        let environment = EnvironmentRecord.record(dataset: dataset, threads: runner.threads, seed: config.seed, includeHashes: options.hashData,
                                                   knownHashes: known, hashFile: runner.hashFile)
        let fingerprint = environment.data.fingerprint
        if let runFingerprint = runEpochs?.dataFingerprint, options.hashData, runFingerprint != fingerprint {
            runner.progress.report(.warning("the run \(runEpochs!.run.path) was made on other data files (fingerprint \(runFingerprint.prefix(12)) there, \(fingerprint.prefix(12)) here)"))
        }
        return WholeCorpusModel(models: trained.models, normalizer: data.normalizer, labels: dataset.labels, epochChoice: choice, curve: trained.curve,
                                dataset: dataset, dataFingerprint: fingerprint, seconds: Date().timeIntervalSince(clock))
    }

    /// Holds out a validation part of the whole corpus exactly as a fold holds out one of its training
    /// part (`FoldPlanner.validationSplit`: whole speakers when there are `speakerValidationMinimumSpeakers`,
    /// else per label; `validationFraction`), trains with early stopping on it, and returns the kept epoch.
    func chooseByValidation(_ dataset: LoadedDataset, features: [FeatureMatrix]) throws -> EpochChoice {
        let all = Array(dataset.items.indices)
        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: config.seed), stream: "validation").derived(WholeCorpusTrainer.stream)
        let split = FoldPlanner.validationSplit(all, items: dataset.items, fraction: config.protocol.validationFraction,
                                                minimumSpeakers: config.protocol.speakerValidationMinimumSpeakers, generator: &generator)
        let data = NormalizedFeatures(dataset: dataset, features: features, kind: config.normalization,
                                      fitIndices: split.train, allIndices: all)
        let trained = try fit(data, train: split.train, validation: split.validation, stream: WholeCorpusTrainer.validationStream,
                              training: config.training, phase: "validation split")
        let kept = trained.epochKept
        let uar = split.validation.isEmpty ? nil : trained.curve.first { $0.epoch == kept }?.validationUAR
        let speakers = split.kind == "speaker" ? Set(split.validation.map { dataset.items[$0].speaker }).sorted() : nil
        runner.progress.report(.message(String(format: "validation split: epoch %d kept", kept)
                                        + (uar.map { String(format: " (validation UAR %.1f%%)", $0 * 100) } ?? "")))
        return EpochChoice(method: "validationSplit", epochs: kept, validationKind: split.kind,
                           trainCount: split.train.count, validationCount: split.validation.count, validationSpeakers: speakers,
                           validationUAR: uar.map { (($0 * 1_000_000).rounded()) / 1_000_000 },
                           maximumEpochs: config.training.epochs, patience: config.training.patience)
    }

    /// The runner's training path; the learning-rate schedule spans the config's `training.epochs` (or
    /// the epochs trained when more), so a model trained for the k epochs a fold kept had that fold's rates.
    func fit(_ data: NormalizedFeatures, train: [Int], validation: [Int], stream: String, training: TrainingOptions,
             phase: String) throws -> TrainedFold {
        let clock = Date()
        let reporter = runner.progress
        let epochs = training.epochs
        return try runner.fitModel(data, train: train, validation: validation, seed: config.seed, foldIndex: -1, stream: stream,
                                   training: training, scheduleEpochs: max(config.training.epochs, epochs)) { record in
            let perEpoch = Date().timeIntervalSince(clock) / Double(max(record.epoch, 1))
            reporter.report(.trainingEpoch(phase: phase, record: record, epochs: epochs, secondsLeft: perEpoch * Double(epochs - record.epoch)))
        }
    }
}
