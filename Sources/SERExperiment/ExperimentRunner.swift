import Foundation
import SERCore
import SERFeatures
import SERNet
import SERResults

/// The pieces a run joins; `ExperimentComponents.standard` wires SERCorpus, SERCache and SERNet.
public struct ExperimentComponents: Sendable {
    public var dataset: @Sendable (DatasetConfig) -> DatasetSource
    public var features: @Sendable (_ spec: FeatureSpec, _ corpusName: String, _ cacheDirectory: URL, _ threads: Int) throws -> FeatureProvider
    public var backend: ModelBackend

    public init(dataset: @escaping @Sendable (DatasetConfig) -> DatasetSource,
                features: @escaping @Sendable (FeatureSpec, String, URL, Int) throws -> FeatureProvider,
                backend: ModelBackend) {
        self.dataset = dataset
        self.features = features
        self.backend = backend
    }
}

extension ExperimentComponents {
    /// The dataset section's source: `dataset(_:)` for one corpus; for `dataset.corpora`, each entry
    /// loaded by `dataset(_:)` and pooled (`PooledDatasetSource`).
    func datasetSource(for dataset: DatasetConfig) -> DatasetSource {
        dataset.isMultiCorpus ? PooledDatasetSource(sourceFor: self.dataset) : self.dataset(dataset)
    }

    /// Features of `dataset`'s files: one provider (cache file) per corpus, under the corpus's own name,
    /// so a pooled run reuses the features single-corpus runs extracted.
    func featureProvider(for dataset: LoadedDataset, spec: FeatureSpec, cacheDirectory: URL, threads: Int) throws -> FeatureProvider {
        guard !dataset.parts.isEmpty else { return try features(spec, dataset.corpusName, cacheDirectory, threads) }
        return PooledFeatureProvider(parts: try dataset.parts.map { part in
            let urls = Set(dataset.items.filter { $0.corpus == part.name }.map(\.url))
            return (try features(spec, part.cacheName, cacheDirectory, threads), urls)
        })
    }
}

/// Options of one `serlab run` beyond the config.
public struct RunOptions: Sendable {
    /// Replaces `output.directory` when set.
    public var resultsDirectory: URL?
    /// Replaces the generated run id; an existing unfinished run with this id is resumed.
    public var runID: String?
    /// Start a new run even when an unfinished one with the same config exists.
    public var fresh = false
    /// Where features and the synthetic corpus are cached.
    public var cacheDirectory = URL(fileURLWithPath: ".serlab-cache", isDirectory: true)
    /// Directory relative config paths (foldsFile, root, manifest) are tried against after the current one.
    public var configDirectory: URL?
    /// Compute the sha256 of every data file for environment.json (off only in quick tests).
    public var hashData = true
    /// A deliberately weakened run for the accuracy gate's controls (`GateControl`); nil for every real run.
    public var gateControl: GateControl?

    public init() {}
}

/// What a finished run returns.
public struct RunSummary: Sendable {
    public var directory: URL
    public var metrics: JSONValue
    public var meanUAR: Double
    public var meanAccuracy: Double
    public var resumedFolds: Int
    public var syntheticData: Bool
    /// The dataset the run used, loaded once by the runner.
    public var dataset: LoadedDataset
}

/// Runs one experiment: data, folds, features, a model per fold, metrics, results folder.
public struct ExperimentRunner: Sendable {
    public var config: ExperimentConfig
    /// The resolved config JSON as recorded (`ExperimentConfig.recorded`: no `output.slurm`), written as
    /// config.resolved.json and compared on resume.
    public var resolvedConfig: JSONValue
    public var options: RunOptions
    public var components: ExperimentComponents
    public var progress: ProgressReporter
    /// Hashes the data files environment.json's fingerprint needs and the feature provider did not vouch for (tests count its calls).
    var hashFile: EnvironmentRecord.FileHasher = { try SHA256.hexDigest(ofFile: $0) }

    public init(config: ExperimentConfig, resolvedConfig: JSONValue, options: RunOptions, components: ExperimentComponents,
                progress: ProgressReporter = ConsoleProgress()) {
        self.config = options.gateControl?.weaken(config) ?? config
        let recorded = ExperimentConfig.recorded(resolvedConfig)
        self.resolvedConfig = options.gateControl.map { $0.mark(recorded, weakened: $0.weaken(config)) } ?? recorded
        self.options = options
        self.components = components
        self.progress = progress
    }

    public var threads: Int { max(1, config.training.threads) }

    /// Data, folds, results folder, features, environment, one model per fold, then the run's files.
    public func run() throws -> RunSummary {
        let clock = Date()
        if let control = options.gateControl {
            try control.checkApplies(to: config)
            progress.report(.warning("WEAKENED RUN (gate control \(control.rawValue)): deliberately broken for the accuracy gate's self-test; never a result"))
        }
        let dataset = try loadDataset()
        let plan = try planFolds(dataset)
        let run = try openRunDirectory()
        let lock = try RunLock(folder: run.url)
        defer { lock.release() }
        try recordConfig(in: run)
        let featureClock = Date()
        let (features, provider) = try extractFeatures(dataset)
        let featureSeconds = Date().timeIntervalSince(featureClock)
        try recordEnvironment(dataset, provider: provider, in: run)
        let (folds, resumed) = try trainFolds(plan, dataset: dataset, features: features, in: run)
        let (metrics, interval) = try writeResults(dataset, plan: plan, folds: folds, in: run) { folds in
            RunTimings(featureExtractionSeconds: featureSeconds, folds: folds.map { RunTimings.Fold(fold: $0.plan.index, seconds: $0.seconds) },
                       resumedFolds: resumed, totalSeconds: Date().timeIntervalSince(clock), threads: threads)
        }
        let (meanUAR, meanAccuracy) = reportSummary(dataset, folds: folds, interval: interval, in: run)
        return RunSummary(directory: run.url, metrics: try JSONValueEncoder().encode(metrics), meanUAR: meanUAR, meanAccuracy: meanAccuracy,
                          resumedFolds: resumed, syntheticData: dataset.synthetic, dataset: dataset)
    }

    // MARK: Steps

    /// The utterances after the label policy.
    func loadDataset() throws -> LoadedDataset {
        let dataset = try components.datasetSource(for: config.dataset).load(config.dataset, cacheDirectory: options.cacheDirectory)
        if dataset.synthetic { progress.report(.message(ResultsWriter.syntheticDataNote)) }
        progress.report(.message("\(config.resolvedName): \(dataset.items.count) utterances of \(dataset.corpusName), \(Set(dataset.items.map(\.speaker)).count) speakers, labels \(dataset.labels.joined(separator: ", "))"))
        return dataset
    }

    /// The protocol's folds (and their warnings).
    func planFolds(_ dataset: LoadedDataset) throws -> ProtocolPlan {
        let foldsFile = try config.protocol.foldsFile.map { try resolvePath($0, key: "protocol.foldsFile") }
        let plan = try FoldPlanner.plan(items: dataset.items, config: config.protocol, seed: config.seed, foldsFileURL: foldsFile)
        for warning in plan.warnings { progress.report(.warning(warning)) }
        progress.report(.message("protocol \(plan.kind.rawValue): \(plan.folds.count) folds" + (plan.speakerOverlap ? " (SPEAKER OVERLAP: speakers are in both training and test)" : "")))
        return plan
    }

    /// config.resolved.json as this run writes it (and compares on resume).
    var resolvedText: String { resolvedConfig.prettyPrinted() + "\n" }

    /// The results folder: the `--run-id` one, else the newest unfinished run of this exact config, else a new one.
    func openRunDirectory() throws -> RunDirectory {
        if let runID = options.runID {
            let run = RunDirectory(url: experimentFolder.appendingPathComponent(runID, isDirectory: true))
            if let saved = try? String(contentsOf: run.url.appendingPathComponent("config.resolved.json"), encoding: .utf8), saved != resolvedText {
                throw ResultsError.cannotWrite(path: run.url.path, reason: "this run id holds a different config; choose another --run-id")
            }
            return run
        }
        if !options.fresh, let existing = RunDirectory.resumable(in: experimentFolder, resolvedConfig: resolvedText) {
            return existing
        }
        var run = RunDirectory(url: experimentFolder.appendingPathComponent(RunDirectory.newRunID(seed: config.seed), isDirectory: true))
        while FileManager.default.fileExists(atPath: run.url.path) {
            run = RunDirectory(url: experimentFolder.appendingPathComponent(RunDirectory.newRunID(seed: config.seed, date: Date().addingTimeInterval(1)), isDirectory: true))
            Thread.sleep(forTimeInterval: 1)
        }
        return run
    }

    /// `<results>/<config name>/`: the run folders of this config.
    var experimentFolder: URL {
        (options.resultsDirectory ?? URL(fileURLWithPath: config.output.directory, isDirectory: true))
            .appendingPathComponent(config.resolvedName, isDirectory: true)
    }

    /// Writes config.resolved.json into a new run folder; a folder that has one is being resumed.
    func recordConfig(in run: RunDirectory) throws {
        let resuming = FileManager.default.fileExists(atPath: run.url.appendingPathComponent("config.resolved.json").path)
        progress.report(.message((resuming ? "resuming " : "results: ") + run.url.path))
        if !resuming {
            try run.write(resolvedText, to: "config.resolved.json")
        }
    }

    /// Features of every utterance (cached per corpus and feature spec), shaped for the model input.
    func extractFeatures(_ dataset: LoadedDataset) throws -> ([FeatureMatrix], FeatureProvider) {
        let provider = try components.featureProvider(for: dataset, spec: config.features, cacheDirectory: options.cacheDirectory, threads: threads)
        let reporter = progress
        var features = try provider.features(for: dataset.items.map(\.url)) { done, total in
            reporter.report(.features(done: done, total: total))
            if 2 * done >= total { TestKillPoint.reached("features") }
        }
        if config.input != InputConfig() { features = features.map(config.input.shape) }
        precondition(features.count == dataset.items.count, "feature provider returned \(features.count) matrices for \(dataset.items.count) files")
        return (features, provider)
    }

    /// environment.json and corpusOverview.json, each written when missing (a run killed before this
    /// point gets them on resume). After the features, so the data fingerprint takes the hashes the
    /// feature cache took or verified this run and hashes only the rest.
    func recordEnvironment(_ dataset: LoadedDataset, provider: FeatureProvider, in run: RunDirectory) throws {
        if !FileManager.default.fileExists(atPath: run.url.appendingPathComponent("environment.json").path) {
            let urls = dataset.items.map(\.url)
            let known = options.hashData ? provider.knownContentHashes(for: urls) : [:]
            let environment = EnvironmentRecord.record(dataset: dataset, threads: threads, seed: config.seed, includeHashes: options.hashData,
                                                       knownHashes: known, hashFile: hashFile)
            try ResultsWriter.writeEnvironment(environment, in: run)
        }
        // What `serlab report` draws of the corpus (cheap: headers, plus one short example per label).
        if !FileManager.default.fileExists(atPath: run.url.appendingPathComponent("corpusOverview.json").path) {
            try ResultsWriter.writeCorpusOverview(CorpusOverview.build(dataset), in: run)
        }
    }

    /// Every fold of the plan: read back when a killed run finished it, trained otherwise. Returns the
    /// folds in plan order and how many were read back.
    func trainFolds(_ plan: ProtocolPlan, dataset: LoadedDataset, features: [FeatureMatrix], in run: RunDirectory) throws -> ([FoldResult], Int) {
        var results: [FoldResult] = []
        var resumed = 0
        var trainedSeconds: [Double] = []
        for fold in plan.folds {
            if run.isFoldDone(fold.index) {
                var result = try ResultsWriter.readFold(fold, labels: dataset.labels, in: run)
                (result.trainCorpora, result.testCorpora) = Self.foldCorpora(fold, dataset: dataset)
                results.append(result)
                resumed += 1
                progress.report(.foldFinished(fold: fold.index, foldCount: plan.folds.count, uar: result.metrics.uar, accuracy: result.metrics.accuracy,
                                              epochKept: result.epochKept, seconds: result.seconds, resumed: true, secondsLeft: nil))
                continue
            }
            let remainingAfter = plan.folds.count - fold.index - 1
            let averageFold = trainedSeconds.isEmpty ? nil : trainedSeconds.reduce(0, +) / Double(trainedSeconds.count)
            let result = try trainAndWriteFold(fold, foldCount: plan.folds.count, remainingAfter: remainingAfter, averageFold: averageFold,
                                               dataset: dataset, features: features, in: run)
            trainedSeconds.append(result.seconds)
            results.append(result)
            let averageNow = trainedSeconds.reduce(0, +) / Double(trainedSeconds.count)
            progress.report(.foldFinished(fold: fold.index, foldCount: plan.folds.count, uar: result.metrics.uar, accuracy: result.metrics.accuracy,
                                          epochKept: result.epochKept, seconds: result.seconds, resumed: false, secondsLeft: averageNow * Double(remainingAfter)))
        }
        return (results, resumed)
    }

    /// One unfinished fold from scratch (its leftovers discarded), written with its `done` marker last:
    /// the unit both a local run and a cluster's fold task (`runFoldStep`) go through.
    func trainAndWriteFold(_ fold: FoldPlan, foldCount: Int, remainingAfter: Int, averageFold: Double?, dataset: LoadedDataset,
                           features: [FeatureMatrix], in run: RunDirectory) throws -> FoldResult {
        try run.discardUnfinishedFold(fold.index)
        let result = try trainFold(fold, foldCount: foldCount, remainingAfter: remainingAfter, averageFold: averageFold,
                                   dataset: dataset, features: features, in: run)
        try ResultsWriter.writeFold(result, labels: dataset.labels, in: run)
        return result
    }

    /// One fold: normalise on its training part, train, predict its test part (and save the model when asked).
    /// `averageFold` (seconds of the folds trained so far) and `remainingAfter` feed the time-left estimate.
    func trainFold(_ fold: FoldPlan, foldCount: Int, remainingAfter: Int, averageFold: Double?, dataset: LoadedDataset, features: [FeatureMatrix],
                   in run: RunDirectory) throws -> FoldResult {
        let foldClock = Date()
        let data = NormalizedFeatures(dataset: dataset, features: features, kind: config.normalization,
                                      fitIndices: fold.train, allIndices: fold.train + fold.validation + fold.test)
        let speakers = dataset.items.map(\.speaker)
        let epochs = config.training.epochs
        let reporter = progress
        let trained = try fitModel(data, train: fold.train, validation: fold.validation, seed: fold.seed, foldIndex: fold.index,
                                   stream: "fold-\(fold.index)", training: config.training) { record in
            let elapsed = Date().timeIntervalSince(foldClock)
            let perEpoch = elapsed / Double(max(record.epoch, 1))
            let left = perEpoch * Double(epochs - record.epoch) + (averageFold ?? perEpoch * Double(epochs)) * Double(remainingAfter)
            reporter.report(.epoch(fold: fold.index, foldCount: foldCount, record: record, epochs: epochs, secondsLeft: left))
            TestKillPoint.reached("fold-\(fold.index)-epoch-\(record.epoch)")
        }
        let testSet = data.set(fold.test)
        let probabilities = try trained.predict(testSet.features)
        precondition(probabilities.count == fold.test.count, "backend predicted \(probabilities.count) rows for \(fold.test.count) test utterances")
        var predictions: [PredictionRow] = []
        var predicted: [Int] = []
        for (row, itemIndex) in fold.test.enumerated() {
            let best = probabilities[row].indices.max { probabilities[row][$0] < probabilities[row][$1] } ?? 0
            predicted.append(best)
            let item = dataset.items[itemIndex]
            predictions.append(PredictionRow(path: item.path, fold: fold.index, speaker: item.speaker, corpus: item.corpus, trueLabel: item.label,
                                             predictedLabel: dataset.labels[best], probabilities: probabilities[row].map(ResultsFile.rounded)))
        }
        if config.output.saveModels, let save = trained.saveCheckpoint {
            let checkpoint = run.foldURL(fold.index).appendingPathComponent(FoldCheckpoint.fileName(member: 0))
            try FileManager.default.createDirectory(at: run.foldURL(fold.index), withIntermediateDirectories: true)
            try save(checkpoint)
            try run.write(data.normalizer.json.prettyPrinted() + "\n", to: "folds/fold-\(fold.index)/normalization.json")
        }
        return FoldResult(plan: fold, metrics: ClassificationMetrics(truth: testSet.labels, predicted: predicted, labels: dataset.labels),
                          epochKept: trained.epochKept, curve: trained.curve, predictions: predictions,
                          testSpeakers: Set(fold.test.map { speakers[$0] }).sorted(), seconds: Date().timeIntervalSince(foldClock),
                          trainCorpora: Self.foldCorpora(fold, dataset: dataset).train, testCorpora: Self.foldCorpora(fold, dataset: dataset).test,
                          modelSelection: trained.modelSelection)
    }

    /// A multi-corpus fold's corpora (training with validation, and test), in the dataset's corpus order; nils for one corpus.
    static func foldCorpora(_ fold: FoldPlan, dataset: LoadedDataset) -> (train: [String]?, test: [String]?) {
        guard let names = dataset.corpusNames else { return (nil, nil) }
        func corpora(_ indices: [Int]) -> [String] {
            let present = Set(indices.compactMap { dataset.items[$0].corpus })
            return names.filter(present.contains)
        }
        return (corpora(fold.train + fold.validation), corpora(fold.test))
    }

    /// Trains the backend on `train` (augmented as the config says) with early stopping on `validation`:
    /// the one training path of a fold and of `serlab train` (`WholeCorpusTrainer`). Random streams are
    /// derived by `stream`; `training.epochs` is the most epochs trained.
    func fitModel(_ data: NormalizedFeatures, train: [Int], validation: [Int], seed: Int, foldIndex: Int, stream: String,
                  training: TrainingOptions, scheduleEpochs: Int? = nil,
                  onEpoch: @escaping @Sendable (TrainingEpoch) -> Void) throws -> TrainedFold {
        let trainSet = options.gateControl?.trainingSet(data.set(train), seed: seed, stream: stream) ?? data.set(train)
        let request = FoldTrainingRequest(
            train: config.augmentation.augment(trainSet, seed: seed, stream: stream), validation: data.set(validation),
            labels: data.labels, seed: seed, foldIndex: foldIndex, stream: stream, model: config.model, training: training,
            scheduleEpochs: scheduleEpochs, threads: threads, onEpoch: onEpoch)
        return try components.backend.train(request)
    }

    /// Pools the folds, bootstraps the interval and writes the run-level files (metrics.json last).
    /// `timings` is asked just before the files are written, so its total includes the bootstrap. `model`
    /// replaces the backend's model name (a fusion names its members).
    func writeResults(_ dataset: LoadedDataset, plan: ProtocolPlan, folds: [FoldResult], in run: RunDirectory, model: String? = nil,
                      timings: ([FoldResult]) -> RunTimings) throws -> (RunMetrics, BootstrapInterval) {
        let labelIndex = Dictionary(uniqueKeysWithValues: dataset.labels.enumerated().map { ($1, $0) })
        let allPredictions = folds.flatMap(\.predictions)
        let truth = allPredictions.map { labelIndex[$0.trueLabel]! }
        let predicted = allPredictions.map { labelIndex[$0.predictedLabel]! }
        let pooled = ClassificationMetrics(truth: truth, predicted: predicted, labels: dataset.labels)
        let interval = BootstrapInterval(truth: truth, predicted: predicted, classCount: dataset.labels.count,
                                         resamples: config.output.bootstrapResamples, seed: config.seed)
        let metrics = ResultsWriter.runMetrics(name: config.resolvedName, corpus: dataset.corpusName, model: model ?? components.backend.modelName(config.model),
                                               labels: dataset.labels, plan: plan, folds: folds, pooled: pooled, interval: interval,
                                               syntheticData: dataset.synthetic, gateControl: options.gateControl?.rawValue,
                                               corpora: dataset.corpusNames)
        try ResultsWriter.writeRun(metrics, folds: folds, pooled: pooled, synthetic: dataset.synthetic, timings: timings(folds), in: run)
        return (metrics, interval)
    }

    /// Prints the headline figures; returns the mean UAR and accuracy over folds.
    func reportSummary(_ dataset: LoadedDataset, folds: [FoldResult], interval: BootstrapInterval, in run: RunDirectory) -> (Double, Double) {
        let (meanUAR, stdUAR) = meanAndStd(folds.map(\.metrics.uar))
        let (meanAccuracy, stdAccuracy) = meanAndStd(folds.map(\.metrics.accuracy))
        progress.report(.message(config.resolvedName + String(format: ": UAR %.1f%% ± %.1f, accuracy %.1f%% ± %.1f over %d folds (95%% CI of UAR %.1f-%.1f%%)",
                                                            meanUAR * 100, stdUAR * 100, meanAccuracy * 100, stdAccuracy * 100, folds.count,
                                                            interval.uar.lowerBound * 100, interval.uar.upperBound * 100)
                                 + (dataset.synthetic ? " — SYNTHETIC DATA" : "")))
        progress.report(.message("wrote \(run.url.path)"))
        return (meanUAR, meanAccuracy)
    }

    /// A config path: as given when absolute or present from the current directory, else relative to
    /// the config's folder, else `$SERLAB_FOLDS/<file name>` for folds files.
    func resolvePath(_ path: String, key: String) throws -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let direct = URL(fileURLWithPath: expanded)
        if expanded.hasPrefix("/") || FileManager.default.fileExists(atPath: direct.path) { return direct }
        if let folder = options.configDirectory {
            let candidate = folder.appendingPathComponent(expanded)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        if key == "protocol.foldsFile", let folds = ProcessInfo.processInfo.environment["SERLAB_FOLDS"], !folds.isEmpty {
            let candidate = URL(fileURLWithPath: folds).appendingPathComponent(direct.lastPathComponent)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return direct
    }
}
