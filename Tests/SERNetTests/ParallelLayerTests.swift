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
            // Bit for bit, BatchNorm's channel sums included (they are folded in an order fixed by the data).
            #expect(y1 == y2, "\(name)")
            #expect(dx1 == dx2, "\(name)")
            #expect(dp1 == dp2, "\(name)")
            // Padded input frames get exactly zero gradient (ReLU is element-wise: it relies on zero incoming gradients there).
            if name == "relu" { continue }
            for n in 0..<shape[0] {
                for t in lengths[n]..<shape[1] {
                    for c in 0..<shape[2] where dx2[n, t, c] != 0 { Issue.record("\(name): gradient \(dx2[n, t, c]) at padded (\(n), \(t), \(c))") }
                }
            }
        }
    }

    /// BatchNorm's training statistics, running statistics, input and parameter gradients are the same bits
    /// for any thread count: `[N, C]` (MLP), `[N, T, C]` with padding (Conv1D), `[N, T, F, C]` (Conv2D).
    @Test(arguments: [([64, 600], nil), ([5, 130, 64], [130, 77, 3, 129, 100]), ([3, 40, 20, 48], [40, 31, 9])] as [([Int], [Int]?)])
    func batchNormIsTheSameBitsForAnyThreadCount(shape: [Int], lengths: [Int]?) {
        let channels = shape.last!
        let input = Activations(values: randomTensor(shape, seed: 41, scale: 3), lengths: lengths)
        let gradient = randomTensor(shape, seed: 42)
        #expect(elementwiseChunks(samples: shape[0], elements: shape.reduce(1, *), threads: 3) == 3, "large enough to split")
        func run(_ threads: Int) -> [[Float]] {
            let norm = BatchNorm(channels: channels)
            norm.scale.value = (0..<channels).map { 0.5 + Float($0) / Float(channels) }
            norm.shift.value = (0..<channels).map { Float($0 % 7) / 10 - 0.3 }
            let (y, dx, dp) = runLayer(norm, input, gradient: gradient, threads: threads)
            return [y.scalars, dx.scalars] + dp + [norm.runningMean.value, norm.runningVariance.value]
        }
        expectSameBatchNormResults(run, shape: shape)
    }

    /// `run(threads)` gives output, input gradient, scale and shift gradients, running mean and variance;
    /// records the first differing value of each part for 2, 3 and 4 threads against 1.
    func expectSameBatchNormResults(_ run: (Int) -> [[Float]], shape: [Int]) {
        let single = run(1)
        for threads in [2, 3, 4] {
            for (index, (a, b)) in zip(single, run(threads)).enumerated() where a != b {
                let part = ["output", "input gradient", "scale gradient", "shift gradient", "running mean", "running variance"][index]
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }!
                Issue.record("\(shape), \(threads) threads: \(part)[\(first.offset)] \(first.element.1) vs \(first.element.0) with 1 thread")
            }
        }
    }

    /// Where the order of the Double fold matters: two samples of +-2^20 whose sums cancel, and two samples
    /// of small values whose block sums lose bits when added to a running sum of 2^33. A fold per thread
    /// chunk gave another mean, shift gradient and input gradient for each thread count.
    @Test func batchNormSumsDoNotDependOnTheSplit() {
        let shape = [4, 8192, 1]
        var generator = SeededGenerator(seed: 43, stream: "tensor")
        let scalars = (0..<shape.reduce(1, *)).map { index -> Float in
            switch index / 8192 {
            case 0: return 1_048_576
            case 2: return -1_048_576
            default: return (generator.nextFloat() * 2 - 1) * 1e-3
            }
        }
        let values = Tensor(shape: shape, scalars: scalars)
        func run(_ threads: Int) -> [[Float]] {
            let norm = BatchNorm(channels: 1)
            let (y, dx, dp) = runLayer(norm, Activations(values: values, lengths: nil), gradient: values, threads: threads)
            return [y.scalars, dx.scalars] + dp + [norm.runningMean.value, norm.runningVariance.value]
        }
        expectSameBatchNormResults(run, shape: shape)
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
