import Foundation
import SERCore
import SERResults

/// The runner's steps as units a scheduler runs as separate jobs (`serlab run --slurm`, docs/cluster.md):
/// `prepareRun` (on the submitting machine: the run folder and its folds), `runFeatureStep` (fills the
/// feature cache), `runFoldStep` (one fold, written exactly as `run()` writes it) and `runFinishStep`
/// (the run's files once every fold is done). Each unit loads the dataset and plans the folds again:
/// both are deterministic for a config, so every job sees the plan `run()` would.
extension ExperimentRunner {
    /// A run as the submitting side sees it.
    public struct PreparedRun: Sendable {
        public var directory: RunDirectory
        /// The run id (the folder's name): what every unit of this run is given as `RunOptions.runID`.
        public var runID: String
        public var corpusName: String
        /// One feature job serves every run with the same key: the corpus and the feature spec's hash (the cache file).
        public var featureKey: String
        /// Every fold's index (`folds/fold-<index>`), over all repeats.
        public var folds: [Int]
        public var foldsPerRepeat: Int
        /// Indices of folds whose `done` marker exists.
        public var doneFolds: Set<Int>
        /// metrics.json exists.
        public var finished: Bool

        public init(directory: RunDirectory, corpusName: String, featureKey: String, folds: [Int], foldsPerRepeat: Int, doneFolds: Set<Int>, finished: Bool) {
            self.directory = directory
            self.runID = directory.url.lastPathComponent
            self.corpusName = corpusName
            self.featureKey = featureKey
            self.folds = folds
            self.foldsPerRepeat = foldsPerRepeat
            self.doneFolds = doneFolds
            self.finished = finished
        }
    }

    /// Loads the dataset, plans the folds, opens the run folder and records config.resolved.json in it,
    /// so the units find it by its run id. The folder: the `--run-id` one; else, unless `fresh`, the
    /// newest run of this exact config submitted before (it has `RunDirectory.submissionRecord`), finished
    /// or not, so the same submit command again completes that run rather than starting another; else
    /// as `run()` (the newest unfinished run, or a new one). `recording` false (`--dry-run`) writes nothing.
    public func prepareRun(recording: Bool = true) throws -> PreparedRun {
        let dataset = try loadDataset()
        let plan = try planFolds(dataset)
        var submitted: RunDirectory?
        if options.runID == nil, !options.fresh {
            submitted = RunDirectory.newest(in: experimentFolder, resolvedConfig: resolvedText) {
                FileManager.default.fileExists(atPath: $0.url.appendingPathComponent(RunDirectory.submissionRecord).path)
            }
        }
        let run = try submitted ?? openRunDirectory()
        if recording { try recordConfig(in: run) }
        let indices = plan.folds.map(\.index)
        return PreparedRun(directory: run, corpusName: dataset.corpusName, featureKey: "\(dataset.corpusName)-\(config.features.stableHash.prefix(16))",
                           folds: indices, foldsPerRepeat: plan.foldsPerRepeat, doneFolds: Set(indices.filter(run.isFoldDone)), finished: run.isFinished)
    }

    /// The feature step alone: every utterance's features into the cache (shared by all configs with
    /// this corpus and feature spec). Touches no run folder. Returns how many utterances.
    @discardableResult
    public func runFeatureStep() throws -> Int {
        let dataset = try loadDataset()
        _ = try extractFeatures(dataset)
        return dataset.items.count
    }

    /// One fold of the run `options.runID` (which `prepareRun` created): trained and written exactly as
    /// `run()` writes it (atomic files, `done` marker last), under a lock on that fold only. A fold that is
    /// already done is left as it is (returns false); one left half-written by a killed task is recomputed.
    @discardableResult
    public func runFoldStep(_ index: Int) throws -> Bool {
        let dataset = try loadDataset()
        let plan = try planFolds(dataset)
        let run = try existingRunDirectory()
        guard let fold = plan.folds.first(where: { $0.index == index }) else {
            throw ClusterStepError.noSuchFold(run: run.url.path, fold: index, foldCount: plan.folds.count)
        }
        let lock = try RunLock(folder: run.url, name: RunLock.foldLockName(index))
        defer { lock.release() }
        if run.isFoldDone(index) {
            progress.report(.message("fold \(index) of \(run.url.path) is already done"))
            return false
        }
        let (features, _) = try extractFeatures(dataset)
        let result = try trainAndWriteFold(fold, foldCount: plan.folds.count, remainingAfter: 0, averageFold: nil,
                                           dataset: dataset, features: features, in: run)
        progress.report(.foldFinished(fold: index, foldCount: plan.folds.count, uar: result.metrics.uar, accuracy: result.metrics.accuracy,
                                      epochKept: result.epochKept, seconds: result.seconds, resumed: false, secondsLeft: nil))
        return true
    }

    /// The finishing step of the run `options.runID`: when every fold is done, environment.json,
    /// corpusOverview.json (when missing) and the run-level files with metrics.json last, exactly as
    /// `run()` writes them from the same folds; otherwise `ClusterStepError.missingFolds` naming them,
    /// and nothing is written. Holds the run folder's lock.
    public func runFinishStep() throws -> RunSummary {
        let clock = Date()
        let dataset = try loadDataset()
        let plan = try planFolds(dataset)
        let run = try existingRunDirectory()
        let lock = try RunLock(folder: run.url)
        defer { lock.release() }
        let missing = plan.folds.filter { !run.isFoldDone($0.index) }
        guard missing.isEmpty else {
            throw ClusterStepError.missingFolds(run: run.url.path, folds: missing.map(\.index), foldCount: plan.folds.count)
        }
        let folds = try plan.folds.map { try ResultsWriter.readFold($0, labels: dataset.labels, in: run) }
        let featureClock = Date()
        let (_, provider) = try extractFeatures(dataset)
        let featureSeconds = Date().timeIntervalSince(featureClock)
        try recordEnvironment(dataset, provider: provider, in: run)
        let (metrics, interval) = try writeResults(dataset, plan: plan, folds: folds, in: run) { folds in
            RunTimings(featureExtractionSeconds: featureSeconds, folds: folds.map { RunTimings.Fold(fold: $0.plan.index, seconds: $0.seconds) },
                       resumedFolds: folds.count, totalSeconds: Date().timeIntervalSince(clock), threads: threads)
        }
        let (meanUAR, meanAccuracy) = reportSummary(dataset, folds: folds, interval: interval, in: run)
        return RunSummary(directory: run.url, metrics: try JSONValueEncoder().encode(metrics), meanUAR: meanUAR, meanAccuracy: meanAccuracy,
                          resumedFolds: folds.count, syntheticData: dataset.synthetic, dataset: dataset)
    }

    /// The run folder `options.runID` names, which must hold this config's config.resolved.json.
    func existingRunDirectory() throws -> RunDirectory {
        guard let runID = options.runID else { throw ClusterStepError.noRunID }
        let run = try openRunDirectory()
        guard FileManager.default.fileExists(atPath: run.url.appendingPathComponent("config.resolved.json").path) else {
            throw ClusterStepError.notPrepared(run: run.url.path, runID: runID)
        }
        return run
    }
}

/// Why a cluster step cannot run.
public enum ClusterStepError: LocalizedError, Equatable {
    case noRunID
    case notPrepared(run: String, runID: String)
    case noSuchFold(run: String, fold: Int, foldCount: Int)
    case missingFolds(run: String, folds: [Int], foldCount: Int)

    public var errorDescription: String? {
        switch self {
        case .noRunID:
            return "a fold or finishing step needs --run-id: the run folder the submission prepared"
        case let .notPrepared(run, runID):
            return "\(run): expected the run folder of run id \(runID) with its config.resolved.json, found none; submit the run first (serlab run CONFIG --slurm)"
        case let .noSuchFold(run, fold, foldCount):
            return "\(run): expected a fold index from 0 to \(foldCount - 1), found \(fold)"
        case let .missingFolds(run, folds, foldCount):
            return "\(run): \(folds.count) of \(foldCount) folds are not done (no done marker): \(folds.map { "fold-\($0)" }.joined(separator: ", ")); metrics not written. Submit the same command again to run them."
        }
    }
}
