/// A dense float32 tensor: a shape and its scalars in row-major (C) order, always contiguous.
///
/// Layouts used across SERNet (batch-major, channels last):
/// `[N, F]` vectors, `[N, T, C]` sequences (batch, frames, features or channels) and
/// `[N, T, F, C]` time x frequency maps. Value semantics (copy on write) through `[Float]`.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor shape \(shape) holds \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.scalars = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The same scalars under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Scalar at a multi-index (slow; for tests and small reads).
    public subscript(_ index: Int...) -> Float {
        get { scalars[offset(index)] }
        set { scalars[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var result = 0
        for (axis, value) in index.enumerated() {
            precondition(value >= 0 && value < shape[axis], "index \(index) out of range for shape \(shape)")
            result = result * shape[axis] + value
        }
        return result
    }
}

/// A tensor flowing between layers, with the number of valid frames of each sequence along axis 1.
/// `lengths == nil` means every frame is valid (or the tensor is `[N, F]`).
/// Invariant kept by every layer: values at frames `t >= lengths[n]` are finite and never reach a valid
/// output; gradients there are zero.
public struct Activations: Sendable {
    public var values: Tensor
    public var lengths: [Int]?

    public init(values: Tensor, lengths: [Int]? = nil) {
        self.values = values
        self.lengths = lengths
    }

    /// Valid frames of sample `n` (the full axis 1 when there are no lengths).
    @inline(__always) func validFrames(_ n: Int) -> Int {
        guard let lengths else { return values.rank >= 3 ? values.shape[1] : 1 }
        return lengths[n]
    }
}
