import Foundation
import SERCore
import Testing
@testable import SERNet

@Suite("Training on real MFCC-like sequences", .serialized)
struct TrainingTests {
    static let specs: [String] = [
        #"{"type": "mlp", "hiddenSizes": [64, 32], "dropout": 0}"#,
        #"{"type": "cnn", "dimensions": 1, "channels": [32, 64], "kernelSize": 5, "dropout": 0}"#,
        #"{"type": "cnn", "dimensions": 2, "channels": [8, 16], "kernelSize": 3, "dropout": 0}"#,
        #"{"type": "lstm", "hiddenSize": 32, "layerCount": 2, "dropout": 0}"#,
        #"{"type": "lstm", "hiddenSize": 24, "layerCount": 1, "bidirectional": true, "pooling": "attention", "dropout": 0, "frontEnd": {"channels": [16], "kernelSize": 3}}"#,
    ]

    /// Each model reaches 100% accuracy (inference mode) on a batch of 16 real sequences.
    @Test(.realCorpora, arguments: specs)
    func overfitsASmallBatch(json: String) throws {
        let data = try RealFeatures.dataset()
        let model = try Model(spec: JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8)), inputSize: data.featureCount,
                              classCount: RealFeatures.emotions.count, seed: 11)
        model.inputNormalization = InputNormalization.fit(data)
        model.learningRate = 3e-3
        let (batch, lengths) = data.batch(Array(0..<data.count))
        #expect(Set(lengths ?? []).count > 4, "sequences should have varied lengths")
        var accuracy = 0.0
        var step = 0
        while step < 400 && accuracy < 1 {
            model.trainStep(batch: batch, labels: data.labels, lengths: lengths)
            step += 1
            if step % 10 == 0 {
                accuracy = Trainer(model: model).evaluate(data).accuracy
            }
        }
        #expect(accuracy == 1, "\(model.spec.typeName) reached \(accuracy) after \(step) steps")
    }

    /// One thread, fixed seeds: two trainings (shuffling, dropout, batch norm) give bit-identical weights.
    @Test(.realCorpora, arguments: [
        #"{"type": "lstm", "hiddenSize": 16, "layerCount": 2, "bidirectional": true, "dropout": 0.3, "pooling": "attention"}"#,
        #"{"type": "cnn", "dimensions": 1, "channels": [16, 32], "dropout": 0.3}"#,
    ])
    func trainingIsDeterministic(json: String) throws {
        let data = try RealFeatures.dataset()
        var options = TrainingOptions()
        options.epochs = 3
        options.batchSize = 5
        options.threads = 1
        options.seed = 5
        options.schedule.kind = .cosine
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
        func train(seed: UInt64) throws -> ([[Float]], TrainingResult) {
            let model = try Model(spec: spec, inputSize: data.featureCount, classCount: 4, seed: seed)
            model.inputNormalization = InputNormalization.fit(data)
            let result = try Trainer(model: model).fit(train: data, validation: data, options: options)
            return (model.parameters.map(\.value), result)
        }
        let (first, firstResult) = try train(seed: 1)
        let (second, secondResult) = try train(seed: 1)
        let (other, _) = try train(seed: 2)
        #expect(first == second)
        #expect(firstResult == secondResult)
        #expect(first != other)
    }

    /// An LSTM (seed 3) trained on the real sequences and validated on them: at most 12 epochs, batches of 8,
    /// patience 3, one thread; `adjust` sets the rest.
    func fitWithPatience(_ adjust: (inout TrainingOptions) -> Void) throws -> (model: Model, data: SequenceDataset, result: TrainingResult) {
        let data = try RealFeatures.dataset()
        let model = try Model(spec: .lstm(LSTMSpec()), inputSize: data.featureCount, classCount: 4, seed: 3)
        model.inputNormalization = InputNormalization.fit(data)
        var options = TrainingOptions()
        options.epochs = 12
        options.batchSize = 8
        options.patience = 3
        options.threads = 1
        adjust(&options)
        return (model, data, try Trainer(model: model).fit(train: data, validation: data, options: options))
    }

    /// Early stopping keeps the best epoch's weights: evaluating after fit reproduces the best epoch's UAR.
    @Test(.realCorpora) func keepsTheBestEpoch() throws {
        let (model, data, result) = try fitWithPatience { options in
            options.learningRate = 3e-2   // deliberately unstable, so later epochs can be worse
            options.schedule = LearningRateSchedule(kind: .step)
            options.schedule.stepSize = 4
        }
        let best = try #require(result.curve.first { $0.epoch == result.bestEpoch })
        #expect(best.validationUAR == result.curve.compactMap(\.validationUAR).max())
        #expect(Trainer(model: model).evaluate(data).uar == result.bestValidationUAR)
        // Training ends 3 epochs (the patience) after the best one, or at epoch 12, whichever comes first.
        #expect(result.curve.count == min(12, result.bestEpoch + 3), "best epoch \(result.bestEpoch), \(result.curve.count) epochs")
        #expect(result.stoppedEarly == (result.curve.count < 12))
        #expect(result.curve.map(\.learningRate).prefix(5) == [0.03, 0.03, 0.03, 0.03, 0.015].map { Double(Float($0)) }.prefix(min(5, result.curve.count)))
    }

    /// Patience runs out for certain: a learning rate too small to move any float32 weight (and an LSTM, which
    /// has no batch statistics) leaves validation UAR and loss unchanged after epoch 1, which never counts
    /// as an improvement, so training stops after 1 + patience epochs and keeps epoch 1.
    @Test(.realCorpora) func stopsWhenPatienceRunsOut() throws {
        let (_, _, result) = try fitWithPatience { $0.learningRate = 1e-30 }
        #expect(result.stoppedEarly)
        #expect(result.curve.count == 4, "\(result.curve.map { ($0.epoch, $0.validationUAR ?? -1, $0.validationLoss ?? -1) })")
        #expect(result.bestEpoch == 1)
    }

    @Test func equalValidationUARIsBrokenByLowerLoss() {
        #expect(Trainer.improves(uar: 0.5, loss: 9, over: nil))
        #expect(Trainer.improves(uar: 0.6, loss: 2.0, over: (0.5, 1.0)))
        #expect(!Trainer.improves(uar: 0.4, loss: 0.1, over: (0.5, 1.0)))
        #expect(Trainer.improves(uar: 1.0, loss: 0.2, over: (1.0, 0.3)))
        #expect(!Trainer.improves(uar: 1.0, loss: 0.3, over: (1.0, 0.3)))
        #expect(!Trainer.improves(uar: 1.0, loss: 0.4, over: (1.0, 0.3)))
    }
}
