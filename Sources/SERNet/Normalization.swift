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
                sum.withUnsafeMutableBufferPointer { sb in
                    squares.withUnsafeMutableBufferPointer { qb in
                        // Float partial sums per row block of 64, folded into Double: exact enough, vectorised.
                        var partial = [Float](repeating: 0, count: 2 * C)
                        partial.withUnsafeMutableBufferPointer { pb in
                            for n in 0..<layout.batch {
                                let rows = layout.validRows(n, lengths: input.lengths)
                                count += rows.count
                                var r = rows.lowerBound
                                while r < rows.upperBound {
                                    let end = min(r + 64, rows.upperBound)
                                    pb.update(repeating: 0)
                                    for row in r..<end {
                                        let xr = xb.baseAddress! + row * C
                                        for c in 0..<C { let v = xr[c]; pb[c] += v; pb[C + c] += v * v }
                                    }
                                    for c in 0..<C { sb[c] += Double(pb[c]); qb[c] += Double(pb[C + c]) }
                                    r = end
                                }
                            }
                        }
                    }
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
        let inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
        inverseDeviation = inverse
        var normalizedValues = [Float](repeating: 0, count: x.count)
        var y = [Float](repeating: 0, count: x.count)
        let gamma = scale.value, beta = shift.value
        x.scalars.withUnsafeBufferPointer { xb in
            normalizedValues.withUnsafeMutableBufferPointer { nb in
                y.withUnsafeMutableBufferPointer { yb in
                    mean.withUnsafeBufferPointer { mb in
                        inverse.withUnsafeBufferPointer { ib in
                            gamma.withUnsafeBufferPointer { gb in
                                beta.withUnsafeBufferPointer { bb in
                                    for r in 0..<totalRows {
                                        let xr = xb.baseAddress! + r * C, nr = nb.baseAddress! + r * C, yr = yb.baseAddress! + r * C
                                        for c in 0..<C {
                                            let v = (xr[c] - mb[c]) * ib[c]
                                            nr[c] = v
                                            yr[c] = v * gb[c] + bb[c]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        normalized = normalizedValues
        return Activations(values: Tensor(shape: x.shape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let layout = RowLayout(shape: shape)
        let C = channels
        var dx = [Float](repeating: 0, count: outputGradient.count)
        var sumDy = [Double](repeating: 0, count: C), sumDyX = [Double](repeating: 0, count: C)
        var count = 0
        let gamma = scale.value, inverse = inverseDeviation
        let lengths = self.lengths, trainingMode = self.trainingMode
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            normalized.withUnsafeBufferPointer { nb in
                var partial = [Float](repeating: 0, count: 2 * C)
                partial.withUnsafeMutableBufferPointer { pb in
                    for n in 0..<layout.batch {
                        let rows = layout.validRows(n, lengths: lengths)
                        count += rows.count
                        var r = rows.lowerBound
                        while r < rows.upperBound {
                            let end = min(r + 64, rows.upperBound)
                            pb.update(repeating: 0)
                            for row in r..<end {
                                let gr = gb.baseAddress! + row * C, nr = nb.baseAddress! + row * C
                                for c in 0..<C { pb[c] += gr[c]; pb[C + c] += gr[c] * nr[c] }
                            }
                            for c in 0..<C { sumDy[c] += Double(pb[c]); sumDyX[c] += Double(pb[C + c]) }
                            r = end
                        }
                    }
                }
                for c in 0..<C {
                    scale.gradient[c] += Float(sumDyX[c])
                    shift.gradient[c] += Float(sumDy[c])
                }
                let m = Float(max(count, 1))
                let meanDy = (0..<C).map { trainingMode ? Float(sumDy[$0]) * gamma[$0] / m : 0 }
                let meanDyX = (0..<C).map { trainingMode ? Float(sumDyX[$0]) * gamma[$0] / m : 0 }
                dx.withUnsafeMutableBufferPointer { db in
                    gamma.withUnsafeBufferPointer { gm in
                        inverse.withUnsafeBufferPointer { ib in
                            meanDy.withUnsafeBufferPointer { md in
                                meanDyX.withUnsafeBufferPointer { mx in
                                    for n in 0..<layout.batch {
                                        for r in layout.validRows(n, lengths: lengths) {
                                            let gr = gb.baseAddress! + r * C, nr = nb.baseAddress! + r * C, dr = db.baseAddress! + r * C
                                            for c in 0..<C {
                                                dr[c] = (gr[c] * gm[c] - md[c] - nr[c] * mx[c]) * ib[c]
                                            }
                                        }
                                    }
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
        var normalizedValues = [Float](repeating: 0, count: x.count)
        var inverse = [Float](repeating: 0, count: rows)
        var y = [Float](repeating: 0, count: x.count)
        let gamma = scale.value, beta = shift.value
        x.scalars.withUnsafeBufferPointer { xb in
            normalizedValues.withUnsafeMutableBufferPointer { nb in
                y.withUnsafeMutableBufferPointer { yb in
                    for r in 0..<rows {
                        let xr = xb.baseAddress! + r * C, nr = nb.baseAddress! + r * C, yr = yb.baseAddress! + r * C
                        var sum: Double = 0, squares: Double = 0
                        for c in 0..<C { let v = Double(xr[c]); sum += v; squares += v * v }
                        let mean = sum / Double(C)
                        let variance = max(0, squares / Double(C) - mean * mean)
                        let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
                        inverse[r] = inv
                        let meanF = Float(mean)
                        for c in 0..<C {
                            let v = (xr[c] - meanF) * inv
                            nr[c] = v
                            yr[c] = v * gamma[c] + beta[c]
                        }
                    }
                }
            }
        }
        normalized = normalizedValues
        inverseDeviation = inverse
        return Activations(values: Tensor(shape: x.shape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let rows = outputGradient.count / size, C = size
        var dx = [Float](repeating: 0, count: outputGradient.count)
        var dGamma = [Float](repeating: 0, count: C), dBeta = [Float](repeating: 0, count: C)
        let gamma = scale.value, inverse = inverseDeviation
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            normalized.withUnsafeBufferPointer { nb in
                dx.withUnsafeMutableBufferPointer { db in
                    for r in 0..<rows {
                        let gr = gb.baseAddress! + r * C, nr = nb.baseAddress! + r * C, dr = db.baseAddress! + r * C
                        var meanG: Float = 0, meanGX: Float = 0
                        for c in 0..<C {
                            let g = gr[c] * gamma[c]
                            meanG += g
                            meanGX += g * nr[c]
                            dGamma[c] += gr[c] * nr[c]
                            dBeta[c] += gr[c]
                        }
                        meanG /= Float(C)
                        meanGX /= Float(C)
                        for c in 0..<C { dr[c] = (gr[c] * gamma[c] - meanG - nr[c] * meanGX) * inverse[r] }
                    }
                }
            }
        }
        for c in 0..<C {
            scale.gradient[c] += dGamma[c]
            shift.gradient[c] += dBeta[c]
        }
        return Tensor(shape: shape, scalars: dx)
    }
}
