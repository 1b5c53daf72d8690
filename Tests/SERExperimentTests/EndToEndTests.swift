import Foundation
import SERCore
import Testing
import SERTestSupport
@testable import SERExperiment

/// The real pipeline (SERCorpus, SERCache, SERNet) end to end.
@Suite(.serialized) struct EndToEndTests {
    func runner(_ overrides: [String], folder: URL, config url: URL? = nil) throws -> ExperimentRunner {
        let resolved = try ConfigLoader.resolve(url.map(ConfigFile.read), overrides: overrides)
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        return ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options,
                                components: .standard(corporaRoot: TestSupport.corporaRoot), progress: SilentProgress())
    }

    /// SAVEE (real audio from $SERLAB_CORPORA), the leave-one-speaker-out folds file, a small MLP.
    @Test(.realCorpora) func smallRealExperimentWritesACompleteResultsFolder() throws {
        let savee = try TestSupport.corpus("savee")
        let folder = TestSupport.temporaryDirectory("serlab-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let foldsFile = TestSupport.foldsRoot.appendingPathComponent("savee_loso.csv").path
        let run = try runner([
            "name=e2e_savee", "dataset.corpus=savee", "dataset.root=\(savee.path)",
            "features.sampleRate=16000", "features.level=utterance", "features.mfccCount=20", "features.fftLength=512", "features.hopLength=160",
            "features.functionals=[\"mean\",\"std\"]", "normalization=speaker",
            "model.hiddenSizes=[64]", "training.epochs=8", "training.patience=null",
            "protocol.kind=foldsFile", "protocol.foldsFile=\(foldsFile)", "output.bootstrapResamples=200", "output.saveModels=true",
        ], folder: folder).run()

        let directory = run.directory
        for file in ["config.resolved.json", "environment.json", "predictions.csv", "metrics.json", "metrics.csv", "timings.json",
                     "confusion.csv", "confusion.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "missing \(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("SYNTHETIC_DATA.txt").path))
        let metrics = try JSONParser.parse(Data(contentsOf: directory.appendingPathComponent("metrics.json")), source: "metrics.json")
        #expect(metrics["corpus"] == .string("savee"))
        #expect(metrics["model"] == .string("mlp"))
        #expect(metrics["syntheticData"] == .bool(false))
        #expect(metrics["speakerOverlap"] == .bool(false))
        #expect(metrics["labels"] == .array(["neutral", "happy", "sad", "angry", "fear", "disgust", "surprise"].map { .string($0) }))
        guard case .array(let folds)? = metrics["folds"] else { Issue.record("no folds"); return }
        #expect(folds.count == 4)
        // Each fold tests exactly one SAVEE speaker, 120 utterances, and kept an epoch it trained.
        var testedSpeakers: Set<String> = []
        for fold in folds {
            guard case .array(let speakers)? = fold["testSpeakers"], speakers.count == 1, case .string(let speaker) = speakers[0] else {
                Issue.record("fold without one test speaker: \(fold.compact)"); continue
            }
            testedSpeakers.insert(speaker)
            #expect(fold["testCount"] == .integer(120))
            guard case .integer(let kept)? = fold["epochKept"] else { Issue.record("no epochKept"); continue }
            #expect((1...8).contains(kept))
        }
        #expect(testedSpeakers == ["DC", "JE", "JK", "KL"])
        let predictions = CSV.parse(try String(contentsOf: directory.appendingPathComponent("predictions.csv"), encoding: .utf8))
        #expect(predictions.count == 481)
        #expect(Set(predictions.dropFirst().map { $0[0] }).count == 480)
        for row in predictions.dropFirst().prefix(20) {
            let sum = row[5...].compactMap(Double.init).reduce(0, +)
            #expect(abs(sum - 1) < 1e-4, "probabilities of \(row[0]) sum to \(sum)")
        }
        // Better than chance (1/7) on unseen speakers.
        guard case .number(let uar)? = metrics["mean"]?["uar"] else { Issue.record("no mean UAR"); return }
        #expect(uar > 0.25, "mean UAR \(uar)")
        let environment = try JSONParser.parse(Data(contentsOf: directory.appendingPathComponent("environment.json")), source: "environment.json")
        #expect(environment["data"]?["fileCount"] == .integer(480))
        guard case .array(let files)? = environment["data"]?["files"], case .string(let hash)? = files.first?["sha256"] else {
            Issue.record("no file hashes"); return
        }
        #expect(hash.count == 64)
        for fold in 0..<4 {
            for file in ["model.h5", "normalization.json", "done"] {
                #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("folds/fold-\(fold)/\(file)").path), "fold \(fold) lacks \(file)")
            }
        }
        let curve = try String(contentsOf: directory.appendingPathComponent("folds/fold-0/curve.csv"), encoding: .utf8)
        #expect(curve.split(separator: "\n").count == 9, "header + 8 epochs")
    }

    /// Same config, seed and threads: byte-identical metrics.json with real features and real training.
    @Test func realPipelineIsReproducible() throws {
        let folder = TestSupport.temporaryDirectory("serlab-e2e-repro")
        defer { try? FileManager.default.removeItem(at: folder) }
        let overrides = ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=4", "features.sampleRate=16000",
                         "features.hopLength=256", "training.epochs=4", "training.threads=2", "protocol.folds=4", "output.bootstrapResamples=200"]
        var first = try runner(overrides, folder: folder)
        first.options.runID = "a"
        var second = try runner(overrides, folder: folder)
        second.options.runID = "b"
        let a = try Data(contentsOf: first.run().directory.appendingPathComponent("metrics.json"))
        let b = try Data(contentsOf: second.run().directory.appendingPathComponent("metrics.json"))
        #expect(a == b)
        let predictionsA = try Data(contentsOf: folder.appendingPathComponent("results/synthetic_default/a/predictions.csv"))
        let predictionsB = try Data(contentsOf: folder.appendingPathComponent("results/synthetic_default/b/predictions.csv"))
        #expect(predictionsA == predictionsB)
    }
}
