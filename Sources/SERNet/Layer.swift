import SERCore

/// A trainable (or running-statistics) array with its gradient, shared by a layer and the optimizer.
/// Weight matrices follow PyTorch's layout: `[outputs, inputs]`.
public final class Parameter {
    public let name: String
    public let shape: [Int]
    public var value: [Float]
    /// Accumulated by `backward`; zeroed by the model before each step. Empty for non-trainable state.
    public var gradient: [Float]
    public let isTrainable: Bool

    init(name: String, shape: [Int], value: [Float], trainable: Bool = true) {
        precondition(shape.reduce(1, *) == value.count, "parameter \(name): shape \(shape) vs \(value.count) values")
        self.name = name
        self.shape = shape
        self.value = value
        self.gradient = trainable ? [Float](repeating: 0, count: value.count) : []
        self.isTrainable = trainable
    }

    /// Uniform in [-bound, bound] (PyTorch's default for Linear, Conv and LSTM weights uses 1/sqrt(fanIn)).
    static func uniform(_ name: String, shape: [Int], bound: Float, generator: inout SeededGenerator) -> Parameter {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = (generator.nextFloat() * 2 - 1) * bound }
        return Parameter(name: name, shape: shape, value: values)
    }

    static func constant(_ name: String, shape: [Int], value: Float, trainable: Bool = true) -> Parameter {
        Parameter(name: name, shape: shape, value: [Float](repeating: value, count: shape.reduce(1, *)), trainable: trainable)
    }

    func zeroGradient() {
        guard isTrainable else { return }
        gradient.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
        }
    }
}

/// What a forward pass needs besides its input: the mode, the dropout stream and the thread count.
public struct ForwardContext {
    public var training: Bool
    public var dropoutGenerator: SeededGenerator
    /// Task-level parallelism inside layers (1 = fully serial and bit-reproducible).
    public var threads: Int

    public init(training: Bool, dropoutGenerator: SeededGenerator = SeededGenerator(seed: 0, stream: "dropout"), threads: Int = 1) {
        self.training = training
        self.dropoutGenerator = dropoutGenerator
        self.threads = threads
    }
}

/// A layer: forward caches what backward needs; backward takes dLoss/dOutput, accumulates parameter
/// gradients and returns dLoss/dInput. One forward must precede each backward.
public protocol Layer: AnyObject {
    /// Trainable parameters and non-trainable state (BatchNorm running statistics), in a fixed order.
    var parameters: [Parameter] { get }
    func forward(_ input: Activations, context: inout ForwardContext) -> Activations
    func backward(_ outputGradient: Tensor) -> Tensor
    /// Like `backward` for the model's first trainable layer, whose dLoss/dInput nobody reads: accumulates
    /// parameter gradients and may skip computing the input gradient.
    func backwardParametersOnly(_ outputGradient: Tensor)
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public func backwardParametersOnly(_ outputGradient: Tensor) { _ = backward(outputGradient) }
}

/// Row bookkeeping for masked sequence layers: a tensor `[N, T, inner..., C]` seen as `N * T * inner`
/// rows of `C`; the valid rows of sample `n` are the contiguous block `[n * T * inner, n * T * inner + len * inner)`.
struct RowLayout {
    let batch: Int
    let frames: Int
    let inner: Int
    let channels: Int

    init(shape: [Int]) {
        precondition(shape.count >= 2, "expected at least [N, C], got \(shape)")
        batch = shape[0]
        channels = shape[shape.count - 1]
        frames = shape.count >= 3 ? shape[1] : 1
        inner = shape.count >= 4 ? shape[2..<(shape.count - 1)].reduce(1, *) : 1
    }

    var rowsPerSample: Int { frames * inner }

    /// Valid rows of sample n as a range of row indices.
    @inline(__always) func validRows(_ n: Int, lengths: [Int]?) -> Range<Int> {
        let start = n * rowsPerSample
        let length = lengths.map { $0[n] } ?? frames
        return start..<(start + length * inner)
    }
}
