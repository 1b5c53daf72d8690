import Foundation
import SERCore
import SERExperiment
import SERResults
import SERTestSupport
import Testing
@testable import SERPredict

/// The correctness test: a fold model saved by a real cross-validation run, bundled, predicts
/// that fold's test files through `Predictor` with the probabilities the run wrote to predictions.csv.
/// predictions.csv rounds to 6 decimals, so the predictor's probabilities are rounded the same way
/// (`ResultsFile.rounded`) and compared exactly, as are the predicted labels (taken from unrounded values).
@Suite(.realCorpora, .serialized) struct PredictionCorrectnessTests {
    /// SAVEE leave-one-speaker-out (4 folds, 120 test files each), utterance functionals, a small MLP,
    /// few epochs: quick, and every fold's model differs. Both runs share one feature cache.
    static let cache = TestSupport.temporaryDirectory("serpredict-cache")

    static func run(normalization: String, folder: URL, model: [String] = ["features.level=utterance",
        "features.functionals=[\"mean\",\"std\"]", "model.hiddenSizes=[32]"]) throws -> RunSummary {
        let savee = try TestSupport.corpus("savee")
        let resolved = try ConfigLoader.resolve(nil, overrides: [
            "name=predict_\(normalization)", "dataset.corpus=savee", "dataset.root=\(savee.path)",
            "features.sampleRate=16000", "features.mfccCount=13", "features.fftLength=512", "features.hopLength=160",
            "features.features=[\"mfcc\",\"rms\"]", "normalization=\(normalization)",
            "training.epochs=3", "training.patience=null", "training.threads=2",
            "protocol.kind=leaveOneSpeakerOut", "output.bootstrapResamples=100", "output.saveModels=true",
        ] + model)
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = cache
        return try ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options,
                                    components: .standard(corporaRoot: TestSupport.corporaRoot), progress: SilentProgress()).run()
    }

    /// predictions.csv of `summary`'s run, with each row's audio file.
    static func predictions(_ summary: RunSummary) throws -> (labels: [String], rows: [(row: PredictionRow, url: URL)]) {
        let (labels, rows) = try PredictionRow.read(summary.directory.appendingPathComponent("predictions.csv"))
        let urls = Dictionary(uniqueKeysWithValues: summary.dataset.items.map { ($0.path, $0.url) })
        return (labels, try rows.map { ($0, try #require(urls[$0.path])) })
    }

    @Test func bundledFoldPredictsWhatTheRunPredicted() throws {
        let folder = TestSupport.temporaryDirectory("serpredict-correctness")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try Self.run(normalization: "global", folder: folder)
        let (labels, rows) = try Self.predictions(summary)
        let fold = 1
        let bundleURL = folder.appendingPathComponent("fold1.serlab")
        try ModelBundle.fromRun(summary.directory, fold: fold).write(to: bundleURL)
        let bundle = try ModelBundle.read(bundleURL)
        #expect(bundle.labels == labels)
        #expect(bundle.members.count == 1)
        #expect(bundle.provenance.hasSuffix("fold 1"))
        let environment = try ResultsFile.read(RunEnvironment.self, from: summary.directory.appendingPathComponent("environment.json"))
        #expect(bundle.dataFingerprint == environment.data.fingerprint)

        let test = rows.filter { $0.row.fold == fold }
        #expect(test.count == 120)
        let results = try Predictor(bundle: bundle, threads: 2).predict(urls: test.map(\.url))
        var compared = 0
        for ((row, url), result) in zip(test, results) {
            let prediction = try result.get()
            #expect(prediction.probabilities.map(ResultsFile.rounded) == row.probabilities, "\(url.path)")
            #expect(prediction.label == row.predictedLabel, "\(url.path)")
            compared += 1
        }
        #expect(compared == 120)

        // The ensemble of all folds is the mean of the folds' own predictions, exactly (same order of sums).
        let ensemble = try Predictor(bundle: ModelBundle.fromRun(summary.directory), threads: 2)
        #expect(ensemble.bundle.members.count == 4)
        let someFiles = Array(test.prefix(8).map(\.url))
        let perFold = try (0..<4).map { index in
            try Predictor(bundle: ModelBundle.fromRun(summary.directory, fold: index), threads: 2).predict(urls: someFiles).map { try $0.get().probabilities }
        }
        let mixed = try ensemble.predict(urls: someFiles).map { try $0.get().probabilities }
        for (file, probabilities) in mixed.enumerated() {
            var sum = [Double](repeating: 0, count: labels.count)
            for foldRows in perFold { for column in sum.indices { sum[column] += foldRows[file][column] } }
            #expect(probabilities == sum.map { $0 / 4 })
        }
    }

    /// A speaker-normalised run: grouping a fold's test files by speaker (one speaker per fold here)
    /// normalises them with that speaker's own statistics, as the run did, so the probabilities match again.
    @Test func speakerGroupingReproducesSpeakerNormalisedRun() throws {
        let folder = TestSupport.temporaryDirectory("serpredict-speaker")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try Self.run(normalization: "speaker", folder: folder)
        let (_, rows) = try Self.predictions(summary)
        let fold = 2
        let bundle = try ModelBundle.fromRun(summary.directory, fold: fold)
        #expect(bundle.normalization == .speaker)
        let test = rows.filter { $0.row.fold == fold }
        let predictor = try Predictor(bundle: bundle, threads: 2)
        let grouped = predictor.predict(urls: test.map(\.url), speakers: test.map(\.row.speaker))
        for ((row, url), result) in zip(test, grouped) {
            #expect(try result.get().probabilities.map(ResultsFile.rounded) == row.probabilities, "\(url.path)")
        }
        // Without a grouping the training-global statistics are used: other numbers.
        let ungrouped = predictor.predict(urls: test.prefix(5).map(\.url))
        #expect(try ungrouped[0].get().probabilities.map(ResultsFile.rounded) != test[0].row.probabilities)
    }

    /// The sequence models take the frame-level path: cropping (`input.maxFrames`), frame pooling
    /// (`input.poolFrames`), padded batches of unequal lengths, and the CNN's and LSTM's own layers
    /// (batch normalisation, attention pooling, a convolutional front end). A fold's test files predict
    /// what the run wrote for them, as the MLP's do.
    @Test(arguments: [
        ["model={\"type\":\"cnn\",\"dimensions\":1,\"channels\":[8,16],\"kernelSize\":5,\"poolSize\":2}", "input.maxFrames=250"],
        ["model={\"type\":\"lstm\",\"hiddenSize\":16,\"layerCount\":1,\"pooling\":\"attention\",\"frontEnd\":{\"channels\":[8],\"kernelSize\":5}}",
         "input.poolFrames=3"],
    ])
    func sequenceModelFoldPredictsWhatTheRunPredicted(model: [String]) throws {
        let folder = TestSupport.temporaryDirectory("serpredict-sequence")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try Self.run(normalization: "global", folder: folder, model: ["features.level=frame"] + model)
        let (labels, rows) = try Self.predictions(summary)
        let fold = 3
        let bundle = try ModelBundle.fromRun(summary.directory, fold: fold)
        #expect(bundle.labels == labels)
        let test = rows.filter { $0.row.fold == fold }
        #expect(test.count == 120)
        let results = try Predictor(bundle: bundle, threads: 2).predict(urls: test.map(\.url))
        for ((row, url), result) in zip(test, results) {
            let prediction = try result.get()
            #expect(prediction.probabilities.map(ResultsFile.rounded) == row.probabilities, "\(url.path)")
            #expect(prediction.label == row.predictedLabel, "\(url.path)")
        }
    }
}
