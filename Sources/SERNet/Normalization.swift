import SERCore

/// Batch normalisation over the last (channel) axis: y = gamma (x - mean) / sqrt(var + eps) + beta.
///
/// Training: mean and biased variance over every valid row (`[N, C]`, or the valid frames of
/// `[N, T, C]` / `[N, T, F, C]`); running statistics move by `momentum` (0.1) with the unbiased variance,
/// as PyTorch. Inference: the running statistics. Rows of padded frames are normalised too (finite) but
/// take no part in the statistics and get zero gradient. Accumulation in Double.
public final class BatchNorm: Layer {
    public let channels: Int
    public let epsilon: Float
    public let momentum: Float
    let scale: Parameter
    let shift: Parameter
    let runningMean: Parameter
    let runningVariance: Parameter
    private var normalized: [Float] = []
    private var inverseDeviation: [Float] = []
    private var shape: [Int] = []
    private var lengths: [Int]?
    private var trainingMode = false

    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, name: String = "batchNorm") {
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        scale = .constant("\(name).scale", shape: [channels], value: 1)
        shift = .constant("\(name).shift", shape: [channels], value: 0)
        runningMean = .constant("\(name).runningMean", shape: [channels], value: 0, trainable: false)
        runningVariance = .constant("\(name).runningVariance", shape: [channels], value: 1, trainable: false)
    }

    public var parameters: [Parameter] { [scale, shift, runningMean, runningVariance] }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.shape.last == channels, "BatchNorm expects \(channels) channels last, got \(x.shape)")
        let layout = RowLayout(shape: x.shape)
        let C = channels, totalRows = x.count / C
        shape = x.shape
        lengths = input.lengths
        trainingMode = context.training
        var mean = [Float](repeating: 0, count: C)
        var variance = [Float](repeating: 1, count: C)
        if context.training {
            var sum = [Double](repeating: 0, count: C), squares = [Double](repeating: 0, count: C)
            var count = 0
            x.scalars.withUnsafeBufferPointer { xb in
                for n in 0..<layout.batch {
                    let rows = layout.validRows(n, lengths: input.lengths)
                    count += rows.count
                    for r in rows { for c in 0..<C { let v = Double(xb[r * C + c]); sum[c] += v; squares[c] += v * v } }
                }
            }
            let m = Double(max(count, 1))
            for c in 0..<C {
                let mu = sum[c] / m
                let biased = max(0, squares[c] / m - mu * mu)
                mean[c] = Float(mu)
                variance[c] = Float(biased)
                let unbiased = count > 1 ? biased * m / (m - 1) : biased
                runningMean.value[c] = (1 - momentum) * runningMean.value[c] + momentum * Float(mu)
                runningVariance.value[c] = (1 - momentum) * runningVariance.value[c] + momentum * Float(unbiased)
            }
        } else {
            mean = runningMean.value
            variance = runningVariance.value
        }
        inverseDeviation = variance.map { 1 / ($0 + epsilon).squareRoot() }
        normalized = [Float](repeating: 0, count: x.count)
        var y = [Float](repeating: 0, count: x.count)
        x.scalars.withUnsafeBufferPointer { xb in
            normalized.withUnsafeMutableBufferPointer { nb in
                y.withUnsafeMutableBufferPointer { yb in
                    for r in 0..<totalRows {
                        for c in 0..<C {
                            let v = (xb[r * C + c] - mean[c]) * inverseDeviation[c]
                            nb[r * C + c] = v
                            yb[r * C + c] = v * scale.value[c] + shift.value[c]
                        }
                    }
                }
            }
        }
        return Activations(values: Tensor(shape: x.shape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let layout = RowLayout(shape: shape)
        let C = channels
        var dx = [Float](repeating: 0, count: outputGradient.count)
        var sumDy = [Double](repeating: 0, count: C), sumDyX = [Double](repeating: 0, count: C)
        var count = 0
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            normalized.withUnsafeBufferPointer { nb in
                for n in 0..<layout.batch {
                    let rows = layout.validRows(n, lengths: lengths)
                    count += rows.count
                    for r in rows {
                        for c in 0..<C {
                            let g = Double(gb[r * C + c])
                            sumDy[c] += g
                            sumDyX[c] += g * Double(nb[r * C + c])
                        }
                    }
                }
                for c in 0..<C {
                    scale.gradient[c] += Float(sumDyX[c])
                    shift.gradient[c] += Float(sumDy[c])
                }
                let m = Float(max(count, 1))
                dx.withUnsafeMutableBufferPointer { db in
                    for n in 0..<layout.batch {
                        for r in layout.validRows(n, lengths: lengths) {
                            for c in 0..<C {
                                let g = gb[r * C + c] * scale.value[c]
                                if trainingMode {
                                    let meanDy = Float(sumDy[c]) * scale.value[c] / m
                                    let meanDyX = Float(sumDyX[c]) * scale.value[c] / m
                                    db[r * C + c] = (g - meanDy - nb[r * C + c] * meanDyX) * inverseDeviation[c]
                                } else {
                                    db[r * C + c] = g * inverseDeviation[c]
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: dx)
    }
}

/// Layer normalisation over the last axis of each row: y = gamma (x - mean) / sqrt(var + eps) + beta.
/// Rows are independent, so padded frames cannot influence valid ones.
public final class LayerNorm: Layer {
    public let size: Int
    public let epsilon: Float
    let scale: Parameter
    let shift: Parameter
    private var normalized: [Float] = []
    private var inverseDeviation: [Float] = []
    private var shape: [Int] = []

    public init(size: Int, epsilon: Float = 1e-5, name: String = "layerNorm") {
        self.size = size
        self.epsilon = epsilon
        scale = .constant("\(name).scale", shape: [size], value: 1)
        shift = .constant("\(name).shift", shape: [size], value: 0)
    }

    public var parameters: [Parameter] { [scale, shift] }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.shape.last == size, "LayerNorm expects last axis \(size), got \(x.shape)")
        shape = x.shape
        let rows = x.count / size, C = size
        normalized = [Float](repeating: 0, count: x.count)
        inverseDeviation = [Float](repeating: 0, count: rows)
        var y = [Float](repeating: 0, count: x.count)
        x.scalars.withUnsafeBufferPointer { xb in
            for r in 0..<rows {
                var sum: Double = 0, squares: Double = 0
                for c in 0..<C { let v = Double(xb[r * C + c]); sum += v; squares += v * v }
                let mean = sum / Double(C)
                let variance = max(0, squares / Double(C) - mean * mean)
                let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
                inverseDeviation[r] = inv
                for c in 0..<C {
                    let v = (xb[r * C + c] - Float(mean)) * inv
                    normalized[r * C + c] = v
                    y[r * C + c] = v * scale.value[c] + shift.value[c]
                }
            }
        }
        return Activations(values: Tensor(shape: x.shape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let rows = outputGradient.count / size, C = size
        var dx = [Float](repeating: 0, count: outputGradient.count)
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            for r in 0..<rows {
                var meanG: Float = 0, meanGX: Float = 0
                for c in 0..<C {
                    let g = gb[r * C + c] * scale.value[c]
                    meanG += g
                    meanGX += g * normalized[r * C + c]
                    scale.gradient[c] += gb[r * C + c] * normalized[r * C + c]
                    shift.gradient[c] += gb[r * C + c]
                }
                meanG /= Float(C)
                meanGX /= Float(C)
                for c in 0..<C {
                    let g = gb[r * C + c] * scale.value[c]
                    dx[r * C + c] = (g - meanG - normalized[r * C + c] * meanGX) * inverseDeviation[r]
                }
            }
        }
        return Tensor(shape: shape, scalars: dx)
    }
}
