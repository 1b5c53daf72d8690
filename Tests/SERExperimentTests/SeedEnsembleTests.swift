import Foundation
import SERFeatures
import SERNet
import Testing
@testable import SERExperiment

/// `training.ensemble`: NetworkBackend trains that many networks on one fold and predicts the mean of
/// their probabilities; member 0 is the network a single-model run trains.
@Suite struct SeedEnsembleTests {
    /// Two noisy 4-D clusters per class, 3 classes, from a fixed LCG.
    static func set(count: Int, seed: UInt64) -> LabeledFeatures {
        var state = seed
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        var features: [FeatureMatrix] = [], labels: [Int] = []
        for index in 0..<count {
            let label = index % 3
            let values = (0..<4).map { column in (column == label ? 1.5 : 0) + 2 * uniform() }
            features.append(FeatureMatrix(frameCount: 1, columnNames: ["a", "b", "c", "d"], values: values))
            labels.append(label)
        }
        return LabeledFeatures(features: features, labels: labels)
    }

    static func request(ensemble: Int) -> FoldTrainingRequest {
        var spec = MLPSpec()
        spec.hiddenSizes = [8]
        var training = TrainingOptions()
        training.epochs = 4
        training.threads = 1
        training.ensemble = ensemble
        return FoldTrainingRequest(train: set(count: 60, seed: 1), validation: set(count: 30, seed: 2), labels: ["x", "y", "z"], seed: 7,
                                   foldIndex: 0, stream: "fold-0", model: .network(.mlp(spec)), training: training, threads: 1,
                                   onEpoch: { _ in })
    }

    @Test func anEnsemblePredictsTheMeanOfItsMembers() throws {
        let single = try NetworkBackend().train(SeedEnsembleTests.request(ensemble: 1))
        let ensemble = try NetworkBackend().train(SeedEnsembleTests.request(ensemble: 3))
        #expect(single.models.count == 1 && single.modelSelection == nil)
        try #require(ensemble.models.count == 3)
        // Member 0 is the single run's network; the others start from other seeds.
        #expect(ensemble.models[0].parameters.map(\.value) == single.models[0].parameters.map(\.value))
        #expect(ensemble.models[1].parameters.map(\.value) != ensemble.models[0].parameters.map(\.value))
        #expect(ensemble.models[2].parameters.map(\.value) != ensemble.models[1].parameters.map(\.value))

        let test = SeedEnsembleTests.set(count: 12, seed: 3).features
        let data = SequenceDataset(featureCount: 4, sequences: test.map(\.values), labels: [Int](repeating: 0, count: test.count))
        let members = ensemble.models.map { $0.predictProbabilities(data) }
        let predicted = try ensemble.predict(test)
        for row in test.indices {
            for column in 0..<3 {
                let mean = members.reduce(0.0) { $0 + Double($1[row][column]) } / 3
                #expect(abs(predicted[row][column] - mean) < 1e-12)
            }
        }
        #expect(try single.predict(test) == members[0].map { $0.map(Double.init) })
        #expect(ensemble.modelSelection?["members"] == 3)
        let uar = try #require(ensemble.modelSelection?["validationUAR"])
        #expect(uar >= 0 && uar <= 1)
    }

    @Test func theEnsembleSizeIsChecked() throws {
        let json = #"{"ensemble": 0}"#
        #expect(throws: ModelSpecError.self) { try JSONDecoder().decode(TrainingOptions.self, from: Data(json.utf8)) }
    }
}
