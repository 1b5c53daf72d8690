import SERCore
import Testing
@testable import SERNet

/// A deliberately wrong layer: y = 2x but backward claims dy/dx = 3.
final class WrongGradientLayer: Layer {
    func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        var y = input.values
        y.scalars = y.scalars.map { 2 * $0 }
        return Activations(values: y, lengths: input.lengths)
    }
    func backward(_ outputGradient: Tensor) -> Tensor {
        var d = outputGradient
        d.scalars = d.scalars.map { 3 * $0 }
        return d
    }
}

@Suite("Padding and the gradient checker")
struct PaddingTests {
    @Test func checkerFlagsAWrongGradient() {
        let failures = GradientCheck().check(WrongGradientLayer(), input: Activations(values: randomTensor([2, 3], seed: 1)))
        #expect(failures.count >= 4, "\(failures)")
    }

    /// Changing the values in padded frames must not change the logits or any parameter gradient.
    @Test(arguments: [
        #"{"type": "lstm", "hiddenSize": 6, "layerCount": 2, "bidirectional": true, "pooling": "attention", "attentionSize": 4, "dropout": 0.2}"#,
        #"{"type": "lstm", "hiddenSize": 5, "layerCount": 1, "pooling": "last", "frontEnd": {"channels": [4], "kernelSize": 3}}"#,
        #"{"type": "lstm", "hiddenSize": 5, "bidirectional": true, "pooling": "last"}"#,
        #"{"type": "cnn", "dimensions": 1, "channels": [4, 6], "kernelSize": 3}"#,
        #"{"type": "cnn", "dimensions": 2, "channels": [3, 4], "kernelSize": 3}"#,
        #"{"type": "mlp", "hiddenSizes": [8], "normalization": "layer"}"#,
    ])
    func paddingNeverMatters(json: String) throws {
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
        let lengths = [7, 4, 2, 7]
        var padded = randomTensor([4, 7, 5], seed: 21)
        var junk = padded
        for n in 0..<4 {
            for t in lengths[n]..<7 {
                for f in 0..<5 {
                    padded[n, t, f] = 0
                    junk[n, t, f] = Float(n * 100 + t) * (f % 2 == 0 ? 1 : -1) * 1e3
                }
            }
        }
        junk[2, 5, 1] = .nan
        func run(_ batch: Tensor) throws -> (Tensor, [[Float]]) {
            let model = try Model(spec: spec, inputSize: 5, classCount: 3, seed: 4)
            model.zeroGradients()
            let logits = model.forward(batch: batch, lengths: lengths, training: true)
            let (_, gradient) = model.loss.evaluate(logits: logits, labels: [0, 1, 2, 1])
            model.backward(gradient)
            return (logits, model.parameters.filter(\.isTrainable).map(\.gradient))
        }
        let (cleanLogits, cleanGradients) = try run(padded)
        let (junkLogits, junkGradients) = try run(junk)
        #expect(cleanLogits == junkLogits)
        #expect(cleanGradients == junkGradients)
        #expect(cleanLogits.scalars.allSatisfy { $0.isFinite })
    }

    /// The whole LSTM model (bidirectional, attention, CNN front end, batch norm) against finite differences
    /// through its parameters, with masked sequences.
    @Test func wholeModelGradient() throws {
        let json = #"{"type": "lstm", "hiddenSize": 4, "layerCount": 2, "bidirectional": true, "pooling": "attention", "attentionSize": 3, "dropout": 0, "frontEnd": {"channels": [3], "kernelSize": 3, "poolSize": 2}}"#
        let model = try Model(spec: JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8)), inputSize: 3, classCount: 3, seed: 2)
        let batch = randomTensor([3, 6, 3], seed: 5)
        let lengths = [6, 3, 1], labels = [0, 2, 1]
        func loss() -> Double {
            Double(model.loss.evaluate(logits: model.forward(batch: batch, lengths: lengths, training: true), labels: labels).loss)
        }
        // BatchNorm running statistics move on every training forward but do not affect training-mode outputs.
        model.zeroGradients()
        let (_, gradient) = model.loss.evaluate(logits: model.forward(batch: batch, lengths: lengths, training: true), labels: labels)
        model.backward(gradient)
        let checker = GradientCheck(step: 1e-2, absoluteTolerance: 1e-3, relativeTolerance: 3e-2, samplesPerTensor: 6)
        var failures: [String] = []
        for parameter in model.parameters where parameter.isTrainable {
            let analytic = parameter.gradient
            for index in checker.sampleIndices(parameter.value.count) {
                let original = parameter.value[index]
                parameter.value[index] = original + checker.step
                let up = loss()
                parameter.value[index] = original - checker.step
                let down = loss()
                parameter.value[index] = original
                if let failure = checker.compare(parameter.name, index, Double(analytic[index]), (up - down) / Double(2 * checker.step)) {
                    failures.append(failure)
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// Two threads split the batch; the result must agree with one thread to float rounding.
    @Test func threadsAgree() throws {
        let spec = ModelSpec.lstm(LSTMSpec())
        let batch = randomTensor([5, 9, 6], seed: 8)
        let lengths = [9, 2, 5, 9, 1]
        var outputs: [Tensor] = []
        for threads in [1, 2] {
            let model = try Model(spec: spec, inputSize: 6, classCount: 4, seed: 3)
            model.threads = threads
            outputs.append(model.forward(batch: batch, lengths: lengths, training: false))
        }
        for (a, b) in zip(outputs[0].scalars, outputs[1].scalars) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func fastMathAccuracy() {
        var worstExp: Double = 0, worstTanh: Double = 0, worstSigmoid: Double = 0
        var x: Float = -20
        while x <= 20 {
            worstExp = max(worstExp, abs(Double(FastMath.exp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x)))
            worstTanh = max(worstTanh, abs(Double(FastMath.tanh(x)) - Foundation.tanh(Double(x))))
            worstSigmoid = max(worstSigmoid, abs(Double(FastMath.sigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
            x += 0.001
        }
        #expect(worstExp < 5e-7)
        #expect(worstTanh < 5e-7)
        #expect(worstSigmoid < 3e-7)
        #expect(FastMath.exp(-1000) >= 0 && FastMath.exp(1000).isFinite)
    }
}

import Foundation
