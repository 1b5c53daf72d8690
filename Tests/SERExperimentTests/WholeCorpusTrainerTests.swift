import Foundation
import SERCore
import SERNet
import SERResults
import Testing
import SERTestSupport
@testable import SERExperiment

/// `serlab train`'s training side on real SAVEE audio (three emotions, 180 utterances, four speakers).
@Suite(.serialized) struct WholeCorpusTrainerTests {
    static let overrides = [
        "name=train_savee", "dataset.corpus=savee", "dataset.labels=[\"angry\",\"happy\",\"sad\"]",
        "features.sampleRate=16000", "features.level=utterance", "features.mfccCount=20", "features.fftLength=512", "features.hopLength=160",
        "features.functionals=[\"mean\",\"std\"]", "normalization=speaker",
        "model.hiddenSizes=[64]", "training.epochs=30", "training.patience=5", "training.learningRate=0.003", "training.threads=2", "output.bootstrapResamples=100",
    ]

    func runner(_ extra: [String] = [], folder: URL) throws -> ExperimentRunner {
        let savee = try TestSupport.corpus("savee")
        let resolved = try ConfigLoader.resolve(nil, overrides: Self.overrides + ["dataset.root=\(savee.path)"] + extra)
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.hashData = false
        return ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options,
                                components: .standard(corporaRoot: TestSupport.corporaRoot), progress: SilentProgress())
    }

    /// Accuracy of `trained` on the utterances it was trained on, through the runner's own feature path.
    func trainingAccuracy(_ trained: WholeCorpusModel, runner: ExperimentRunner) throws -> Double {
        let (features, _) = try runner.extractFeatures(trained.dataset)
        let items = trained.dataset.items
        let data = SequenceDataset(featureCount: features[0].columnCount,
                                   sequences: zip(features, items).map { trained.normalizer.apply($0, speaker: $1.speaker).values },
                                   labels: items.map { trained.labels.firstIndex(of: $0.label)! })
        let probabilities = trained.model.predictProbabilities(data)
        let hits = zip(probabilities, data.labels).filter { row, label in row.indices.max { row[$0] < row[$1] } == label }.count
        return Double(hits) / Double(items.count)
    }

    /// Without --from-run: a speaker-disjoint validation part (SAVEE has 4 speakers), early stopping,
    /// then the kept epoch count on everything; the model fits its training data; the same config,
    /// seed and threads give the same weights bit for bit.
    @Test(.realCorpora) func validationSplitChoosesTheEpochsAndTrainingIsReproducible() throws {
        let folder = TestSupport.temporaryDirectory("serlab-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = try runner(folder: folder)
        let trained = try WholeCorpusTrainer(runner: runner).train(epochs: .validationSplit)
        let choice = trained.epochChoice
        #expect(choice.method == "validationSplit")
        #expect(choice.validationKind == "speaker")
        #expect(choice.validationSpeakers?.count == 1)
        #expect(choice.trainCount! + choice.validationCount! == 180)
        #expect((1...30).contains(choice.epochs))
        #expect(trained.curve.count == choice.epochs, "the whole-corpus training runs exactly the chosen epochs")
        #expect(trained.curve.allSatisfy { $0.validationUAR.isNaN }, "no validation part in the whole-corpus training")
        #expect(trained.dataset.items.count == 180)
        #expect(Set(trained.dataset.items.map(\.speaker)) == ["DC", "JE", "JK", "KL"])
        // Every speaker has its own statistics in the stored normaliser (fitted on everything).
        #expect(trained.normalizer.json["speakers"]?.objectPairs?.map(\.key) == ["DC", "JE", "JK", "KL"])
        let accuracy = try trainingAccuracy(trained, runner: runner)
        // Measured 1.0 (29 epochs kept, validation UAR 0.84); a model that did not train, or a wrong
        // normaliser, gives about 1/3.
        #expect(accuracy > 0.95, "training accuracy \(accuracy)")

        let again = try WholeCorpusTrainer(runner: runner).train(epochs: .validationSplit)
        #expect(again.epochChoice == choice)
        #expect(again.model.parameters.map(\.value) == trained.model.parameters.map(\.value))
    }

    /// --from-run: the median epochKept over a finished run's folds, trained exactly, no early stopping.
    @Test(.realCorpora) func fromRunTrainsTheMedianKeptEpoch() throws {
        let folder = TestSupport.temporaryDirectory("serlab-train-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = try runner(["protocol.kind=leaveOneSpeakerOut"], folder: folder)
        let run = try runner.run().directory
        let metrics = try ResultsFile.read(RunMetrics.self, from: run.appendingPathComponent("metrics.json"))
        let kept = metrics.folds.map { $0.epochKept! }
        #expect(kept.count == 4)
        let sorted = kept.sorted()
        let median = (sorted[1] + sorted[2] + 1) / 2

        // training.epochs and output differ from the run's config: they do not change what a fold learns.
        let other = try self.runner(["protocol.kind=leaveOneSpeakerOut", "training.epochs=40", "output.bootstrapResamples=500"], folder: folder)
        let trained = try WholeCorpusTrainer(runner: other).train(epochs: .crossValidationRun(run))
        #expect(trained.epochChoice.method == "crossValidationRun")
        #expect(trained.epochChoice.foldEpochsKept == kept)
        #expect(trained.epochChoice.epochs == median)
        #expect(trained.curve.count == median)
        #expect(trained.epochChoice.run == "train_savee/" + run.lastPathComponent)
        #expect(trained.epochChoice.summary.hasPrefix("\(median) epochs, the median of the epochs kept by the 4 folds of the cross-validation run train_savee/"))

        // A config that changes what is learnt is refused, naming the key and both values.
        let mismatched = try self.runner(["protocol.kind=leaveOneSpeakerOut", "training.patience=6"], folder: folder)
        #expect(throws: RunEpochsError.configMismatch(path: run.path, differences: ["training.patience is 5 in the run, 6 here"])) {
            try WholeCorpusTrainer(runner: mismatched).train(epochs: .crossValidationRun(run))
        }
        let otherModel = try self.runner(["protocol.kind=leaveOneSpeakerOut", "model.hiddenSizes=[32]"], folder: folder)
        do {
            _ = try WholeCorpusTrainer(runner: otherModel).train(epochs: .crossValidationRun(run))
            Issue.record("a run of another model was accepted")
        } catch let error as RunEpochsError {
            #expect(error.localizedDescription.contains("model.hiddenSizes is [64] in the run, [32] here"), "\(error.localizedDescription)")
        }

        // A run without finished folds (killed before metrics.json), and a folder that is no run.
        try FileManager.default.removeItem(at: run.appendingPathComponent("metrics.json"))
        try FileManager.default.removeItem(at: run.appendingPathComponent("folds"))
        #expect(throws: RunEpochsError.self) { try WholeCorpusTrainer(runner: runner).train(epochs: .crossValidationRun(run)) }
        do {
            _ = try RunEpochs.read(run: run, resolvedConfig: runner.resolvedConfig)
        } catch let error as RunEpochsError {
            guard case .noFolds = error else { Issue.record("expected noFolds, got \(error)"); return }
            #expect(error.localizedDescription.contains("found no metrics.json"))
        }
        #expect(throws: RunEpochsError.notARun(path: folder.path, reason: "found no readable config.resolved.json in it")) {
            try RunEpochs.read(run: folder, resolvedConfig: runner.resolvedConfig)
        }
    }

    /// A finished run whose metrics.json lists no fold epochs (hand-made or older folders).
    @Test func runWithoutFoldEpochsIsRefused() throws {
        let folder = TestSupport.temporaryDirectory("serlab-train-nofolds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try ConfigLoader.resolve(nil, overrides: ["training.epochs=3"])
        try (config.json.prettyPrinted() + "\n").write(to: folder.appendingPathComponent("config.resolved.json"), atomically: true, encoding: .utf8)
        let metrics = RunMetrics(name: "synthetic_default", corpus: "synthetic", model: "mlp", labels: ["a", "b"],
                                 protocol: .init(kind: "stratifiedKFold", folds: 0, foldsHash: nil), speakerOverlap: false, syntheticData: true,
                                 note: nil, folds: [], mean: .init(accuracy: 0, uar: 0, macroF1: 0), std: .init(accuracy: 0, uar: 0, macroF1: 0),
                                 pooled: .init(accuracy: 0, uar: 0, macroF1: 0), confidence95: .init(accuracy: nil, uar: nil, method: nil))
        try ResultsFile.jsonText(metrics).write(to: folder.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        #expect(throws: RunEpochsError.noFolds(path: folder.path, reason: "found 0 folds in metrics.json, none with an epochKept")) {
            try RunEpochs.read(run: folder, resolvedConfig: config.json)
        }
    }

    @Test(arguments: [([4], 4), ([3, 9, 5], 5), ([3, 7, 5, 9], 6), ([1, 2], 2), ([10, 10, 2, 2], 6)])
    func medianOfKeptEpochs(kept: [Int], median: Int) {
        #expect(RunEpochs(run: URL(fileURLWithPath: "/r"), foldEpochsKept: kept, dataFingerprint: nil).median == median)
    }
}
