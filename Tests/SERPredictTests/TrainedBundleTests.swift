import Foundation
import SERCore
import SERExperiment
import SERHDF5
import SERTestSupport
import Testing
@testable import SERPredict

/// `serlab train`'s bundles: a model fitted on the whole corpus (real SAVEE audio: three emotions,
/// 180 utterances, four speakers), written, read back, and predicting through `Predictor`.
@Suite(.realCorpora, .serialized) struct TrainedBundleTests {
    static let cache = TestSupport.temporaryDirectory("serpredict-train-cache")

    static func train(epochs: Int, ensemble: Int = 1) throws -> (ModelBundle, WholeCorpusModel) {
        let savee = try TestSupport.corpus("savee")
        let resolved = try ConfigLoader.resolve(nil, overrides: [
            "name=train_savee", "dataset.corpus=savee", "dataset.root=\(savee.path)", "dataset.labels=[\"angry\",\"happy\",\"sad\"]",
            "features.sampleRate=16000", "features.level=utterance", "features.mfccCount=20", "features.fftLength=512", "features.hopLength=160",
            "features.functionals=[\"mean\",\"std\"]", "normalization=speaker",
            "model.hiddenSizes=[64]", "training.learningRate=0.003", "training.threads=2", "training.ensemble=\(ensemble)",
        ])
        var options = RunOptions()
        options.cacheDirectory = cache
        let runner = ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options,
                                      components: .standard(corporaRoot: TestSupport.corporaRoot), progress: SilentProgress())
        let trained = try WholeCorpusTrainer(runner: runner).train(epochs: .fixed(epochs))
        return (ModelBundle(trained: trained, config: resolved.config, resolvedConfig: resolved.json, configName: "train_savee.json"), trained)
    }

    /// A seed ensemble (`training.ensemble`) travels whole: every member is in the bundle, read back
    /// with its own weights, and the bundle predicts the mean of their probabilities.
    @Test func anEnsembleBundleHoldsEveryMember() throws {
        let folder = TestSupport.temporaryDirectory("serpredict-train-ensemble")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (bundle, trained) = try Self.train(epochs: 3, ensemble: 3)
        let url = folder.appendingPathComponent("savee.serlab")
        try bundle.write(to: url)
        let read = try ModelBundle.read(url)
        try #require(read.members.count == 3)
        for (member, model) in zip(read.members, trained.models) {
            #expect(member.model.parameters.map(\.value) == model.parameters.map(\.value))
        }
        #expect(read.members[1].model.parameters.map(\.value) != read.members[0].model.parameters.map(\.value))
        let items = Array(trained.dataset.items.prefix(6))
        let all = try Predictor(bundle: read, threads: 1).predict(urls: items.map(\.url)).map { try $0.get().probabilities }
        let single = try (0..<3).map { index in
            var one = read
            one.members = [read.members[index]]
            return try Predictor(bundle: one, threads: 1).predict(urls: items.map(\.url)).map { try $0.get().probabilities }
        }
        for (row, probabilities) in all.enumerated() {
            for (column, value) in probabilities.enumerated() {
                let mean = single.reduce(0.0) { $0 + $1[row][column] } / 3
                #expect(abs(value - mean) < 1e-9)
            }
        }
    }

    /// Share of `results` whose label is the utterance's own.
    static func accuracy(_ results: [Result<Prediction, any Error>], truth: [String]) throws -> Double {
        let labels = try results.map { try $0.get().label }
        return Double(zip(labels, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }

    @Test func trainedBundleIsReadableAndPredictsItsTrainingData() throws {
        let folder = TestSupport.temporaryDirectory("serpredict-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (bundle, trained) = try Self.train(epochs: 20)
        let url = folder.appendingPathComponent("savee.serlab")
        try bundle.write(to: url)
        let read = try ModelBundle.read(url)
        #expect(read.labels == ["angry", "happy", "sad"])
        #expect(read.members.count == 1)
        #expect(read.normalization == .speaker)
        #expect(read.dataFingerprint == trained.dataFingerprint)
        #expect(read.dataFingerprint.count == 64)
        #expect(read.provenance == "train of train_savee.json on all 180 utterances of savee: 20 epochs, given on the command line")
        #expect(read.members[0].normalizer.global?.mean == trained.normalizer.global?.mean)
        #expect(read.members[0].model.parameters.map(\.value) == trained.model.parameters.map(\.value))

        // Grouped by speaker, each speaker is normalised with the statistics of its own recordings,
        // which are here exactly the training statistics.
        let items = trained.dataset.items
        let predictor = try Predictor(bundle: read, threads: 2)
        let grouped = try Self.accuracy(predictor.predict(urls: items.map(\.url), speakers: items.map(\.speaker)), truth: items.map(\.label))
        // Measured 0.994 (20 epochs); an untrained model, or one fed unnormalised features, gives about 1/3.
        #expect(grouped > 0.95, "accuracy on the training files, grouped by speaker: \(grouped)")
    }

    /// Same config, seed and threads: the two bundles' weights are the same bytes.
    @Test func sameConfigGivesIdenticalWeights() throws {
        let folder = TestSupport.temporaryDirectory("serpredict-train-repro")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.serlab"), second = folder.appendingPathComponent("b.serlab")
        try Self.train(epochs: 5).0.write(to: first)
        try Self.train(epochs: 5).0.write(to: second)
        let (a, b) = (try ModelBundle.read(first), try ModelBundle.read(second))
        #expect(a.members[0].model.parameters.map(\.value) == b.members[0].model.parameters.map(\.value))
        func storedHash(_ url: URL) throws -> String {
            let file = try HDF5File.openSealed(url)
            defer { try? file.close() }
            return try file.root.openGroup("members/0/parameters").stringAttribute("sha256")
        }
        #expect(try storedHash(first) == storedHash(second))
    }
}
