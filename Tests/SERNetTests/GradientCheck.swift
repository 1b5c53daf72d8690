import SERCore
@testable import SERNet

/// Finite-difference checks: loss = sum(r * y) (accumulated in Double) for a fixed random projection r,
/// zero on padded output frames; central differences with step `step`.
struct GradientCheck {
    var step: Float = 1e-2
    var absoluteTolerance: Double = 2e-3
    var relativeTolerance: Double = 2e-2
    /// Entries checked per tensor (spread evenly); small layers are checked entirely.
    var samplesPerTensor = 40

    struct Failure: CustomStringConvertible {
        let what: String
        let index: Int
        let analytic: Double
        let numeric: Double
        var description: String { "\(what)[\(index)]: analytic \(analytic) vs numeric \(numeric)" }
    }

    /// Returns mismatches (empty when all agree), plus nonzero gradients found on padded input frames.
    func check(_ layer: Layer, input: Activations, training: Bool = true, seed: UInt64 = 1) -> [String] {
        var failures: [String] = []
        let dropout = SeededGenerator(seed: seed, stream: "dropout")
        func run(_ x: Activations) -> Activations {
            var context = ForwardContext(training: training, dropoutGenerator: dropout, threads: 1)
            return layer.forward(x, context: &context)
        }
        let output = run(input)
        var generator = SeededGenerator(seed: seed, stream: "projection")
        var projection = (0..<output.values.count).map { _ in generator.nextFloat() * 2 - 1 }
        maskPadding(&projection, shape: output.values.shape, lengths: output.lengths)
        func loss(_ x: Activations) -> Double {
            let y = run(x).values.scalars
            var total: Double = 0
            for i in 0..<y.count { total += Double(y[i]) * Double(projection[i]) }
            return total
        }
        for parameter in layer.parameters where parameter.isTrainable { parameter.zeroGradient() }
        _ = run(input)
        let inputGradient = layer.backward(Tensor(shape: output.values.shape, scalars: projection))

        // Padded input frames must receive exactly zero gradient.
        var validInput = [Bool](repeating: true, count: input.values.count)
        if let lengths = input.lengths {
            let layout = RowLayout(shape: input.values.shape)
            validInput = [Bool](repeating: false, count: input.values.count)
            for n in 0..<layout.batch {
                for r in layout.validRows(n, lengths: lengths) { for c in 0..<layout.channels { validInput[r * layout.channels + c] = true } }
            }
            for i in 0..<validInput.count where !validInput[i] && inputGradient.scalars[i] != 0 {
                failures.append("input gradient on padded frame at \(i) is \(inputGradient.scalars[i])")
                break
            }
        }
        // Input gradient.
        for index in sampleIndices(input.values.count) where validInput[index] {
            var plus = input, minus = input
            plus.values.scalars[index] += step
            minus.values.scalars[index] -= step
            let numeric = (loss(plus) - loss(minus)) / Double(2 * step)
            if let failure = compare("input", index, Double(inputGradient.scalars[index]), numeric) { failures.append(failure) }
        }
        // Parameter gradients.
        for parameter in layer.parameters where parameter.isTrainable {
            let analytic = parameter.gradient
            for index in sampleIndices(parameter.value.count) {
                let original = parameter.value[index]
                parameter.value[index] = original + step
                let up = loss(input)
                parameter.value[index] = original - step
                let down = loss(input)
                parameter.value[index] = original
                if let failure = compare(parameter.name, index, Double(analytic[index]), (up - down) / Double(2 * step)) {
                    failures.append(failure)
                }
            }
        }
        return failures
    }

    func compare(_ what: String, _ index: Int, _ analytic: Double, _ numeric: Double) -> String? {
        let ok = abs(analytic - numeric) <= absoluteTolerance + relativeTolerance * max(abs(analytic), abs(numeric))
        return ok ? nil : Failure(what: what, index: index, analytic: analytic, numeric: numeric).description
    }

    func sampleIndices(_ count: Int) -> [Int] {
        if count <= samplesPerTensor { return Array(0..<count) }
        return (0..<samplesPerTensor).map { $0 * count / samplesPerTensor + ($0 * 7919) % max(1, count / samplesPerTensor) }
    }
}

/// Zeroes entries of padded frames of a `[N, T, ..., C]` buffer.
func maskPadding(_ values: inout [Float], shape: [Int], lengths: [Int]?) {
    guard let lengths, shape.count >= 3 else { return }
    let layout = RowLayout(shape: shape)
    for n in 0..<layout.batch {
        let valid = layout.validRows(n, lengths: lengths)
        for r in (n * layout.rowsPerSample)..<((n + 1) * layout.rowsPerSample) where !valid.contains(r) {
            for c in 0..<layout.channels { values[r * layout.channels + c] = 0 }
        }
    }
}

/// A random `[shape]` tensor in [-scale, scale], padded frames filled with large junk (to prove they are ignored
/// by layers that must ignore them, callers zero them where the layer's contract is finite padding).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed, stream: "tensor")
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { _ in (generator.nextFloat() * 2 - 1) * scale })
}
