import SERCore
import Testing
@testable import SERNet

@Suite("Gradients against finite differences")
struct GradientTests {
    let lengths = [5, 3, 1]

    func sequence(_ channels: Int, frames: Int = 5, seed: UInt64 = 3, masked: Bool = true) -> Activations {
        Activations(values: randomTensor([3, frames, channels], seed: seed), lengths: masked ? lengths : nil)
    }

    @Test func dense() {
        var g = SeededGenerator(seed: 1, stream: "init")
        let layer = Dense(inputSize: 6, outputSize: 4, generator: &g)
        let failures = GradientCheck().check(layer, input: Activations(values: randomTensor([5, 6], seed: 2)))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test(arguments: ActivationKind.allCases)
    func activation(_ kind: ActivationKind) {
        var x = randomTensor([4, 7], seed: 5, scale: 2)
        // Keep ReLU/ELU inputs away from the kink at 0, where central differences are meaningless.
        x.scalars = x.scalars.map { abs($0) < 0.05 ? $0 + 0.1 : $0 }
        let failures = GradientCheck().check(ActivationLayer(kind), input: Activations(values: x))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func dropoutUsesTheSameMaskForward() {
        let failures = GradientCheck().check(Dropout(rate: 0.4), input: Activations(values: randomTensor([6, 5], seed: 4)))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test(arguments: [false, true])
    func lstm(bidirectional: Bool) {
        var g = SeededGenerator(seed: 7, stream: "init")
        let layer = LSTMLayer(inputSize: 4, hiddenSize: 3, bidirectional: bidirectional, generator: &g)
        let failures = GradientCheck().check(layer, input: sequence(4))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func conv1D() {
        var g = SeededGenerator(seed: 8, stream: "init")
        let layer = Conv1D(inputChannels: 3, outputChannels: 4, kernelSize: 3, generator: &g)
        let failures = GradientCheck().check(layer, input: sequence(3))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func conv2D() {
        var g = SeededGenerator(seed: 9, stream: "init")
        let layer = Conv2D(inputChannels: 2, outputChannels: 3, kernelTime: 3, kernelFrequency: 3, generator: &g)
        let input = Activations(values: randomTensor([3, 5, 4, 2], seed: 10), lengths: lengths)
        let failures = GradientCheck().check(layer, input: input)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func maxPooling() {
        // Distinct values spaced well beyond the finite-difference step, so no window changes its winner.
        var x = Tensor(zeros: [3, 5, 4, 2])
        var g = SeededGenerator(seed: 11, stream: "perm")
        var order = Array(0..<x.count)
        fisherYates(&order, generator: &g)
        for (rank, index) in order.enumerated() { x.scalars[index] = Float(rank) * 0.1 }
        let failures = GradientCheck().check(MaxPooling(poolTime: 2, poolFrequency: 2), input: Activations(values: x, lengths: lengths))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func sequencePoolings() {
        var g = SeededGenerator(seed: 12, stream: "init")
        let layers: [Layer] = [GlobalAveragePooling(), LastStepPooling(), LastStepPooling(splitBidirectional: true),
                               AttentionPooling(inputSize: 4, attentionSize: 3, generator: &g)]
        for layer in layers {
            let failures = GradientCheck().check(layer, input: sequence(4))
            #expect(failures.isEmpty, "\(type(of: layer)): \(failures)")
        }
    }

    @Test(arguments: [true, false])
    func batchNorm(training: Bool) {
        let layer = BatchNorm(channels: 3)
        // Non-trivial scale and shift so their gradients matter.
        layer.scale.value = [0.5, 1.5, -1]
        layer.shift.value = [0.1, -0.2, 0.3]
        layer.runningMean.value = [0.1, 0, -0.1]
        layer.runningVariance.value = [0.8, 1.2, 1]
        let failures = GradientCheck().check(layer, input: sequence(3), training: training)
        #expect(failures.isEmpty, "\(failures)")
        let flat = GradientCheck().check(layer, input: Activations(values: randomTensor([6, 3], seed: 13)), training: training)
        #expect(flat.isEmpty, "\(flat)")
    }

    @Test func layerNorm() {
        let layer = LayerNorm(size: 5)
        layer.scale.value = [0.5, 1.5, -1, 2, 1]
        layer.shift.value = [0.1, -0.2, 0.3, 0, 1]
        let failures = GradientCheck().check(layer, input: sequence(5))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func crossEntropyWithWeightsAndSmoothing() {
        let loss = CrossEntropyLoss(classWeights: [1, 2, 0.5, 1], labelSmoothing: 0.1)
        let logits = randomTensor([5, 4], seed: 14, scale: 3)
        let labels = [0, 1, 2, 3, 1]
        let (_, gradient) = loss.evaluate(logits: logits, labels: labels)
        let step: Float = 1e-2
        for index in 0..<logits.count {
            var plus = logits, minus = logits
            plus.scalars[index] += step
            minus.scalars[index] -= step
            let numeric = Double(loss.evaluate(logits: plus, labels: labels).loss - loss.evaluate(logits: minus, labels: labels).loss) / Double(2 * step)
            #expect(abs(numeric - Double(gradient.scalars[index])) < 2e-3, "logit \(index): \(gradient.scalars[index]) vs \(numeric)")
        }
    }

    @Test func crossEntropyValueMatchesDefinition() {
        // Two classes, logits (0, ln 3): p = (1/4, 3/4); label 1 -> loss = -ln(3/4).
        let logits = Tensor(shape: [1, 2], scalars: [0, Float(log(3.0))])
        let plain = CrossEntropyLoss().evaluate(logits: logits, labels: [1]).loss
        #expect(abs(Double(plain) + log(0.75)) < 1e-6)
        // Smoothing 0.2 over 2 classes: q = (0.1, 0.9).
        let smooth = CrossEntropyLoss(labelSmoothing: 0.2).evaluate(logits: logits, labels: [1]).loss
        #expect(abs(Double(smooth) - (-0.1 * log(0.25) - 0.9 * log(0.75))) < 1e-6)
    }
}

#if canImport(Glibc)
import Glibc
#endif
