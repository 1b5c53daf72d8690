import Foundation
import SERCore
import SERResults

/// Late fusion: the class probabilities of several member configs averaged utterance by utterance on
/// identical folds, written as a results folder of its own (`serlab compare` reads it like any run).
///
///     {"name": "fusion_savee", "description": "SVM + MLP + CNN on SAVEE",
///      "fusion": ["svm_savee.json", "mlp_savee.json", "cnn_savee.json"], "set": ["training.threads=2"]}
///
/// Member paths are relative to the fusion file's folder; `set` applies to every member (before
/// command-line `--set`). Each member's newest finished run of exactly its resolved config is used, and
/// a member without one is run first. The fusion plans the folds of the first member's dataset and
/// protocol and requires every member's predictions to test exactly those utterances in those folds,
/// with the same label list; nothing is trained and no test label is looked at before scoring.
public struct LateFusion: Sendable {
    public var name: String
    public var description: String
    public var members: [URL]
    public var overrides: [String]

    static let fields: [ConfigField] = [
        ConfigField("name", .string, .null, "results go to <output directory>/<name>/; default: the file's name"),
        ConfigField("description", .string, .string(""), "free text kept with the results"),
        ConfigField("fusion", .array(.string), .array([]), "member config files (two or more), relative to this file's folder"),
        ConfigField("set", .array(.string), .array([]), "overrides applied to every member, as with --set"),
    ]

    /// The fusion in `file` (already read and parsed); member paths are checked to exist.
    public static func load(_ file: ConfigFile) throws -> LateFusion {
        let list = try ConfigList.load(file, fields: fields, key: "fusion", minimum: 2, expected: "an array of two or more member config paths")
        return LateFusion(name: list.name, description: list.description, members: list.configs, overrides: list.overrides)
    }

    /// A member's finished run: its name (the config's resolved name), model type and results folder.
    public struct Member: Sendable {
        public var name: String
        public var model: String
        public var run: URL
    }

    /// Runs the members that have no finished run, checks their folds and labels, averages their
    /// probabilities and writes the fusion's results folder. `commandLineOverrides` follow `set`.
    public func run(options: RunOptions, components: ExperimentComponents, progress: ProgressReporter = ConsoleProgress(),
                    commandLineOverrides: [String] = []) throws -> RunSummary {
        let clock = Date()
        var runners: [ExperimentRunner] = []
        for url in members {
            let file = try ConfigFile.read(url)
            let resolved = try ConfigLoader.resolve(file, overrides: overrides + commandLineOverrides)
            var memberOptions = options
            memberOptions.runID = nil
            memberOptions.configDirectory = url.deletingLastPathComponent()
            runners.append(ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: memberOptions,
                                            components: components, progress: progress))
        }
        var finished: [Member] = []
        for runner in runners {
            let folder = try LateFusion.finishedRun(of: runner) ?? {
                progress.report(.message("fusion \(name): running member \(runner.config.resolvedName)"))
                return try runner.run().directory
            }()
            progress.report(.message("fusion \(name): member \(runner.config.resolvedName) from \(folder.path)"))
            finished.append(Member(name: runner.config.resolvedName, model: runner.config.model.typeName, run: folder))
        }
        // The folds every member must have used: the first member's dataset and protocol, planned again.
        let lead = runners[0]
        let dataset = try lead.loadDataset()
        let plan = try lead.planFolds(dataset)
        let folds = try LateFusion.fuse(finished, plan: plan, dataset: dataset)
        let fusionConfig = lead.config
        let experimentFolder = (options.resultsDirectory ?? URL(fileURLWithPath: fusionConfig.output.directory, isDirectory: true))
            .appendingPathComponent(name, isDirectory: true)
        var run = RunDirectory(url: experimentFolder.appendingPathComponent(options.runID ?? RunDirectory.newRunID(seed: fusionConfig.seed), isDirectory: true))
        while options.runID == nil, FileManager.default.fileExists(atPath: run.url.path) {
            Thread.sleep(forTimeInterval: 1)
            run = RunDirectory(url: experimentFolder.appendingPathComponent(RunDirectory.newRunID(seed: fusionConfig.seed), isDirectory: true))
        }
        let lock = try RunLock(folder: run.url)
        defer { lock.release() }
        try run.write(resolvedJSON(finished, lead: lead).prettyPrinted() + "\n", to: "config.resolved.json")
        for fold in folds { try ResultsWriter.writeFold(fold, labels: dataset.labels, in: run) }
        try ResultsWriter.writeEnvironment(LateFusion.environment(lead: finished[0], dataset: dataset, seed: fusionConfig.seed,
                                                                  hashData: options.hashData), in: run)
        var writer = lead
        writer.config.name = name
        let model = "fusion(" + finished.map(\.model).joined(separator: "+") + ")"
        let (_, interval) = try writer.writeResults(dataset, plan: plan, folds: folds, in: run, model: model) { folds in
            RunTimings(featureExtractionSeconds: 0, folds: folds.map { RunTimings.Fold(fold: $0.plan.index, seconds: 0) },
                       resumedFolds: 0, totalSeconds: Date().timeIntervalSince(clock), threads: 1)
        }
        let (meanUAR, meanAccuracy) = writer.reportSummary(dataset, folds: folds, interval: interval, in: run)
        let metrics = try ResultsFile.read(RunMetrics.self, from: run.url.appendingPathComponent("metrics.json"))
        return RunSummary(directory: run.url, metrics: try JSONValueEncoder().encode(metrics), meanUAR: meanUAR, meanAccuracy: meanAccuracy,
                          resumedFolds: 0, syntheticData: dataset.synthetic, dataset: dataset)
    }

    /// environment.json of a fusion: this process's versions and machine, and the fingerprint of the data
    /// fused. The files' hashes come from the lead member's environment.json (the bytes its predictions were
    /// made from), so a fusion hashes again only what that record lacks.
    static func environment(lead: Member, dataset: LoadedDataset, seed: Int, hashData: Bool) -> RunEnvironment {
        var known: [URL: String] = [:]
        if hashData, let saved = try? ResultsFile.read(RunEnvironment.self, from: lead.run.appendingPathComponent("environment.json")) {
            let byPath = Dictionary(saved.data.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
            for item in dataset.items {
                if let hash = byPath[item.path], hash.count == 64 { known[item.url] = hash }
            }
        }
        return EnvironmentRecord.record(dataset: dataset, threads: 1, seed: seed, includeHashes: hashData, knownHashes: known)
    }

    /// The newest finished run folder of the runner's exact resolved config, if any.
    static func finishedRun(of runner: ExperimentRunner) throws -> URL? {
        let experimentFolder = (runner.options.resultsDirectory ?? URL(fileURLWithPath: runner.config.output.directory, isDirectory: true))
            .appendingPathComponent(runner.config.resolvedName, isDirectory: true)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: experimentFolder.path) else { return nil }
        for name in entries.sorted(by: >) where !name.hasPrefix(".") {
            let run = RunDirectory(url: experimentFolder.appendingPathComponent(name, isDirectory: true))
            guard run.isFinished,
                  let saved = try? String(contentsOf: run.url.appendingPathComponent("config.resolved.json"), encoding: .utf8),
                  saved == runner.resolvedText else { continue }
            return run.url
        }
        return nil
    }

    /// The fused folds: for each planned fold, each test utterance's probabilities averaged over the
    /// members (the decided class is the first highest). Throws `FusionError` naming the member whose
    /// labels or fold assignment differ from the plan.
    static func fuse(_ members: [Member], plan: ProtocolPlan, dataset: LoadedDataset) throws -> [FoldResult] {
        var tables: [[Int: [String: PredictionRow]]] = []
        for member in members {
            let url = member.run.appendingPathComponent("predictions.csv")
            let read: (labels: [String], rows: [PredictionRow])
            do { read = try PredictionRow.read(url) } catch {
                throw FusionError.unreadable(member: member.name, path: url.path, reason: error.localizedDescription)
            }
            guard read.labels == dataset.labels else {
                throw FusionError.labelsDiffer(member: member.name, expected: dataset.labels, found: read.labels)
            }
            var byFold: [Int: [String: PredictionRow]] = [:]
            for row in read.rows { byFold[row.fold, default: [:]][row.path] = row }
            for fold in plan.folds {
                let expected = Set(fold.test.map { dataset.items[$0].path })
                let found = Set((byFold[fold.index] ?? [:]).keys)
                if let missing = expected.subtracting(found).sorted().first {
                    throw FusionError.foldsDiffer(member: member.name, reason: "fold \(fold.index) does not test \(missing), which the plan puts there")
                }
                if let extra = found.subtracting(expected).sorted().first {
                    throw FusionError.foldsDiffer(member: member.name, reason: "fold \(fold.index) tests \(extra), which the plan puts elsewhere")
                }
            }
            if let extraFold = Set(byFold.keys).subtracting(plan.folds.map(\.index)).sorted().first {
                throw FusionError.foldsDiffer(member: member.name, reason: "it has a fold \(extraFold) the plan does not have")
            }
            tables.append(byFold)
        }
        let labelIndex = Dictionary(uniqueKeysWithValues: dataset.labels.enumerated().map { ($1, $0) })
        return plan.folds.map { fold in
            var predictions: [PredictionRow] = [], truth: [Int] = [], predicted: [Int] = []
            for itemIndex in fold.test {
                let item = dataset.items[itemIndex]
                let rows = tables.map { $0[fold.index]![item.path]! }
                var mean = [Double](repeating: 0, count: dataset.labels.count)
                for row in rows { for (k, p) in row.probabilities.enumerated() { mean[k] += p / Double(rows.count) } }
                let best = mean.indices.max { mean[$0] < mean[$1] || (mean[$0] == mean[$1] && $0 > $1) } ?? 0
                truth.append(labelIndex[item.label]!)
                predicted.append(best)
                predictions.append(PredictionRow(path: item.path, fold: fold.index, speaker: item.speaker, trueLabel: item.label,
                                                 predictedLabel: dataset.labels[best], probabilities: mean.map(ResultsFile.rounded)))
            }
            return FoldResult(plan: fold, metrics: ClassificationMetrics(truth: truth, predicted: predicted, labels: dataset.labels),
                              epochKept: 1, curve: [], predictions: predictions,
                              testSpeakers: Set(fold.test.map { dataset.items[$0].speaker }).sorted(), seconds: 0)
        }
    }

    /// config.resolved.json of a fusion run: this file's keys, the members' runs, and the lead member's
    /// dataset and protocol (which planned the folds).
    func resolvedJSON(_ finished: [Member], lead: ExperimentRunner) -> JSONValue {
        .object([
            ("name", .string(name)),
            ("description", .string(description)),
            ("model", .object([("type", .string("fusion")), ("members", .string(finished.map(\.name).joined(separator: "+")))])),
            ("fusion", .array(finished.map { member in
                .object([("name", .string(member.name)), ("model", .string(member.model)),
                         ("run", .string(member.run.standardizedFileURL.pathComponents.suffix(2).joined(separator: "/")))])
            })),
            ("set", .array(overrides.map { .string($0) })),
            ("dataset", lead.resolvedConfig["dataset"] ?? .null),
            ("protocol", lead.resolvedConfig["protocol"] ?? .null),
            ("training", .object([("seed", lead.resolvedConfig["training"]?["seed"] ?? .null)])),
        ])
    }
}

/// Why members cannot be fused; every case names the member.
public enum FusionError: LocalizedError, Equatable {
    case labelsDiffer(member: String, expected: [String], found: [String])
    case foldsDiffer(member: String, reason: String)
    case unreadable(member: String, path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .labelsDiffer(member, expected, found):
            return "fusion member \(member): labels \(found.joined(separator: ",")) differ from the fusion's \(expected.joined(separator: ",")) (same order required)"
        case let .foldsDiffer(member, reason):
            return "fusion member \(member): its folds differ from the first member's: \(reason)"
        case let .unreadable(member, path, reason):
            return "fusion member \(member): cannot read \(path): \(reason)"
        }
    }
}
