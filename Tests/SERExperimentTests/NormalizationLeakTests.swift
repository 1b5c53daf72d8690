import Foundation
import SERCore
import SERFeatures
import SERNet
import Testing
import SERTestSupport
@testable import SERExperiment

/// The runner keeps the test part out of training: with a real network (SERNet MLP through
/// `NetworkBackend`), changing the test part's labels leaves every test prediction unchanged, and
/// changing the test part's features leaves every training and validation input unchanged (so global
/// statistics are fitted on the training part only). One fold (test speaker spk00 of 4 synthetic speakers).
@Suite(.serialized) struct NormalizationLeakTests {
    static let testSpeaker = "spk00"

    /// The synthetic corpus; with `relabelTestSpeaker`, every utterance of the test speaker gets the next
    /// label in the label order (each label's count is unchanged, every test label is wrong).
    struct RelabellingSource: DatasetSource {
        var relabelTestSpeaker: Bool

        func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
            var loaded = try SyntheticDatasetSource().load(dataset, cacheDirectory: cacheDirectory)
            guard relabelTestSpeaker else { return loaded }
            let labels = loaded.labels
            for index in loaded.items.indices where loaded.items[index].speaker == NormalizationLeakTests.testSpeaker {
                let position = labels.firstIndex(of: loaded.items[index].label)!
                loaded.items[index].label = labels[(position + 1) % labels.count]
            }
            return loaded
        }
    }

    /// TestFeatureProvider's features; with `distortTestSpeaker`, the test speaker's values become 5x + 40.
    struct DistortingProvider: FeatureProvider {
        var distortTestSpeaker: Bool

        func features(for urls: [URL], progress: @escaping @Sendable (Int, Int) -> Void) throws -> [FeatureMatrix] {
            let matrices = try TestFeatureProvider().features(for: urls, progress: progress)
            guard distortTestSpeaker else { return matrices }
            return zip(urls, matrices).map { url, matrix in
                guard url.path.contains("/\(NormalizationLeakTests.testSpeaker)/") else { return matrix }
                var distorted = matrix
                distorted.values = matrix.values.map { 5 * $0 + 40 }
                return distorted
            }
        }
    }

    /// What the backend was given to train and validate on.
    final class Inputs: @unchecked Sendable {
        var train: [FeatureMatrix] = []
        var validation: [FeatureMatrix] = []
    }

    /// NetworkBackend, recording its inputs.
    struct RecordingBackend: ModelBackend {
        let inputs: Inputs
        func modelName(_ model: ModelChoice) -> String { NetworkBackend().modelName(model) }
        func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
            inputs.train = request.train.features
            inputs.validation = request.validation.features
            return try NetworkBackend().train(request)
        }
    }

    struct Outcome {
        /// predictions.csv rows without the true-label column: path, fold, speaker, predicted, probabilities.
        var predictions: [[String]]
        var trueLabels: [String]
        var inputs: Inputs
    }

    static func run(normalization: String, relabel: Bool = false, distort: Bool = false) throws -> Outcome {
        let folder = TestSupport.temporaryDirectory("serlab-normalization-leak")
        defer { try? FileManager.default.removeItem(at: folder) }
        let overrides = ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=4", "training.epochs=4", "training.threads=1",
                         "model.type=mlp", "normalization=\(normalization)", "protocol.kind=testSpeakers",
                         "protocol.testSpeakers=[[\"\(testSpeaker)\"]]", "output.bootstrapResamples=100"]
        let resolved = try ConfigLoader.resolve(nil, overrides: overrides)
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.hashData = false
        let inputs = Inputs()
        let components = ExperimentComponents(dataset: { _ in RelabellingSource(relabelTestSpeaker: relabel) },
                                              features: { _, _, _, _ in DistortingProvider(distortTestSpeaker: distort) },
                                              backend: RecordingBackend(inputs: inputs))
        let summary = try ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options, components: components,
                                           progress: SilentProgress()).run()
        let rows = CSV.parse(try String(contentsOf: summary.directory.appendingPathComponent("predictions.csv"), encoding: .utf8))
        let trueColumn = try #require(rows.first?.firstIndex(of: "true"))
        return Outcome(predictions: rows.map { row in row.enumerated().filter { $0.offset != trueColumn }.map(\.element) },
                       trueLabels: rows.dropFirst().map { $0[trueColumn] }, inputs: inputs)
    }

    @Test(arguments: ["global", "speaker"])
    func testLabelsDoNotChangeTestPredictions(normalization: String) throws {
        let original = try Self.run(normalization: normalization)
        let relabelled = try Self.run(normalization: normalization, relabel: true)
        #expect(original.predictions.count == 1 + 16, "the test speaker's 16 utterances")
        #expect(zip(original.trueLabels, relabelled.trueLabels).allSatisfy { $0 != $1 }, "every test label was changed")
        #expect(relabelled.predictions == original.predictions, "test predictions moved when only the test labels changed")
        #expect(relabelled.inputs.train == original.inputs.train && relabelled.inputs.validation == original.inputs.validation)
    }

    /// Global statistics come from the training part only: distorting the test speaker's features changes
    /// nothing the network trains or validates on, and the normalised training part has mean 0 and
    /// standard deviation 1 in every column (the validation part, normalised with the same statistics, does not).
    @Test func globalStatisticsComeFromTheTrainingPartOnly() throws {
        let original = try Self.run(normalization: "global")
        let distorted = try Self.run(normalization: "global", distort: true)
        #expect(!original.inputs.train.isEmpty && !original.inputs.validation.isEmpty)
        #expect(distorted.inputs.train == original.inputs.train, "training inputs depend on the test part's features")
        #expect(distorted.inputs.validation == original.inputs.validation, "validation inputs depend on the test part's features")
        #expect(distorted.predictions != original.predictions, "the distortion reached the test part")

        func moments(_ matrices: [FeatureMatrix]) -> (mean: [Double], std: [Double]) {
            let columns = matrices[0].columnCount
            var sum = [Double](repeating: 0, count: columns), squares = sum, rows = 0.0
            for matrix in matrices {
                for row in 0..<matrix.frameCount {
                    for column in 0..<columns {
                        let value = Double(matrix.values[row * columns + column])
                        sum[column] += value
                        squares[column] += value * value
                    }
                }
                rows += Double(matrix.frameCount)
            }
            let mean = sum.map { $0 / rows }
            return (mean, zip(squares, mean).map { ($0 / rows - $1 * $1).squareRoot() })
        }
        let train = moments(original.inputs.train), validation = moments(original.inputs.validation)
        for column in train.mean.indices {
            #expect(abs(train.mean[column]) < 1e-4 && abs(train.std[column] - 1) < 1e-3, "training column \(column): mean \(train.mean[column]), std \(train.std[column])")
        }
        let validationIsStandard = validation.mean.indices.allSatisfy { abs(validation.mean[$0]) < 1e-4 && abs(validation.std[$0] - 1) < 1e-3 }
        #expect(!validationIsStandard, "the validation part is standard too: statistics fitted on more than the training part?")
    }
}
