import SERCore

/// Max pooling over time (and frequency), stride = window, channels last.
/// `[N, T, C]` -> `[N, ceil(T / poolTime), C]` or `[N, T, F, C]` -> `[N, ceil(T / poolTime), ceil(F / poolFrequency), C]`.
/// New length = ceil(length / poolTime); a window only looks at valid frames, so padding never wins.
public final class MaxPooling: Layer {
    public let poolTime: Int
    public let poolFrequency: Int
    private var inputShape: [Int] = []
    /// Flat input index of each output's maximum (-1 for outputs past a sequence's end).
    private var argmax: [Int32] = []
    private var threads = 1

    public init(poolTime: Int, poolFrequency: Int = 1) {
        precondition(poolTime >= 1 && poolFrequency >= 1, "pool sizes must be >= 1, got \(poolTime) x \(poolFrequency)")
        self.poolTime = poolTime
        self.poolFrequency = poolFrequency
    }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.rank == 3 || x.rank == 4, "MaxPooling expects [N, T, C] or [N, T, F, C], got \(x.shape)")
        precondition(x.count < Int(Int32.max), "MaxPooling indexes with Int32, got \(x.count) elements")
        inputShape = x.shape
        threads = context.threads
        let N = x.shape[0], T = x.shape[1], F = x.rank == 4 ? x.shape[2] : 1, C = x.shape[x.rank - 1]
        let outT = (T + poolTime - 1) / poolTime, outF = (F + poolFrequency - 1) / poolFrequency
        let lengths = input.lengths ?? [Int](repeating: T, count: N)
        let outLengths = lengths.map { ($0 + poolTime - 1) / poolTime }
        if F == 1 {
            let y = forwardSequence(x, lengths: lengths, outLengths: outLengths, threads: context.threads)
            let shape = x.rank == 4 ? [N, outT, 1, C] : [N, outT, C]
            return Activations(values: Tensor(shape: shape, scalars: y), lengths: input.lengths == nil ? nil : outLengths)
        }
        var y = [Float](repeating: 0, count: N * outT * outF * C)
        argmax = [Int32](repeating: -1, count: y.count)
        x.scalars.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    for n in 0..<N {
                        for t in 0..<outLengths[n] {
                            let tEnd = min(lengths[n], (t + 1) * poolTime)
                            for f in 0..<outF {
                                let fEnd = min(F, (f + 1) * poolFrequency)
                                let out = ((n * outT + t) * outF + f) * C
                                let yr = yb.baseAddress! + out, ar = ab.baseAddress! + out
                                // The window's first position starts as the maximum; later ones replace it when larger,
                                // channel by channel (contiguous, vectorisable).
                                let first = ((n * T + t * poolTime) * F + f * poolFrequency) * C
                                for c in 0..<C { yr[c] = xb[first + c]; ar[c] = Int32(first + c) }
                                for tt in (t * poolTime)..<tEnd {
                                    for ff in (f * poolFrequency)..<fEnd {
                                        let base = ((n * T + tt) * F + ff) * C
                                        if base == first { continue }
                                        let xr = xb.baseAddress! + base
                                        for c in 0..<C where xr[c] > yr[c] {
                                            yr[c] = xr[c]
                                            ar[c] = Int32(base + c)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let shape = x.rank == 4 ? [N, outT, outF, C] : [N, outT, C]
        return Activations(values: Tensor(shape: shape, scalars: y), lengths: input.lengths == nil ? nil : outLengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        if inputShape.count == 3 || inputShape[2] == 1 { return backwardSequence(outputGradient) }
        var dx = [Float](repeating: 0, count: inputShape.reduce(1, *))
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            argmax.withUnsafeBufferPointer { ab in
                for i in 0..<gb.count where ab[i] >= 0 { dx[Int(ab[i])] += gb[i] }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}

/// The one-bin path (`[N, T, C]` or `[N, T, 1, C]`, every Conv1D model): samples split across threads,
/// branch-free (vectorised) comparisons; backward writes every input gradient once (no zero fill, no scatter).
extension MaxPooling {
    func forwardSequence(_ x: Tensor, lengths: [Int], outLengths: [Int], threads: Int) -> [Float] {
        let N = x.shape[0], T = x.shape[1], C = x.shape[x.rank - 1], p = poolTime
        let outT = (T + p - 1) / p
        let total = N * outT * C
        if argmax.count != total { argmax = [Int32](repeating: -1, count: total) }
        let y = [Float](unsafeUninitializedCapacity: total) { yb, initialized in
            x.scalars.withUnsafeBufferPointer { xb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!)), yP = SharedPointer(yb.baseAddress!)
                    let aP = SharedPointer(ab.baseAddress!)
                    parallelChunks(count: N, chunks: elementwiseChunks(samples: N, elements: x.count, threads: threads)) { _, range in
                        for n in range {
                            for t in 0..<outT {
                                let yr = yP.base + (n * outT + t) * C, ar = aP.base + (n * outT + t) * C
                                if t >= outLengths[n] {
                                    yr.update(repeating: 0, count: C)
                                    ar.update(repeating: -1, count: C)
                                    continue
                                }
                                let first = (n * T + t * p) * C
                                let x0 = xP.base + first
                                for c in 0..<C { yr[c] = x0[c]; ar[c] = Int32(truncatingIfNeeded: first &+ c) }
                                // Later window frames replace the maximum only when strictly larger (the first wins ties).
                                for tt in (t * p + 1)..<min(lengths[n], (t + 1) * p) {
                                    let base = (n * T + tt) * C
                                    let xr = xP.base + base
                                    for c in 0..<C {
                                        let v = xr[c], larger = v > yr[c]
                                        yr[c] = larger ? v : yr[c]
                                        ar[c] = larger ? Int32(truncatingIfNeeded: base &+ c) : ar[c]
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = total
        }
        return y
    }

    func backwardSequence(_ outputGradient: Tensor) -> Tensor {
        let N = inputShape[0], T = inputShape[1], C = inputShape[inputShape.count - 1], p = poolTime
        let outT = (T + p - 1) / p
        let total = N * T * C
        let dx = [Float](unsafeUninitializedCapacity: total) { db, initialized in
            outputGradient.scalars.withUnsafeBufferPointer { gb in
                argmax.withUnsafeBufferPointer { ab in
                    let gP = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!)), dP = SharedPointer(db.baseAddress!)
                    let aP = SharedPointer(UnsafeMutablePointer(mutating: ab.baseAddress!))
                    parallelChunks(count: N, chunks: elementwiseChunks(samples: N, elements: total, threads: threads)) { _, range in
                        for n in range {
                            for t in 0..<outT {
                                let g = gP.base + (n * outT + t) * C, a = aP.base + (n * outT + t) * C
                                for r in (t * p)..<min(T, (t + 1) * p) {
                                    let base = (n * T + r) * C
                                    let d = dP.base + base
                                    for c in 0..<C { d[c] = a[c] == Int32(truncatingIfNeeded: base &+ c) ? g[c] : 0 }
                                }
                            }
                        }
                    }
                }
            }
            initialized = total
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}

/// How a sequence `[N, T, C]` becomes one vector `[N, C]`. JSON: "last", "mean", "attention".
public enum SequencePoolingKind: String, Codable, Sendable, CaseIterable {
    /// The output at the last valid frame (for a bidirectional LSTM: forward half at length-1, backward half at 0).
    case last
    /// The mean over valid frames (and frequency bins for `[N, T, F, C]`).
    case mean
    /// Additive attention: e_t = u . tanh(W x_t + b), alpha = softmax over valid frames, out = sum alpha_t x_t.
    case attention
}

/// Masked mean over valid frames (and every frequency bin): `[N, T, C]` or `[N, T, F, C]` -> `[N, C]`.
public final class GlobalAveragePooling: Layer {
    private var inputShape: [Int] = []
    private var lengths: [Int]?

    public init() {}

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        inputShape = x.shape
        lengths = input.lengths
        let layout = RowLayout(shape: x.shape)
        let C = layout.channels
        var y = [Float](repeating: 0, count: layout.batch * C)
        x.scalars.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                for n in 0..<layout.batch {
                    let rows = layout.validRows(n, lengths: input.lengths)
                    let scale = 1 / Float(max(1, rows.count))
                    let out = yb.baseAddress! + n * C
                    accumulateRows(out, xb.baseAddress! + rows.lowerBound * C, rowCount: rows.count, width: C)
                    for c in 0..<C { out[c] *= scale }
                }
            }
        }
        return Activations(values: Tensor(shape: [layout.batch, C], scalars: y), lengths: nil)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let layout = RowLayout(shape: inputShape)
        let C = layout.channels
        var dx = [Float](repeating: 0, count: inputShape.reduce(1, *))
        dx.withUnsafeMutableBufferPointer { db in
            outputGradient.scalars.withUnsafeBufferPointer { gb in
                for n in 0..<layout.batch {
                    let rows = layout.validRows(n, lengths: lengths)
                    let scale = 1 / Float(max(1, rows.count))
                    let g = gb.baseAddress! + n * C
                    for r in rows {
                        let target = db.baseAddress! + r * C
                        for c in 0..<C { target[c] = g[c] * scale }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}

/// The output at each sequence's last valid frame: `[N, T, C]` -> `[N, C]`. With `splitBidirectional`, the
/// second half of the channels (a backward LSTM) is taken at frame 0, where that direction ends.
public final class LastStepPooling: Layer {
    public let splitBidirectional: Bool
    private var inputShape: [Int] = []
    private var lengths: [Int] = []

    public init(splitBidirectional: Bool = false) { self.splitBidirectional = splitBidirectional }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.rank == 3, "LastStepPooling expects [N, T, C], got \(x.shape)")
        inputShape = x.shape
        let N = x.shape[0], T = x.shape[1], C = x.shape[2]
        lengths = input.lengths ?? [Int](repeating: T, count: N)
        let half = splitBidirectional ? C / 2 : C
        var y = [Float](repeating: 0, count: N * C)
        for n in 0..<N {
            let last = max(0, lengths[n] - 1)
            for c in 0..<C {
                let t = c < half ? last : 0
                y[n * C + c] = x.scalars[(n * T + t) * C + c]
            }
        }
        return Activations(values: Tensor(shape: [N, C], scalars: y), lengths: nil)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let N = inputShape[0], T = inputShape[1], C = inputShape[2]
        let half = splitBidirectional ? C / 2 : C
        var dx = [Float](repeating: 0, count: N * T * C)
        for n in 0..<N {
            let last = max(0, lengths[n] - 1)
            for c in 0..<C {
                let t = c < half ? last : 0
                dx[(n * T + t) * C + c] += outputGradient.scalars[n * C + c]
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}

/// Additive attention pooling over valid frames: z_t = tanh(W x_t + b) (W `[A, C]`), e_t = u . z_t,
/// alpha = softmax(e) over t < length, out = sum_t alpha_t x_t. `[N, T, C]` -> `[N, C]`.
public final class AttentionPooling: Layer {
    public let inputSize: Int
    public let attentionSize: Int
    let weight: Parameter
    let bias: Parameter
    let context: Parameter
    private var input = Tensor(zeros: [0])
    private var lengths: [Int] = []
    private var projected: [Float] = []   // z, [N*T, A]
    private var weights: [Float] = []     // alpha, [N*T]

    public init(inputSize: Int, attentionSize: Int, generator: inout SeededGenerator, name: String = "attention") {
        self.inputSize = inputSize
        self.attentionSize = attentionSize
        let bound = 1 / Float(inputSize).squareRoot()
        weight = .uniform("\(name).weight", shape: [attentionSize, inputSize], bound: bound, generator: &generator)
        bias = .uniform("\(name).bias", shape: [attentionSize], bound: bound, generator: &generator)
        context = .uniform("\(name).context", shape: [attentionSize], bound: 1 / Float(attentionSize).squareRoot(), generator: &generator)
    }

    public var parameters: [Parameter] { [weight, bias, context] }

    public func forward(_ input: Activations, context ctx: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.rank == 3 && x.shape[2] == inputSize, "AttentionPooling expects [N, T, \(inputSize)], got \(x.shape)")
        let N = x.shape[0], T = x.shape[1], C = inputSize, A = attentionSize
        self.input = x
        lengths = input.lengths ?? [Int](repeating: T, count: N)
        projected = [Float](repeating: 0, count: N * T * A)
        weights = [Float](repeating: 0, count: N * T)
        var y = [Float](repeating: 0, count: N * C)
        x.scalars.withUnsafeBufferPointer { xb in
            projected.withUnsafeMutableBufferPointer { zb in
                for r in 0..<(N * T) { for a in 0..<A { zb[r * A + a] = bias.value[a] } }
                weight.value.withUnsafeBufferPointer { wb in
                    BLAS.gemm(transB: true, m: N * T, n: A, k: C, a: xb.baseAddress!, lda: C, b: wb.baseAddress!, ldb: C,
                              beta: 1, c: zb.baseAddress!, ldc: A)
                }
                FastMath.tanh(zb.baseAddress!, count: N * T * A)
                for n in 0..<N {
                    let length = lengths[n]
                    if length == 0 { continue }
                    var scores = [Float](repeating: 0, count: length)
                    for t in 0..<length {
                        var s: Float = 0
                        for a in 0..<A { s += zb[(n * T + t) * A + a] * context.value[a] }
                        scores[t] = s
                    }
                    let top = scores.max()!
                    var total: Float = 0
                    for t in 0..<length { scores[t] = FastMath.exp(scores[t] - top); total += scores[t] }
                    for t in 0..<length {
                        let alpha = scores[t] / total
                        weights[n * T + t] = alpha
                        for c in 0..<C { y[n * C + c] += alpha * xb[(n * T + t) * C + c] }
                    }
                }
            }
        }
        return Activations(values: Tensor(shape: [N, C], scalars: y), lengths: nil)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let N = input.shape[0], T = input.shape[1], C = inputSize, A = attentionSize
        var dx = [Float](repeating: 0, count: N * T * C)
        var dz = [Float](repeating: 0, count: N * T * A)
        input.scalars.withUnsafeBufferPointer { xb in
            for n in 0..<N {
                let length = lengths[n]
                if length == 0 { continue }
                let g = n * C
                // dalpha_t = g . x_t ; de_t = alpha_t (dalpha_t - sum alpha dalpha)
                var dAlpha = [Float](repeating: 0, count: length)
                var weighted: Float = 0
                for t in 0..<length {
                    let alpha = weights[n * T + t]
                    var s: Float = 0
                    for c in 0..<C {
                        s += outputGradient.scalars[g + c] * xb[(n * T + t) * C + c]
                        dx[(n * T + t) * C + c] = alpha * outputGradient.scalars[g + c]
                    }
                    dAlpha[t] = s
                    weighted += alpha * s
                }
                for t in 0..<length {
                    let de = weights[n * T + t] * (dAlpha[t] - weighted)
                    let row = (n * T + t) * A
                    for a in 0..<A {
                        let z = projected[row + a]
                        context.gradient[a] += de * z
                        dz[row + a] = de * context.value[a] * (1 - z * z)
                    }
                }
            }
            dz.withUnsafeBufferPointer { dzb in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transA: true, m: A, n: C, k: N * T, a: dzb.baseAddress!, lda: A, b: xb.baseAddress!, ldb: C,
                              beta: 1, c: dw.baseAddress!, ldc: C)
                }
                weight.value.withUnsafeBufferPointer { wb in
                    dx.withUnsafeMutableBufferPointer { dxb in
                        BLAS.gemm(m: N * T, n: C, k: A, a: dzb.baseAddress!, lda: A, b: wb.baseAddress!, ldb: C,
                                  beta: 1, c: dxb.baseAddress!, ldc: C)
                    }
                }
                for r in 0..<(N * T) { for a in 0..<A { bias.gradient[a] += dzb[r * A + a] } }
            }
        }
        return Tensor(shape: input.shape, scalars: dx)
    }
}
