import Foundation
import SERCache
import SERCore
import SERCorpus
import SERFeatures
import SERNet
import SERResults

extension ExperimentComponents {
    /// The real pipeline: SERCorpus for corpora, SERCache for features, SERNet for models.
    /// `corporaRoot` is `serlab run --corpora` (highest priority in corpus lookup).
    public static func standard(corporaRoot: URL? = nil) -> ExperimentComponents {
        ExperimentComponents(
            dataset: { dataset in
                dataset.corpus == .synthetic ? SyntheticDatasetSource() as DatasetSource : CorpusDatasetSource(corporaRoot: corporaRoot)
            },
            features: { spec, corpusName, cacheDirectory, threads in
                CachedFeatureProvider(cache: try FeatureCache(directory: cacheDirectory, corpusName: corpusName, spec: spec, threads: threads))
            },
            backend: StandardBackend())
    }
}

/// A published corpus, a manifest or label folders, found by `CorpusLocator`, relabelled by `LabelPolicy`.
struct CorpusDatasetSource: DatasetSource {
    var corporaRoot: URL?

    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
        guard let kind = CorpusKind(rawValue: dataset.corpus.rawValue) else {
            preconditionFailure("corpus \(dataset.corpus) has no SERCorpus kind")
        }
        let environment = ProcessInfo.processInfo.environment
        var commandLine = corporaRoot
        if commandLine == nil, dataset.root == nil, (environment[CorpusLocator.environmentVariable] ?? "").isEmpty {
            // A project may keep its corpora in ./corpora.
            let local = URL(fileURLWithPath: "corpora", isDirectory: true)
            if FileManager.default.fileExists(atPath: local.path) { commandLine = local }
        }
        let locator = CorpusLocator(commandLineRoot: commandLine, environment: environment,
                                    configRoot: dataset.root.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath, isDirectory: true) })
        let corpus = try locator.load(kind, manifest: dataset.manifest.map { URL(fileURLWithPath: $0) })
        let (filtered, labels) = try dataset.labelPolicy.apply(to: corpus)
        let items = filtered.utterances.map { ExperimentItem(path: $0.path, url: $0.url, speaker: $0.speaker, label: $0.label) }
        guard !items.isEmpty else { throw DatasetError.empty(reason: "\(corpus.root.path) holds no usable utterance") }
        return LoadedDataset(corpusName: corpus.name, root: corpus.root, items: items, labels: labels, synthetic: false)
    }
}

/// Features from the HDF5 cache (extracted on first use, on the cache's `threads`).
struct CachedFeatureProvider: FeatureProvider {
    let cache: FeatureCache

    func features(for urls: [URL], progress: @escaping @Sendable (Int, Int) -> Void) throws -> [FeatureMatrix] {
        try cache.features(for: urls, progress: progress)
    }

    func knownContentHashes(for urls: [URL]) -> [URL: String] {
        cache.knownContentHashes(for: urls)
    }
}

/// Trains what the config's `model` names: SERNet networks (`NetworkBackend`) or SERClassic's SVM (`SVMBackend`).
struct StandardBackend: ModelBackend {
    func modelName(_ model: ModelChoice) -> String { model.typeName }

    func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
        switch request.model {
        case .network: try NetworkBackend().train(request)
        case .svm: try SVMBackend().train(request)
        }
    }
}

/// Trains SERNet models: one `Model` per fold (or whole-corpus training), `Trainer.fit` with early stopping on
/// validation UAR; or `training.ensemble` of them, member k > 0 with streams derived by `"<stream>/member-<k>"`
/// (member 0 is the single network's), predicting the mean of their probabilities. An ensemble's curve is
/// member 0's, its kept epoch the median of the members' (the lower middle), and its `modelSelection`
/// records the member count and the ensemble's own validation UAR.
struct NetworkBackend: ModelBackend {
    func modelName(_ model: ModelChoice) -> String { model.typeName }

    static func dataset(_ set: LabeledFeatures, featureCount: Int) -> SequenceDataset {
        SequenceDataset(featureCount: featureCount, sequences: set.features.map(\.values), labels: set.labels)
    }

    func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
        guard let featureCount = request.train.features.first?.columnCount, featureCount > 0 else {
            throw DatasetError.empty(reason: "\(request.stream): the feature spec gives no columns")
        }
        guard let spec = request.model.network else {
            preconditionFailure("NetworkBackend asked to train a \(request.model.typeName)")
        }
        let seed = UInt64(truncatingIfNeeded: request.seed)
        let train = NetworkBackend.dataset(request.train, featureCount: featureCount)
        let validation = request.validation.features.isEmpty ? nil : NetworkBackend.dataset(request.validation, featureCount: featureCount)
        var models: [Model] = [], results: [TrainingResult] = []
        for member in 0..<request.training.ensemble {
            let stream = member == 0 ? request.stream : "\(request.stream)/member-\(member)"
            var modelStream = SeededGenerator(seed: seed, stream: "model").derived(stream)
            let model = try Model(spec: spec, inputSize: featureCount, classCount: request.labels.count, seed: modelStream.next())
            model.labels = request.labels
            var options = request.training
            var shuffleStream = SeededGenerator(seed: seed, stream: "shuffle").derived(stream)
            options.seed = shuffleStream.next()
            let result = try Trainer(model: model).fit(train: train, validation: validation, options: options,
                                                      scheduleEpochs: request.scheduleEpochs) { record in
                if member == 0 { request.onEpoch(NetworkBackend.epoch(record)) }
            }
            models.append(model)
            results.append(result)
        }
        let predict: ([FeatureMatrix]) -> [[Double]] = { matrices in
            let data = SequenceDataset(featureCount: featureCount, sequences: matrices.map(\.values), labels: [Int](repeating: 0, count: matrices.count))
            return NetworkBackend.meanProbabilities(models.map { $0.predictProbabilities(data) })
        }
        var selection: OrderedObject<Double>? = nil
        if models.count > 1 {
            selection = ["members": Double(models.count)]
            if !request.validation.features.isEmpty {
                let predicted = predict(request.validation.features).map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }
                let uar = ClassificationMetrics(truth: request.validation.labels, predicted: predicted, labels: request.labels).uar
                selection!.entries.append(("validationUAR", ResultsFile.rounded(uar)))
            }
        }
        let kept = results.map(\.bestEpoch).sorted()[(results.count - 1) / 2]
        return TrainedFold(curve: results[0].curve.map(NetworkBackend.epoch), epochKept: kept, predict: predict, saveCheckpoint: { url in
            let folder = url.deletingLastPathComponent()
            for (member, model) in models.enumerated() {
                try model.save(to: member == 0 ? url : folder.appendingPathComponent(FoldCheckpoint.fileName(member: member)))
            }
        }, models: models, modelSelection: selection)
    }

    /// The row-wise mean of the members' probabilities (one member: its own, converted to Double).
    static func meanProbabilities(_ members: [[[Float]]]) -> [[Double]] {
        guard let first = members.first else { return [] }
        return first.indices.map { row in
            first[row].indices.map { column in
                members.reduce(0.0) { $0 + Double($1[row][column]) } / Double(members.count)
            }
        }
    }

    static func epoch(_ record: EpochRecord) -> TrainingEpoch {
        TrainingEpoch(epoch: record.epoch, trainLoss: record.trainLoss, validationLoss: record.validationLoss ?? .nan,
                      validationUAR: record.validationUAR ?? .nan, learningRate: record.learningRate)
    }
}
