import SERCore

/// Fully connected layer on the last axis: y = x W^T + b.
/// Shapes: `[..., inputSize]` -> `[..., outputSize]`; W `[outputSize, inputSize]`, b `[outputSize]`.
/// Init: U(-1/sqrt(inputSize), 1/sqrt(inputSize)) for both, as PyTorch's `nn.Linear`.
public final class Dense: Layer {
    public let inputSize: Int
    public let outputSize: Int
    let weight: Parameter
    let bias: Parameter
    private var input = Tensor(zeros: [0])
    private var threads = 1

    public init(inputSize: Int, outputSize: Int, generator: inout SeededGenerator, name: String = "dense") {
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = 1 / Float(inputSize).squareRoot()
        weight = .uniform("\(name).weight", shape: [outputSize, inputSize], bound: bound, generator: &generator)
        bias = .uniform("\(name).bias", shape: [outputSize], bound: bound, generator: &generator)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.shape.last == inputSize, "Dense expects last axis \(inputSize), got shape \(x.shape)")
        self.input = x
        self.threads = context.threads
        let rows = x.count / inputSize
        var outShape = x.shape
        outShape[outShape.count - 1] = outputSize
        var y = [Float](repeating: 0, count: rows * outputSize)
        x.scalars.withUnsafeBufferPointer { xp in
            weight.value.withUnsafeBufferPointer { wp in
                bias.value.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        for r in 0..<rows {
                            (yp.baseAddress! + r * outputSize).update(from: bp.baseAddress!, count: outputSize)
                        }
                        BLAS.gemm(transB: true, m: rows, n: outputSize, k: inputSize, a: xp.baseAddress!, lda: inputSize,
                                  b: wp.baseAddress!, ldb: inputSize, beta: 1, c: yp.baseAddress!, ldc: outputSize, threads: context.threads)
                    }
                }
            }
        }
        return Activations(values: Tensor(shape: outShape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, inputGradient: true)
    }

    public func backwardParametersOnly(_ outputGradient: Tensor) {
        _ = backward(outputGradient, inputGradient: false)
    }

    private func backward(_ outputGradient: Tensor, inputGradient: Bool) -> Tensor {
        let rows = outputGradient.count / outputSize
        var dx = [Float](repeating: 0, count: inputGradient ? rows * inputSize : 0)
        outputGradient.scalars.withUnsafeBufferPointer { gp in
            input.scalars.withUnsafeBufferPointer { xp in
                weight.value.withUnsafeBufferPointer { wp in
                    weight.gradient.withUnsafeMutableBufferPointer { dwp in
                        BLAS.gemm(transA: true, m: outputSize, n: inputSize, k: rows, a: gp.baseAddress!, lda: outputSize,
                                  b: xp.baseAddress!, ldb: inputSize, beta: 1, c: dwp.baseAddress!, ldc: inputSize, threads: threads)
                    }
                    if inputGradient {
                        dx.withUnsafeMutableBufferPointer { dxp in
                            BLAS.gemm(m: rows, n: inputSize, k: outputSize, a: gp.baseAddress!, lda: outputSize,
                                      b: wp.baseAddress!, ldb: inputSize, beta: 0, c: dxp.baseAddress!, ldc: inputSize, threads: threads)
                        }
                    }
                }
            }
            bias.gradient.withUnsafeMutableBufferPointer { dbp in
                for r in 0..<rows {
                    let row = gp.baseAddress! + r * outputSize
                    for o in 0..<outputSize { dbp[o] += row[o] }
                }
            }
        }
        return inputGradient ? Tensor(shape: input.shape, scalars: dx) : Tensor(zeros: [0])
    }
}
