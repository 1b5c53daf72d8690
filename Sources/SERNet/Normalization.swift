import SERCore

/// Batch normalisation over the last (channel) axis: y = gamma (x - mean) / sqrt(var + eps) + beta.
///
/// Training: mean and biased variance over every valid row (`[N, C]`, or the valid frames of
/// `[N, T, C]` / `[N, T, F, C]`); running statistics move by `momentum` (0.1) with the unbiased variance,
/// as PyTorch. Inference: the running statistics. Rows of padded frames are normalised too (finite) but
/// take no part in the statistics and get zero gradient. Accumulation in Double, in an order fixed by the
/// data (`channelSums`), so outputs and gradients are the same bits for any thread count.
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
    private var threads = 1

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
        threads = context.threads
        let chunks = elementwiseChunks(samples: layout.batch, elements: x.count, threads: threads)
        var mean = [Float](repeating: 0, count: C)
        var variance = [Float](repeating: 1, count: C)
        if context.training {
            let statistics = x.scalars.withUnsafeBufferPointer { xb in
                BatchNorm.channelSums(layout: layout, lengths: input.lengths, chunks: chunks, first: xb.baseAddress!, second: nil)
            }
            let count = statistics.count, m = Double(max(count, 1))
            for c in 0..<C {
                let mu = statistics.sums[c] / m
                let biased = max(0, statistics.products[c] / m - mu * mu)
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
        if normalized.count != x.count { normalized = [Float](repeating: 0, count: x.count) }
        let gamma = scale.value, beta = shift.value, centre = mean
        let y = [Float](unsafeUninitializedCapacity: x.count) { yb, initialized in
            x.scalars.withUnsafeBufferPointer { xb in
                normalized.withUnsafeMutableBufferPointer { nb in
                    let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!)), nP = SharedPointer(nb.baseAddress!)
                    let yP = SharedPointer(yb.baseAddress!)
                    // Every row, padded ones included (finite values; they take no part in anything downstream).
                    parallelChunks(count: totalRows, chunks: chunks) { _, rows in
                        centre.withUnsafeBufferPointer { mb in
                            inverse.withUnsafeBufferPointer { ib in
                                gamma.withUnsafeBufferPointer { gb in
                                    beta.withUnsafeBufferPointer { bb in
                                        for r in rows {
                                            let xr = xP.base + r * C, nr = nP.base + r * C, yr = yP.base + r * C
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
            initialized = x.count
        }
        return Activations(values: Tensor(shape: x.shape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let layout = RowLayout(shape: shape)
        let C = channels
        let chunks = elementwiseChunks(samples: layout.batch, elements: outputGradient.count, threads: threads)
        let gamma = scale.value, inverse = inverseDeviation
        let lengths = self.lengths, trainingMode = self.trainingMode
        var dx = [Float](repeating: 0, count: outputGradient.count)
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            normalized.withUnsafeBufferPointer { nb in
                let statistics = BatchNorm.channelSums(layout: layout, lengths: lengths, chunks: chunks,
                                                       first: gb.baseAddress!, second: nb.baseAddress!)
                let sumDy = statistics.sums, sumDyX = statistics.products
                for c in 0..<C {
                    scale.gradient[c] += Float(sumDyX[c])
                    shift.gradient[c] += Float(sumDy[c])
                }
                let m = Float(max(statistics.count, 1))
                let meanDy = (0..<C).map { trainingMode ? Float(sumDy[$0]) * gamma[$0] / m : 0 }
                let meanDyX = (0..<C).map { trainingMode ? Float(sumDyX[$0]) * gamma[$0] / m : 0 }
                dx.withUnsafeMutableBufferPointer { db in
                    let gP = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                    let nP = SharedPointer(UnsafeMutablePointer(mutating: nb.baseAddress!)), dP = SharedPointer(db.baseAddress!)
                    parallelChunks(count: layout.batch, chunks: chunks) { _, samples in
                        gamma.withUnsafeBufferPointer { gm in
                            inverse.withUnsafeBufferPointer { ib in
                                meanDy.withUnsafeBufferPointer { md in
                                    meanDyX.withUnsafeBufferPointer { mx in
                                        for n in samples {
                                            for r in layout.validRows(n, lengths: lengths) {
                                                let gr = gP.base + r * C, nr = nP.base + r * C, dr = dP.base + r * C
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
        }
        return Tensor(shape: shape, scalars: dx)
    }

    /// Per-channel sums over the valid rows of every sample, and how many rows that is.
    struct ChannelSums {
        /// Sum of `first`.
        var sums: [Double]
        /// Sum of `first * first` (no `second`) or of `first * second`.
        var products: [Double]
        var count: Int
    }

    /// The sums of `first` and of `first * first` (`second == nil`) or `first * second` over valid rows.
    ///
    /// Each block of up to 64 consecutive valid rows of one sample is summed in Float (vectorised) by the
    /// thread that takes its sample (`chunks` split the samples); the blocks are then added into Double in
    /// one order fixed by the data (sample by sample, block by block). So the sums are the same bits for
    /// any `chunks`, the same as a single-threaded running sum; the block buffer holds 2 floats per
    /// channel per 64 rows (1/32 of the rows' floats), and the final fold is serial but that small.
    static func channelSums(layout: RowLayout, lengths: [Int]?, chunks: Int, first: UnsafePointer<Float>,
                            second: UnsafePointer<Float>?) -> ChannelSums {
        let C = layout.channels, width = 2 * C
        var firstBlock = [Int](repeating: 0, count: layout.batch + 1)
        var count = 0
        for n in 0..<layout.batch {
            let rows = layout.validRows(n, lengths: lengths).count
            count += rows
            firstBlock[n + 1] = firstBlock[n] + (rows + 63) / 64
        }
        let blockCount = firstBlock[layout.batch], blockStart = firstBlock
        var blocks = [Float](repeating: 0, count: blockCount * width)
        let aP = SharedPointer(UnsafeMutablePointer(mutating: first))
        let bP = second.map { SharedPointer(UnsafeMutablePointer(mutating: $0)) }
        var totals = [Double](repeating: 0, count: width)
        blocks.withUnsafeMutableBufferPointer { bb in
            let blockP = SharedPointer(bb.baseAddress!)
            parallelChunks(count: layout.batch, chunks: chunks) { _, samples in
                for n in samples {
                    let rows = layout.validRows(n, lengths: lengths)
                    var block = blockP.base + blockStart[n] * width
                    var r = rows.lowerBound
                    while r < rows.upperBound {
                        let end = min(r + 64, rows.upperBound)
                        BatchNorm.blockSums(rows: r..<end, channels: C, first: aP.base, second: bP?.base, into: block)
                        block += width
                        r = end
                    }
                }
            }
            totals.withUnsafeMutableBufferPointer { tb in
                for b in 0..<blockCount {
                    let block = bb.baseAddress! + b * width
                    for c in 0..<width { tb[c] += Double(block[c]) }
                }
            }
        }
        return ChannelSums(sums: Array(totals[..<C]), products: Array(totals[C...]), count: count)
    }

    /// block[c] = sum over `rows` of a[row, c]; block[C + c] = sum of a * b (or a * a), in row order,
    /// sixteen channels at a time in registers.
    @inline(__always)
    static func blockSums(rows: Range<Int>, channels C: Int, first a: UnsafeMutablePointer<Float>, second b: UnsafeMutablePointer<Float>?,
                          into block: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let rowBytes = C &* 4
        var c0 = 0
        while c0 &+ 16 <= C {
            var sum = V(), product = V()
            var pa = UnsafeRawPointer(a + (rows.lowerBound &* C &+ c0))
            if let b {
                var pb = UnsafeRawPointer(b + (rows.lowerBound &* C &+ c0))
                for _ in rows {
                    let v = pa.loadUnaligned(as: V.self)
                    sum += v
                    product += v * pb.loadUnaligned(as: V.self)
                    pa += rowBytes
                    pb += rowBytes
                }
            } else {
                for _ in rows {
                    let v = pa.loadUnaligned(as: V.self)
                    sum += v
                    product += v * v
                    pa += rowBytes
                }
            }
            UnsafeMutableRawPointer(block + c0).storeBytes(of: sum, as: V.self)
            UnsafeMutableRawPointer(block + (C &+ c0)).storeBytes(of: product, as: V.self)
            c0 &+= 16
        }
        for c in c0..<C {
            var sum: Float = 0, product: Float = 0
            for row in rows {
                let v = a[row &* C &+ c]
                sum += v
                product += v * (b?[row &* C &+ c] ?? v)
            }
            block[c] = sum
            block[C &+ c] = product
        }
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
