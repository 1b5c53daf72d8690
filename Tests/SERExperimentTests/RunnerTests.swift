import Foundation
import SERCore
import SERCorpus
import SERFeatures
import Testing
import SERTestSupport
@testable import SERExperiment

@Suite(.serialized) struct RunnerTests {
    /// A small synthetic experiment in a fresh folder.
    func setUp(_ overrides: [String] = []) throws -> (runner: (ExperimentComponents) -> ExperimentRunner, folder: URL) {
        let folder = TestSupport.temporaryDirectory("serlab-runner")
        let all = ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=4", "training.epochs=4",
                   "protocol.kind=speakerKFold", "protocol.folds=4", "output.bootstrapResamples=200"] + overrides
        let resolved = try ConfigLoader.resolve(nil, overrides: all)
        let tree = resolved.json, config = resolved.config
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        return ({ components in
            ExperimentRunner(config: config, resolvedConfig: tree, options: options, components: components, progress: SilentProgress())
        }, folder)
    }

    @Test func writesEveryFileOfTheResultsLayout() throws {
        let (runner, folder) = try setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try runner(.test()).run()
        let run = summary.directory
        #expect(run.deletingLastPathComponent().lastPathComponent == "synthetic_default")
        for file in ["config.resolved.json", "environment.json", "predictions.csv", "metrics.json", "metrics.csv", "timings.json",
                     "confusion.csv", "confusion.svg", "SYNTHETIC_DATA.txt"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "missing \(file)")
        }
        for fold in 0..<4 {
            for file in ["metrics.json", "confusion.csv", "curve.csv", "predictions.csv", "done"] {
                #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("folds/fold-\(fold)/\(file)").path), "fold \(fold) lacks \(file)")
            }
        }
        let metrics = try JSONParser.parse(Data(contentsOf: run.appendingPathComponent("metrics.json")), source: "metrics.json")
        #expect(metrics["syntheticData"] == .bool(true))
        #expect(metrics["speakerOverlap"] == .bool(false))
        #expect(metrics["protocol"]?["kind"] == .string("speakerKFold"))
        guard case .array(let folds)? = metrics["folds"] else { Issue.record("no folds"); return }
        #expect(folds.count == 4)
        // 4 speakers x 4 labels x 4 utterances, each tested once.
        let predictions = CSV.parse(try String(contentsOf: run.appendingPathComponent("predictions.csv"), encoding: .utf8))
        #expect(predictions.count == 1 + 64)
        #expect(predictions[0] == ["path", "fold", "speaker", "true", "predicted", "p_neutral", "p_happy", "p_sad", "p_angry"])
        #expect(Set(predictions.dropFirst().map { $0[0] }).count == 64)
        // The pooled confusion counts every prediction once.
        let confusion = CSV.parse(try String(contentsOf: run.appendingPathComponent("confusion.csv"), encoding: .utf8))
        let cells: [String] = confusion.dropFirst().flatMap { Array($0.dropFirst()) }
        let total: Int = cells.compactMap { Int($0) }.reduce(0, +)
        #expect(total == 64)
        // The synthetic classes differ enough that even a centroid model beats chance (25%).
        #expect(summary.meanUAR > 0.4, "mean UAR \(summary.meanUAR)")
        let environment = try JSONParser.parse(Data(contentsOf: run.appendingPathComponent("environment.json")), source: "environment.json")
        #expect(environment["data"]?["fileCount"] == .integer(64))
        guard case .string(let fingerprint)? = environment["data"]?["fingerprint"] else { Issue.record("no fingerprint"); return }
        #expect(fingerprint.count == 64)
        let interval = metrics["confidence95"]?["uar"]
        guard case .array(let bounds)? = interval, case .number(let low) = bounds[0], case .number(let high) = bounds[1],
              case .number(let pooledUAR)? = metrics["pooled"]?["uar"] else { Issue.record("no interval"); return }
        #expect(low <= pooledUAR && pooledUAR <= high)
    }

    /// The summary carries the dataset the runner loaded, so `serlab run` needs no second load for
    /// the corpus overview.
    @Test func summaryCarriesTheDatasetLoadedOnce() throws {
        let (runner, folder) = try setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = CountingDatasetSource()
        var components = ExperimentComponents.test()
        components.dataset = { _ in source }
        let summary = try runner(components).run()
        #expect(source.loads == 1)
        #expect(summary.dataset.corpusName == "synthetic")
        #expect(summary.dataset.synthetic)
        #expect(summary.dataset.items.count == 4 * 4 * summary.dataset.labels.count)
        let predictions = try String(contentsOf: summary.directory.appendingPathComponent("predictions.csv"), encoding: .utf8)
        #expect(predictions.split(separator: "\n").count == summary.dataset.items.count + 1)
    }

    @Test func sameConfigGivesByteIdenticalMetrics() throws {
        let (runner, folder) = try setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        var first = runner(.test())
        first.options.runID = "first"
        var second = runner(.test())
        second.options.runID = "second"
        let a = try Data(contentsOf: first.run().directory.appendingPathComponent("metrics.json"))
        let b = try Data(contentsOf: second.run().directory.appendingPathComponent("metrics.json"))
        #expect(a == b)
        let c = try Data(contentsOf: first.run().directory.appendingPathComponent("metrics.json"))
        #expect(a == c, "rerunning a finished run id rewrites the same metrics")
    }

    @Test func aKilledRunResumesKeepingFinishedFolds() throws {
        let (runner, folder) = try setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        var reference = runner(.test())
        reference.options.runID = "reference"
        let expected = try Data(contentsOf: reference.run().directory.appendingPathComponent("metrics.json"))

        // Killed while training fold 2: folds 0 and 1 are done, no metrics.json.
        #expect(throws: CentroidBackend.Killed.self) { try runner(.test(failOnFold: 2)).run() }
        let experiment = folder.appendingPathComponent("results/synthetic_default")
        let runs = try FileManager.default.contentsOfDirectory(atPath: experiment.path).filter { $0 != "reference" }
        #expect(runs.count == 1)
        let killed = RunDirectory(url: experiment.appendingPathComponent(runs[0]))
        #expect(killed.isFoldDone(0) && killed.isFoldDone(1) && !killed.isFoldDone(2))
        #expect(!killed.isFinished)
        // A half-written fold 2 (files but no done marker) must not be trusted.
        try killed.write("garbage", to: "folds/fold-2/metrics.json")
        try killed.write("garbage", to: "folds/fold-2/predictions.csv")

        let summary = try runner(.test()).run()
        #expect(summary.directory.standardizedFileURL == killed.url.standardizedFileURL, "the unfinished run is resumed, not a new one")
        #expect(summary.resumedFolds == 2)
        let resumed = try Data(contentsOf: summary.directory.appendingPathComponent("metrics.json"))
        #expect(resumed == expected, "a resumed run ends with the same metrics as an uninterrupted one")

        // A finished run is not resumed: the next run starts a new folder.
        let next = try runner(.test()).run()
        #expect(next.directory != summary.directory)
        #expect(next.resumedFolds == 0)
    }

    /// The gate's weakened-model controls: marked in config.resolved.json and metrics.json, and really weakened.
    @Test func gateControlRunsAreMarkedAndWeakened() throws {
        let (runner, folder) = try setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        var normal = runner(.test())
        normal.options.runID = "normal"
        let real = try normal.run()
        #expect(real.metrics["gateControl"] == nil)

        var shuffled = runner(.test())
        shuffled.options.runID = "shuffled"
        shuffled.options.gateControl = .shuffledTrainingLabels
        let control = try shuffled.run()
        #expect(control.metrics["gateControl"] == .string("shuffledTrainingLabels"))
        #expect(control.meanUAR < real.meanUAR - 0.1, "shuffled labels \(control.meanUAR) vs real \(real.meanUAR)")
        // Made through init, as serlab run does: the config is weakened and the resolved config says so.
        var options = shuffled.options
        options.runID = "one-epoch"
        options.gateControl = .oneEpoch
        let oneEpoch = ExperimentRunner(config: normal.config, resolvedConfig: normal.resolvedConfig, options: options, components: .test(),
                                        progress: SilentProgress())
        #expect(oneEpoch.config.training.epochs == 1)
        #expect(oneEpoch.resolvedConfig["gateControl"] == .string("oneEpoch"))
        #expect(oneEpoch.resolvedConfig["training"]?["epochs"] == .integer(1))
        options.gateControl = .mfccWithoutLog
        let feature = ExperimentRunner(config: normal.config, resolvedConfig: normal.resolvedConfig, options: options, components: .test(),
                                       progress: SilentProgress())
        #expect(feature.config.features.controlFault == .mfccWithoutLog)
        #expect(normal.config.features.controlFault == nil)
    }

    @Test func gateControlShufflesOnlyTheTrainingLabelsAndComesFromTheEnvironment() throws {
        let set = LabeledFeatures(features: (0..<40).map { _ in FeatureMatrix(frameCount: 1, columnNames: ["x"], values: [0]) },
                                  labels: (0..<40).map { $0 % 4 })
        let shuffled = GateControl.shuffledTrainingLabels.trainingSet(set, seed: 3, stream: "fold-0")
        #expect(shuffled.labels.sorted() == set.labels.sorted())
        #expect(shuffled.labels != set.labels)
        #expect(GateControl.shuffledTrainingLabels.trainingSet(set, seed: 3, stream: "fold-0").labels == shuffled.labels)
        #expect(GateControl.oneEpoch.trainingSet(set, seed: 3, stream: "fold-0").labels == set.labels)

        #expect(try GateControl.fromEnvironment([:]) == nil)
        #expect(try GateControl.fromEnvironment(["SERLAB_GATE_CONTROL": "mfccWithoutLog"]) == .mfccWithoutLog)
        #expect(throws: ConfigError.self) { try GateControl.fromEnvironment(["SERLAB_GATE_CONTROL": "shuffle"]) }
        var config = try ConfigLoader.resolve(nil, overrides: []).config
        config.features.features = [.rms, .zeroCrossingRate]
        #expect(throws: ConfigError.self) { try GateControl.mfccWithoutLog.checkApplies(to: config) }
        config.features.features = [.mfcc]
        #expect(throws: Never.self) { try GateControl.mfccWithoutLog.checkApplies(to: config) }
    }

    @Test func stratifiedProtocolOnSeveralSpeakersIsFlagged() throws {
        let (runner, folder) = try setUp(["protocol.kind=stratifiedKFold"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try runner(.test()).run()
        #expect(summary.metrics["speakerOverlap"] == .bool(true))
    }

    @Test func saveModelsWritesACheckpointPerFold() throws {
        let (runner, folder) = try setUp(["output.saveModels=true"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runner(.test()).run().directory
        for fold in 0..<4 {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("folds/fold-\(fold)/model.h5").path))
        }
    }
}

@Suite struct SyntheticCorpusTests {
    @Test func generationIsDeterministicAndCoversEverySpeakerAndLabel() throws {
        let config = SyntheticCorpusConfig(speakers: 3, utterancesPerLabel: 2, seed: 11, sampleRate: 16000)
        let a = TestSupport.temporaryDirectory("serlab-synth-a"), b = TestSupport.temporaryDirectory("serlab-synth-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let first = try SyntheticCorpus.generate(config, in: a)
        let second = try SyntheticCorpus.generate(config, in: b)
        #expect(first.items.count == 3 * 4 * 2)
        #expect(Set(first.items.map(\.speaker)).count == 3)
        #expect(Set(first.items.map(\.label)) == Set(SyntheticCorpus.labels))
        for (x, y) in zip(first.items, second.items) {
            #expect(try SHA256.hexDigest(ofFile: x.url) == SHA256.hexDigest(ofFile: y.url), "\(x.path) differs between generations")
        }
        #expect(FileManager.default.fileExists(atPath: first.root.appendingPathComponent("README.txt").path))
    }

    @Test func labelsDifferInLoudnessAndTempo() {
        let config = SyntheticCorpusConfig(speakers: 2, utterancesPerLabel: 1, seed: 3, sampleRate: 16000)
        func rms(_ label: String) -> Double {
            let samples = SyntheticCorpus.synthesize(speaker: 0, label: label, take: 0, config: config)
            return (samples.map { Double($0 * $0) }.reduce(0, +) / Double(samples.count)).squareRoot()
        }
        #expect(rms("angry") > 2 * rms("sad"))
        let samples = SyntheticCorpus.synthesize(speaker: 1, label: "happy", take: 0, config: config)
        #expect(samples.allSatisfy { abs($0) <= 1 })
        #expect(samples.count >= 16000)
    }

    /// The synthetic corpus goes through SERCorpus's LabelPolicy, like every other corpus.
    @Test func labelPolicyMergesAndKeeps() throws {
        let items = makeItems(speakers: 2)
        let (kept, labels) = try LabelPolicy(keep: ["positive", "sad"], merge: ["happy": "positive"]).apply(to: items)
        #expect(labels == ["positive", "sad"])
        #expect(Set(kept.map(\.label)) == ["positive", "sad"])
        #expect(kept.count == items.filter { ["happy", "sad"].contains($0.label) }.count)
        let (all, order) = try LabelPolicy().apply(to: items)
        #expect(all == items && order == Emotion.sorted(items.map(\.label)))
        do {
            _ = try LabelPolicy(keep: ["hapy"]).apply(to: items)
            Issue.record("expected an unknown-label error")
        } catch {
            #expect(error.localizedDescription.contains("keep names unknown label 'hapy'; did you mean 'happy'?"), "\(error.localizedDescription)")
        }
    }
}

/// The synthetic dataset, counting how often it is loaded.
final class CountingDatasetSource: DatasetSource, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var loads: Int { lock.withLock { count } }

    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
        lock.withLock { count += 1 }
        return try SyntheticDatasetSource().load(dataset, cacheDirectory: cacheDirectory)
    }
}
