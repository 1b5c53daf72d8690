import Foundation
import SERCore
import SERFeatures
import SERResults
import Testing
import SERTestSupport
@testable import SERExperiment

/// `model.type = "svm"` through the runner: config errors, model selection on validation only,
/// determinism, and a small real run on the synthetic corpus.
@Suite(.serialized) struct SVMRunTests {
    static let grid = ["model.type=svm", "model.cost=[0.1,1,10]", "model.gamma=[\"scale\",0.05,2]"]

    static func options(_ folder: URL) -> RunOptions {
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.hashData = false
        return options
    }

    static func foldMetrics(_ run: URL, fold: Int) throws -> RunMetrics.FoldMetrics {
        try ResultsFile.read(RunMetrics.FoldMetrics.self, from: run.appendingPathComponent("folds/fold-\(fold)/metrics.json"))
    }

    @Test(arguments: [
        (["model.cost=[0]"], "model.cost"),
        (["model.gamma=[\"auto\"]"], "model.gamma"),
        (["model.gamma=[-1]"], "model.gamma"),
        (["model.kernel=sigmoid"], "model.kernel"),
        (["model.hiddenSizes=[8]"], "model.hiddenSizes"),
        (["model.degree=0"], "model.degree"),
    ])
    func configErrorsNameTheJSONPath(overrides: [String], path: String) throws {
        do {
            _ = try ConfigLoader.resolve(nil, overrides: ["model.type=svm"] + overrides)
            Issue.record("\(overrides) was accepted")
        } catch {
            #expect(error.localizedDescription.contains(path), "\(error.localizedDescription)")
        }
    }

    @Test func resolvedConfigSpellsOutTheSVMDefaults() throws {
        let resolved = try ConfigLoader.resolve(nil, overrides: ["model.type=svm"])
        #expect(resolved.json["model"]?.compact == #"{"type": "svm", "coef0": 0, "cost": [0.1, 1, 10, 100], "degree": 3, "gamma": ["scale"], "kernel": "rbf", "probability": true}"#)
        #expect(resolved.config.model.typeName == "svm")
    }

    /// Relabelling every test utterance (spk00) changes neither the C and gamma chosen nor any test
    /// prediction: the grid search sees the training and validation parts only.
    @Test func chosenCostAndGammaIgnoreTestLabels() throws {
        func run(relabel: Bool) throws -> (RunMetrics.FoldMetrics, String) {
            let folder = TestSupport.temporaryDirectory("serlab-svm-poison")
            defer { try? FileManager.default.removeItem(at: folder) }
            let resolved = try ConfigLoader.resolve(nil, overrides: Self.grid + [
                "dataset.synthetic.speakers=5", "dataset.synthetic.utterancesPerLabel=4", "protocol.kind=testSpeakers",
                "features.level=utterance", "features.functionals=[\"mean\",\"std\"]",
                "protocol.testSpeakers=[[\"\(NormalizationLeakTests.testSpeaker)\"]]", "output.bootstrapResamples=100"])
            let components = ExperimentComponents(dataset: { _ in NormalizationLeakTests.RelabellingSource(relabelTestSpeaker: relabel) },
                                                  features: ExperimentComponents.standard().features, backend: StandardBackend())
            let summary = try ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: Self.options(folder),
                                               components: components, progress: SilentProgress()).run()
            let rows = CSV.parse(try String(contentsOf: summary.directory.appendingPathComponent("predictions.csv"), encoding: .utf8))
            let trueColumn = try #require(rows.first?.firstIndex(of: "true"))
            let predictions = rows.map { row in row.enumerated().filter { $0.offset != trueColumn }.map(\.element).joined(separator: ",") }
            return (try Self.foldMetrics(summary.directory, fold: 0), predictions.joined(separator: "\n"))
        }
        let (original, originalPredictions) = try run(relabel: false)
        let (poisoned, poisonedPredictions) = try run(relabel: true)
        let selection = try #require(original.modelSelection)
        #expect(Set(selection.keys).isSuperset(of: ["cost", "gamma", "validationUAR"]))
        #expect(Set(selection.keys).isSubset(of: ["cost", "gamma", "validationUAR", "validationLogLoss"]))
        #expect(poisoned.modelSelection == selection)
        #expect(poisonedPredictions == originalPredictions)
        #expect(original.uar > 0.5, "fold 0 UAR \(original.uar): the SVM learnt nothing, so the test shows nothing")
        #expect(poisoned.uar != original.uar, "the relabelling reached the test part")
    }

    /// The real pipeline (synthetic audio, SERFeatures functionals, LIBSVM): an SVM run is a complete
    /// results folder, learns, records its choice per fold, and the same seed gives the same metrics.json bytes.
    @Test func smallSyntheticRunIsCompleteAndByteIdenticalOnRepeat() throws {
        func run() throws -> (URL, String, URL) {
            let folder = TestSupport.temporaryDirectory("serlab-svm-e2e")
            let resolved = try ConfigLoader.resolve(nil, overrides: Self.grid + [
                "name=svm_synthetic", "dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=6",
                "features.level=utterance", "features.functionals=[\"mean\",\"std\"]", "protocol.kind=leaveOneSpeakerOut",
                "training.classWeighting=balanced", "output.bootstrapResamples=200"])
            let summary = try ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: Self.options(folder),
                                               components: .standard(), progress: SilentProgress()).run()
            return (summary.directory, try String(contentsOf: summary.directory.appendingPathComponent("metrics.json"), encoding: .utf8), folder)
        }
        let (directory, metricsText, folder) = try run()
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = try ResultsFile.read(RunMetrics.self, from: directory.appendingPathComponent("metrics.json"))
        #expect(metrics.model == "svm")
        #expect(metrics.folds.count == 4)
        for fold in metrics.folds {
            let selection = try #require(fold.modelSelection, "fold \(fold.fold) has no modelSelection")
            #expect([0.1, 1, 10].contains(selection["cost"] ?? -1), "\(selection.entries)")
            #expect((selection["gamma"] ?? 0) > 0 && (selection["validationUAR"] ?? -1) >= 0)
        }
        let chance = 1 / Double(metrics.labels.count)
        #expect((metrics.mean?.uar ?? 0) > 2 * chance, "mean UAR \(metrics.mean?.uar ?? 0) with \(metrics.labels.count) labels")
        let predictions = try PredictionRow.read(directory.appendingPathComponent("predictions.csv"))
        #expect(predictions.rows.allSatisfy { abs($0.probabilities.reduce(0, +) - 1) < 1e-5 })

        let (_, again, secondFolder) = try run()
        defer { try? FileManager.default.removeItem(at: secondFolder) }
        #expect(again == metricsText)
    }

    /// The SVM's backend, failing on one fold (a kill mid-run).
    struct FailingSVM: ModelBackend {
        var failOnFold: Int?
        func modelName(_ model: ModelChoice) -> String { model.typeName }
        func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
            if request.foldIndex == failOnFold { throw CentroidBackend.Killed() }
            return try StandardBackend().train(request)
        }
    }

    /// A resumed SVM run reads its finished folds' modelSelection back in written order: the run's
    /// metrics.json is byte-identical to an uninterrupted run's.
    @Test func aResumedRunKeepsTheSameMetricsBytes() throws {
        let folder = TestSupport.temporaryDirectory("serlab-svm-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolved = try ConfigLoader.resolve(nil, overrides: Self.grid + ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=4",
                                                                             "protocol.kind=leaveOneSpeakerOut", "output.bootstrapResamples=100"])
        func runner(_ results: String, failOnFold: Int?) -> ExperimentRunner {
            var options = Self.options(folder)
            options.resultsDirectory = folder.appendingPathComponent(results)
            let components = ExperimentComponents(dataset: { _ in SyntheticDatasetSource() }, features: { _, _, _, _ in TestFeatureProvider() },
                                                  backend: FailingSVM(failOnFold: failOnFold))
            return ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options, components: components, progress: SilentProgress())
        }
        let whole = try runner("whole", failOnFold: nil).run()
        #expect(throws: CentroidBackend.Killed.self) { _ = try runner("resumed", failOnFold: 2).run() }
        let resumed = try runner("resumed", failOnFold: nil).run()
        #expect(resumed.resumedFolds == 2)
        let expected = try String(contentsOf: whole.directory.appendingPathComponent("metrics.json"), encoding: .utf8)
        #expect(try String(contentsOf: resumed.directory.appendingPathComponent("metrics.json"), encoding: .utf8) == expected)
        #expect(expected.contains("\"modelSelection\""))
    }

    @Test func trainRefusesAnSVMConfig() throws {
        let folder = TestSupport.temporaryDirectory("serlab-svm-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolved = try ConfigLoader.resolve(nil, overrides: ["model.type=svm", "name=svm_bundle"])
        let runner = ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: Self.options(folder),
                                      components: .test(), progress: SilentProgress())
        #expect(throws: WholeCorpusTrainingError.modelNotBundleable(config: "svm_bundle", model: "svm")) {
            _ = try WholeCorpusTrainer(runner: runner).train(epochs: .fixed(1))
        }
    }
}
