import Foundation
import SERCore
import SERFeatures

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
    /// The dataset the run used, loaded once by the runner (`serlab run` builds the corpus overview from it).
    public var dataset: LoadedDataset
}

/// Runs one experiment: data, folds, features, a model per fold, metrics, results folder.
public struct ExperimentRunner: Sendable {
    public var config: ExperimentConfig
    /// The resolved config JSON, written as config.resolved.json and compared on resume.
    public var resolvedConfig: JSONValue
    public var options: RunOptions
    public var components: ExperimentComponents
    public var progress: ProgressReporter
    /// Hashes the data files environment.json's fingerprint needs and the feature provider did not vouch for (tests count its calls).
    var hashFile: EnvironmentRecord.FileHasher = { try SHA256.hexDigest(ofFile: $0) }

    public init(config: ExperimentConfig, resolvedConfig: JSONValue, options: RunOptions, components: ExperimentComponents,
                progress: ProgressReporter = ConsoleProgress()) {
        self.config = config
        self.resolvedConfig = resolvedConfig
        self.options = options
        self.components = components
        self.progress = progress
    }

    public var threads: Int { max(1, config.training.threads) }

    public func run() throws -> RunSummary {
        let clock = Date()
        let name = config.resolvedName
        let dataset = try components.dataset(config.dataset).load(config.dataset, cacheDirectory: options.cacheDirectory)
        let syntheticNote = "SYNTHETIC DATA: this experiment runs on sounds serlab generated itself; its numbers say nothing about real speech."
        if dataset.synthetic { progress.report(.message(syntheticNote)) }
        progress.report(.message("\(name): \(dataset.items.count) utterances of \(dataset.corpusName), \(Set(dataset.items.map(\.speaker)).count) speakers, labels \(dataset.labels.joined(separator: ", "))"))

        let foldsFile = try config.protocol.foldsFile.map { try resolvePath($0, key: "protocol.foldsFile") }
        let plan = try FoldPlanner.plan(items: dataset.items, config: config.protocol, seed: config.seed, foldsFileURL: foldsFile)
        for warning in plan.warnings { progress.report(.warning(warning)) }
        progress.report(.message("protocol \(plan.kind.rawValue): \(plan.folds.count) folds" + (plan.speakerOverlap ? " (SPEAKER OVERLAP: speakers are in both training and test)" : "")))

        // The results folder: resume the newest unfinished run of this exact config, or start one.
        let resolvedText = resolvedConfig.prettyPrinted() + "\n"
        let experimentFolder = (options.resultsDirectory ?? URL(fileURLWithPath: config.output.directory, isDirectory: true))
            .appendingPathComponent(name, isDirectory: true)
        var run: RunDirectory
        if let runID = options.runID {
            run = RunDirectory(url: experimentFolder.appendingPathComponent(runID, isDirectory: true))
            if let saved = try? String(contentsOf: run.url.appendingPathComponent("config.resolved.json"), encoding: .utf8), saved != resolvedText {
                throw ResultsError.cannotWrite(path: run.url.path, reason: "this run id holds a different config; choose another --run-id")
            }
        } else if !options.fresh, let existing = RunDirectory.resumable(in: experimentFolder, resolvedConfig: resolvedText) {
            run = existing
        } else {
            run = RunDirectory(url: experimentFolder.appendingPathComponent(RunDirectory.newRunID(seed: config.seed), isDirectory: true))
            while FileManager.default.fileExists(atPath: run.url.path) {
                run = RunDirectory(url: experimentFolder.appendingPathComponent(RunDirectory.newRunID(seed: config.seed, date: Date().addingTimeInterval(1)), isDirectory: true))
                Thread.sleep(forTimeInterval: 1)
            }
        }
        let lock = try RunLock(folder: run.url)
        defer { lock.release() }
        let resuming = FileManager.default.fileExists(atPath: run.url.appendingPathComponent("config.resolved.json").path)
        progress.report(.message((resuming ? "resuming " : "results: ") + run.url.path))
        if !resuming {
            try run.write(resolvedText, to: "config.resolved.json")
        }

        // Features of every utterance (cached per corpus and feature spec).
        let featureClock = Date()
        let provider = try components.features(config.features, dataset.corpusName, options.cacheDirectory, threads)
        let reporter = progress
        var features = try provider.features(for: dataset.items.map(\.url)) { done, total in reporter.report(.features(done: done, total: total)) }
        if config.input != InputConfig() { features = features.map(config.input.shape) }
        precondition(features.count == dataset.items.count, "feature provider returned \(features.count) matrices for \(dataset.items.count) files")
        let featureSeconds = Date().timeIntervalSince(featureClock)

        // After the features, so the data fingerprint takes the hashes the feature cache took or verified
        // this run and hashes only the rest. Written when missing: a run killed before this point gets it
        // on resume.
        if !FileManager.default.fileExists(atPath: run.url.appendingPathComponent("environment.json").path) {
            let urls = dataset.items.map(\.url)
            let known = options.hashData ? provider.knownContentHashes(for: urls) : [:]
            let environment = try EnvironmentRecord.json(dataset: dataset, threads: threads, seed: config.seed, includeHashes: options.hashData,
                                                         knownHashes: known, hashFile: hashFile)
            try run.write(environment.prettyPrinted() + "\n", to: "environment.json")
        }

        let labelIndex = Dictionary(uniqueKeysWithValues: dataset.labels.enumerated().map { ($1, $0) })
        let labelOf = dataset.items.map { labelIndex[$0.label]! }
        let speakers = dataset.items.map(\.speaker)
        var results: [FoldResult] = []
        var resumed = 0
        var trainedSeconds: [Double] = []
        for fold in plan.folds {
            if run.isFoldDone(fold.index) {
                let result = try ResultsWriter.readFold(fold, labels: dataset.labels, in: run)
                results.append(result)
                resumed += 1
                progress.report(.foldFinished(fold: fold.index, foldCount: plan.folds.count, uar: result.metrics.uar, accuracy: result.metrics.accuracy,
                                              epochKept: result.epochKept, seconds: result.seconds, resumed: true, secondsLeft: nil))
                continue
            }
            try run.discardUnfinishedFold(fold.index)
            let foldClock = Date()
            let remainingAfter = plan.folds.count - fold.index - 1
            let averageFold = trainedSeconds.isEmpty ? nil : trainedSeconds.reduce(0, +) / Double(trainedSeconds.count)
            let normalizer = Normalizer(kind: config.normalization, features: features, speakers: speakers,
                                        fitIndices: fold.train, allIndices: fold.train + fold.validation + fold.test)
            func set(_ indices: [Int]) -> LabeledFeatures {
                LabeledFeatures(features: indices.map { normalizer.apply(features[$0], speaker: speakers[$0]) }, labels: indices.map { labelOf[$0] })
            }
            let epochs = config.training.epochs
            let foldCount = plan.folds.count
            let request = FoldTrainingRequest(
                train: config.augmentation.augment(set(fold.train), seed: fold.seed, foldIndex: fold.index), validation: set(fold.validation), labels: dataset.labels, seed: fold.seed, foldIndex: fold.index,
                model: config.model, training: config.training, threads: threads,
                onEpoch: { record in
                    let elapsed = Date().timeIntervalSince(foldClock)
                    let perEpoch = elapsed / Double(max(record.epoch, 1))
                    let left = perEpoch * Double(epochs - record.epoch) + (averageFold ?? perEpoch * Double(epochs)) * Double(remainingAfter)
                    reporter.report(.epoch(fold: fold.index, foldCount: foldCount, record: record, epochs: epochs, secondsLeft: left))
                })
            let trained = try components.backend.train(request)
            let testSet = set(fold.test)
            let probabilities = try trained.predict(testSet.features)
            precondition(probabilities.count == fold.test.count, "backend predicted \(probabilities.count) rows for \(fold.test.count) test utterances")
            var predictions: [PredictionRow] = []
            var predicted: [Int] = []
            for (row, itemIndex) in fold.test.enumerated() {
                let rounded = probabilities[row].map { ($0 * 1_000_000).rounded() / 1_000_000 }
                let best = probabilities[row].indices.max { probabilities[row][$0] < probabilities[row][$1] } ?? 0
                predicted.append(best)
                let item = dataset.items[itemIndex]
                predictions.append(PredictionRow(path: item.path, fold: fold.index, speaker: item.speaker, trueLabel: item.label,
                                                 predictedLabel: dataset.labels[best], probabilities: rounded))
            }
            let metrics = ClassificationMetrics(truth: testSet.labels, predicted: predicted, labels: dataset.labels)
            if config.output.saveModels, let save = trained.saveCheckpoint {
                let checkpoint = run.foldURL(fold.index).appendingPathComponent("model.h5")
                try FileManager.default.createDirectory(at: run.foldURL(fold.index), withIntermediateDirectories: true)
                try save(checkpoint)
                try run.write(normalizer.json.prettyPrinted() + "\n", to: "folds/fold-\(fold.index)/normalization.json")
            }
            let seconds = Date().timeIntervalSince(foldClock)
            trainedSeconds.append(seconds)
            let result = FoldResult(plan: fold, metrics: metrics, epochKept: trained.epochKept, curve: trained.curve, predictions: predictions,
                                    testSpeakers: Set(fold.test.map { speakers[$0] }).sorted(), seconds: seconds)
            try ResultsWriter.writeFold(result, labels: dataset.labels, in: run)
            results.append(result)
            let averageNow = trainedSeconds.reduce(0, +) / Double(trainedSeconds.count)
            progress.report(.foldFinished(fold: fold.index, foldCount: plan.folds.count, uar: metrics.uar, accuracy: metrics.accuracy,
                                          epochKept: trained.epochKept, seconds: seconds, resumed: false, secondsLeft: averageNow * Double(remainingAfter)))
        }

        // Pooled over folds, then the run-level files; metrics.json last.
        let allPredictions = results.flatMap(\.predictions)
        let truth = allPredictions.map { labelIndex[$0.trueLabel]! }
        let predicted = allPredictions.map { labelIndex[$0.predictedLabel]! }
        let pooled = ClassificationMetrics(truth: truth, predicted: predicted, labels: dataset.labels)
        let interval = BootstrapInterval(truth: truth, predicted: predicted, classCount: dataset.labels.count,
                                         resamples: config.output.bootstrapResamples, seed: config.seed)
        let modelName = components.backend.modelName(config.model)
        try run.write(ResultsWriter.predictionsCSV(allPredictions, labels: dataset.labels), to: "predictions.csv")
        try run.write(ResultsWriter.confusionCSV(pooled.confusion, labels: dataset.labels), to: "confusion.csv")
        let title = "\(name): pooled over \(results.count) folds" + (dataset.synthetic ? " (SYNTHETIC DATA)" : "")
        try run.write(ConfusionSVG.render(pooled.confusion, labels: dataset.labels, title: title), to: "confusion.svg")
        try run.write(ResultsWriter.metricsCSV(folds: results, pooled: pooled, labels: dataset.labels), to: "metrics.csv")
        if dataset.synthetic {
            try run.write(syntheticNote + "\n", to: "SYNTHETIC_DATA.txt")
        }
        try run.write(JSONValue.object([
            ("featureExtractionSeconds", .number(featureSeconds)),
            ("folds", .array(results.map { .object([("fold", .integer($0.plan.index)), ("seconds", .number($0.seconds))]) })),
            ("resumedFolds", .integer(resumed)),
            ("totalSeconds", .number(Date().timeIntervalSince(clock))),
            ("threads", .integer(threads)),
        ]).prettyPrinted() + "\n", to: "timings.json")
        let metrics = ResultsWriter.runMetricsJSON(name: name, corpus: dataset.corpusName, model: modelName, labels: dataset.labels, plan: plan,
                                                   folds: results, pooled: pooled, interval: interval, syntheticData: dataset.synthetic)
        try run.write(metrics.prettyPrinted() + "\n", to: "metrics.json")
        let (meanUAR, stdUAR) = meanAndStd(results.map(\.metrics.uar))
        let (meanAccuracy, stdAccuracy) = meanAndStd(results.map(\.metrics.accuracy))
        progress.report(.message(name + String(format: ": UAR %.1f%% ± %.1f, accuracy %.1f%% ± %.1f over %d folds (95%% CI of UAR %.1f-%.1f%%)",
                                        meanUAR * 100, stdUAR * 100, meanAccuracy * 100, stdAccuracy * 100, results.count,
                                        interval.uar.lowerBound * 100, interval.uar.upperBound * 100)
                                 + (dataset.synthetic ? " — SYNTHETIC DATA" : "")))
        progress.report(.message("wrote \(run.url.path)"))
        return RunSummary(directory: run.url, metrics: metrics, meanUAR: meanUAR, meanAccuracy: meanAccuracy, resumedFolds: resumed, syntheticData: dataset.synthetic,
                          dataset: dataset)
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
