import Foundation
import SERCore
import Testing
@testable import SERNet

/// The speed paths: element-wise layers split across threads above `elementwiseChunks`' threshold, the
/// one-bin max pooling, and the first layer's backward without an input gradient.
@Suite("Parallel and fast paths")
struct ParallelLayerTests {
    /// Large enough (> 32768 floats) for `elementwiseChunks` to use two threads.
    let shape = [4, 130, 64]
    let lengths = [130, 77, 3, 129]

    func runLayer(_ layer: Layer, _ input: Activations, gradient: Tensor, threads: Int) -> (Tensor, Tensor, [[Float]]) {
        for parameter in layer.parameters where parameter.isTrainable { parameter.zeroGradient() }
        var context = ForwardContext(training: true, threads: threads)
        let output = layer.forward(input, context: &context).values
        let inputGradient = layer.backward(gradient)
        return (output, inputGradient, layer.parameters.filter(\.isTrainable).map(\.gradient))
    }

    @Test func elementwiseLayersAgreeAcrossThreads() {
        #expect(elementwiseChunks(samples: shape[0], elements: shape.reduce(1, *), threads: 2) == 2)
        let input = Activations(values: randomTensor(shape, seed: 31, scale: 2), lengths: lengths)
        let norm = BatchNorm(channels: 64)
        norm.scale.value = (0..<64).map { 0.5 + Float($0) / 64 }
        norm.shift.value = (0..<64).map { Float($0 % 7) / 10 - 0.3 }
        let cases: [(String, () -> Layer, Tensor)] = [
            ("relu", { ActivationLayer(.relu) }, randomTensor(shape, seed: 32)),
            ("maxPool", { MaxPooling(poolTime: 2) }, randomTensor([4, 65, 64], seed: 33)),
            ("maxPool3", { MaxPooling(poolTime: 3) }, randomTensor([4, 44, 64], seed: 34)),
            ("batchNorm", { norm }, randomTensor(shape, seed: 35)),
        ]
        for (name, make, gradient) in cases {
            let (y1, dx1, dp1) = runLayer(make(), input, gradient: gradient, threads: 1)
            let (y2, dx2, dp2) = runLayer(make(), input, gradient: gradient, threads: 2)
            if name == "batchNorm" {
                // Channel sums fold two chunks in Double: equal to float rounding.
                for (a, b) in zip(y1.scalars, y2.scalars) where abs(a - b) > 1e-5 * max(1, abs(a)) { Issue.record("\(name) y \(a) vs \(b)"); break }
                for (a, b) in zip(dx1.scalars, dx2.scalars) where abs(a - b) > 1e-5 * max(1, abs(a)) { Issue.record("\(name) dx \(a) vs \(b)"); break }
                for (p, q) in zip(dp1, dp2) { for (a, b) in zip(p, q) where abs(a - b) > 1e-4 * max(1, abs(a)) { Issue.record("\(name) dp \(a) vs \(b)"); break } }
            } else {
                #expect(y1 == y2, "\(name)")
                #expect(dx1 == dx2, "\(name)")
            }
            // Padded input frames get exactly zero gradient (ReLU is element-wise: it relies on zero incoming gradients there).
            if name == "relu" { continue }
            for n in 0..<shape[0] {
                for t in lengths[n]..<shape[1] {
                    for c in 0..<shape[2] where dx2[n, t, c] != 0 { Issue.record("\(name): gradient \(dx2[n, t, c]) at padded (\(n), \(t), \(c))") }
                }
            }
        }
    }

    @Test func maxPoolingOverTimeGradient() {
        // [N, T, C] (the one-bin path), odd lengths; distinct values spaced beyond the finite-difference step.
        var x = Tensor(zeros: [3, 5, 4])
        var g = SeededGenerator(seed: 14, stream: "perm")
        var order = Array(0..<x.count)
        fisherYates(&order, generator: &g)
        for (rank, index) in order.enumerated() { x.scalars[index] = Float(rank) * 0.1 }
        for pool in [2, 3] {
            let failures = GradientCheck().check(MaxPooling(poolTime: pool), input: Activations(values: x, lengths: [5, 3, 1]))
            #expect(failures.isEmpty, "pool \(pool): \(failures)")
        }
    }

    @Test func maxPoolingTiesKeepTheFirstFrame() {
        let layer = MaxPooling(poolTime: 2)
        var context = ForwardContext(training: true)
        let x = Tensor(shape: [1, 4, 1], scalars: [1, 1, -2, 3])
        let y = layer.forward(Activations(values: x, lengths: [3]), context: &context)
        #expect(y.values.scalars == [1, -2])   // frame 3 is padding and never wins
        #expect(layer.backward(Tensor(shape: [1, 2, 1], scalars: [5, 7])).scalars == [5, 0, 7, 0])
    }

    /// The first layer's parameters-only backward accumulates exactly the gradients `backward` does.
    @Test(arguments: [1, 2])
    func parametersOnlyBackwardMatches(threads: Int) {
        var g = SeededGenerator(seed: 15, stream: "init")
        let layers: [(Layer, Activations)] = [
            (Conv1D(inputChannels: 5, outputChannels: 7, kernelSize: 5, generator: &g),
             Activations(values: randomTensor([3, 9, 5], seed: 16), lengths: [9, 4, 1])),
            (Conv2D(inputChannels: 2, outputChannels: 3, kernelTime: 3, kernelFrequency: 3, generator: &g),
             Activations(values: randomTensor([3, 5, 4, 2], seed: 17), lengths: [5, 2, 4])),
            (Dense(inputSize: 6, outputSize: 4, generator: &g), Activations(values: randomTensor([5, 6], seed: 18))),
        ]
        for (layer, input) in layers {
            var context = ForwardContext(training: true, threads: threads)
            let output = layer.forward(input, context: &context).values
            let gradient = randomTensor(output.shape, seed: 19)
            for parameter in layer.parameters { parameter.zeroGradient() }
            _ = layer.backward(gradient)
            let full = layer.parameters.map(\.gradient)
            for parameter in layer.parameters { parameter.zeroGradient() }
            layer.backwardParametersOnly(gradient)
            #expect(layer.parameters.map(\.gradient) == full, "\(type(of: layer))")
            #expect(full.contains { $0.contains { $0 != 0 } })
        }
    }

    /// A CNN trained two steps with one and with two threads: the same losses to float rounding.
    @Test func cnnThreadsAgree() throws {
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(#"{"type": "cnn", "channels": [16, 32], "kernelSize": 5}"#.utf8))
        let batch = randomTensor([8, 120, 40], seed: 20)
        let lengths = [120, 100, 7, 64, 120, 33, 90, 2]
        let labels = [0, 1, 2, 3, 0, 1, 2, 3]
        var losses: [[Float]] = []
        for threads in [1, 2] {
            let model = try Model(spec: spec, inputSize: 40, classCount: 4, seed: 5)
            model.threads = threads
            losses.append((0..<3).map { _ in model.trainStep(batch: batch, labels: labels, lengths: lengths) })
        }
        for (a, b) in zip(losses[0], losses[1]) { #expect(abs(a - b) < 1e-4, "\(losses)") }
    }
}
