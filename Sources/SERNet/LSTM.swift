import SERCore

/// One direction of one LSTM layer over padded, batch-major sequences.
///
/// Gates (PyTorch order i, f, g, o): `[i f g o] = x_t W_ih^T + h_{t-1} W_hh^T + b`,
/// `c_t = sigmoid(f) c_{t-1} + sigmoid(i) tanh(g)`, `h_t = sigmoid(o) tanh(c_t)`, h_{-1} = c_{-1} = 0.
/// Shapes: x `[N, T, F]`, h `[N, T, H]`; W_ih `[4H, F]`, W_hh `[4H, H]`, one bias `[4H]`.
/// Init: U(-1/sqrt(H), 1/sqrt(H)) as PyTorch, plus 1 on the forget-gate bias.
///
/// Speed: the batch is split into one chunk of sequences per thread; each thread projects its chunk's
/// frames with one GEMM into the gate buffer, then for each step adds `h_{t-1} W_hh^T` with a strided GEMM
/// straight into that buffer (ldc = T * 4H) and applies the fused, vectorised gate nonlinearities in place.
/// Frames `t >= length` are never computed: their h, c and gate gradients are set to zero, so padding
/// cannot reach outputs or gradients.
final class LSTMDirection {
    let inputSize: Int
    let hiddenSize: Int
    let weightIH: Parameter
    let weightHH: Parameter
    let bias: Parameter

    private var input: [Float] = []
    private var gates: [Float] = []
    private var cells: [Float] = []
    private var tanhCells: [Float] = []
    private var hidden: [Float] = []
    private var lengths: [Int] = []
    private var batch = 0
    private var frames = 0
    private var threads = 1

    init(inputSize: Int, hiddenSize: Int, generator: inout SeededGenerator, name: String) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Float(hiddenSize).squareRoot()
        weightIH = .uniform("\(name).weightIH", shape: [4 * hiddenSize, inputSize], bound: bound, generator: &generator)
        weightHH = .uniform("\(name).weightHH", shape: [4 * hiddenSize, hiddenSize], bound: bound, generator: &generator)
        bias = .uniform("\(name).bias", shape: [4 * hiddenSize], bound: bound, generator: &generator)
        for j in hiddenSize..<(2 * hiddenSize) { bias.value[j] += 1 }
    }

    var parameters: [Parameter] { [weightIH, weightHH, bias] }

    /// x `[N, T, F]` flattened -> h `[N, T, H]` flattened.
    func forward(_ x: [Float], batch: Int, frames: Int, lengths: [Int], threads: Int) -> [Float] {
        let H = hiddenSize, G = 4 * hiddenSize, F = inputSize
        precondition(x.count == batch * frames * F, "LSTM input has \(x.count) values, expected \(batch)x\(frames)x\(F)")
        self.input = x
        self.batch = batch
        self.frames = frames
        self.lengths = lengths
        self.threads = threads
        let rows = batch * frames
        if gates.count != rows * G { gates = [Float](repeating: 0, count: rows * G) }
        if cells.count != rows * H {
            cells = [Float](repeating: 0, count: rows * H)
            tanhCells = cells
        }
        // Fresh every pass: the previous output may still be referenced downstream (no copy-on-write copy).
        // Left uninitialised: `forwardChunk` writes every frame of every sequence (zero past its length).
        hidden = [Float](unsafeUninitializedCapacity: rows * H) { _, count in count = rows * H }
        let T = frames
        let biasValues = bias.value, inputWeights = weightIH.value
        gates.withUnsafeMutableBufferPointer { gb in
            cells.withUnsafeMutableBufferPointer { cb in
                tanhCells.withUnsafeMutableBufferPointer { tb in
                    hidden.withUnsafeMutableBufferPointer { hb in
                        weightHH.value.withUnsafeMutableBufferPointer { wb in
                            let gP = SharedPointer(gb.baseAddress!), cP = SharedPointer(cb.baseAddress!), tP = SharedPointer(tb.baseAddress!)
                            let hP = SharedPointer(hb.baseAddress!)
                            // h_{t-1} W_hh^T: W_hh^T [H, 4H] packed once for all steps.
                            let recurrent = BLAS.prepare(wb.baseAddress!, ldb: H, transposed: true, k: H, n: G)
                            // Each thread projects its own sequences' frames, then runs their recurrence: no serial
                            // bias fill and no barrier between the two.
                            parallelChunks(count: batch, chunks: threads) { _, range in
                                LSTMDirection.projectInput(x, rows: (range.lowerBound * T)..<(range.upperBound * T), inputSize: F,
                                                           bias: biasValues, weight: inputWeights, into: gP.base)
                                LSTMDirection.forwardChunk(range: range, frames: T, hiddenSize: H, lengths: lengths,
                                                           gates: gP.base, cells: cP.base, tanhCells: tP.base,
                                                           hidden: hP.base, weightHH: recurrent)
                            }
                        }
                    }
                }
            }
        }
        return hidden
    }

    /// `gates[r] = bias + x[r] W_ih^T` for the frames `rows` (flattened `n * T + t`), one GEMM. Each row sums in
    /// the same order however the rows are split, so per-thread projections give the bits of one over all rows.
    private static func projectInput(_ x: [Float], rows: Range<Int>, inputSize F: Int, bias: [Float], weight: [Float],
                                     into gates: UnsafeMutablePointer<Float>) {
        let G = bias.count
        bias.withUnsafeBufferPointer { b in
            for r in rows { (gates + r * G).update(from: b.baseAddress!, count: G) }
        }
        x.withUnsafeBufferPointer { xb in
            weight.withUnsafeBufferPointer { w in
                BLAS.gemm(transB: true, m: rows.count, n: G, k: F, a: xb.baseAddress! + rows.lowerBound * F, lda: F, b: w.baseAddress!, ldb: F,
                          beta: 1, c: gates + rows.lowerBound * G, ldc: G)
            }
        }
    }

    private static func forwardChunk(range: Range<Int>, frames T: Int, hiddenSize H: Int, lengths: [Int],
                                     gates: UnsafeMutablePointer<Float>, cells: UnsafeMutablePointer<Float>,
                                     tanhCells: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                                     weightHH: PreparedOperand) {
        let G = 4 * H
        let n0 = range.lowerBound, m = range.count
        let longest = range.map { lengths[$0] }.max() ?? 0
        for t in 0..<longest {
            if t > 0 {
                BLAS.gemm(m: m, a: hidden + (n0 * T + t - 1) * H, lda: T * H, b: weightHH,
                          beta: 1, c: gates + (n0 * T + t) * G, ldc: T * G)
            }
            for n in range {
                let row = n * T + t
                let g = gates + row * G
                let c = cells + row * H, tc = tanhCells + row * H, h = hidden + row * H
                if t < lengths[n] {
                    FastMath.sigmoid(g, count: 2 * H)
                    FastMath.tanh(g + 2 * H, count: H)
                    FastMath.sigmoid(g + 3 * H, count: H)
                    if t > 0 {
                        let cPrev = c - H
                        for j in 0..<H { c[j] = g[H + j] * cPrev[j] + g[j] * g[2 * H + j] }
                    } else {
                        for j in 0..<H { c[j] = g[j] * g[2 * H + j] }
                    }
                    FastMath.tanh(c, into: tc, count: H)
                    for j in 0..<H { h[j] = g[3 * H + j] * tc[j] }
                } else {
                    g.update(repeating: 0, count: G)
                    c.update(repeating: 0, count: H)
                    tc.update(repeating: 0, count: H)
                    h.update(repeating: 0, count: H)
                }
            }
        }
        // Frames past the longest sequence of the chunk: zero (never computed).
        if longest < T {
            for n in range {
                for t in longest..<T {
                    let row = n * T + t
                    (gates + row * G).update(repeating: 0, count: G)
                    (cells + row * H).update(repeating: 0, count: H)
                    (tanhCells + row * H).update(repeating: 0, count: H)
                    (hidden + row * H).update(repeating: 0, count: H)
                }
            }
        }
    }

    /// dL/dh `[N, T, H]` -> dL/dx `[N, T, F]`; accumulates parameter gradients. Overwrites the gate cache.
    func backward(_ outputGradient: [Float]) -> [Float] {
        let H = hiddenSize, G = 4 * hiddenSize, F = inputSize, T = frames, N = batch
        let rows = N * T
        precondition(outputGradient.count == rows * H, "LSTM gradient has \(outputGradient.count) values, expected \(rows * H)")
        let chunks = max(1, min(threads, N))
        var partialHH = [Float](repeating: 0, count: chunks * G * H)
        var dx = [Float](repeating: 0, count: rows * F)
        let lengths = self.lengths
        gates.withUnsafeMutableBufferPointer { gb in
            let dG = gb.baseAddress!
            cells.withUnsafeBufferPointer { cb in
                tanhCells.withUnsafeBufferPointer { tb in
                    hidden.withUnsafeBufferPointer { hb in
                        weightHH.value.withUnsafeBufferPointer { wb in
                            outputGradient.withUnsafeBufferPointer { yb in
                                partialHH.withUnsafeMutableBufferPointer { pb in
                                    // Read-only caches seen through mutable pointers only for the Sendable wrapper.
                                    let gP = SharedPointer(dG), cP = SharedPointer(UnsafeMutablePointer(mutating: cb.baseAddress!))
                                    let tP = SharedPointer(UnsafeMutablePointer(mutating: tb.baseAddress!))
                                    let hP = SharedPointer(UnsafeMutablePointer(mutating: hb.baseAddress!))
                                    let yP = SharedPointer(UnsafeMutablePointer(mutating: yb.baseAddress!))
                                    // dG_t W_hh: W_hh [4H, H] packed once for all steps.
                                    let recurrent = BLAS.prepare(wb.baseAddress!, ldb: H, transposed: false, k: G, n: H)
                                    let pP = SharedPointer(pb.baseAddress!)
                                    parallelChunks(count: N, chunks: chunks) { chunk, range in
                                        LSTMDirection.backwardChunk(range: range, frames: T, hiddenSize: H, lengths: lengths,
                                                                    gates: gP.base, cells: cP.base, tanhCells: tP.base,
                                                                    hidden: hP.base, weightHH: recurrent, outputGradient: yP.base,
                                                                    gradientHH: pP.base + chunk * G * H)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            weightHH.gradient.withUnsafeMutableBufferPointer { dw in
                partialHH.withUnsafeBufferPointer { pb in
                    for chunk in 0..<chunks {
                        let p = pb.baseAddress! + chunk * G * H
                        for i in 0..<(G * H) { dw[i] += p[i] }
                    }
                }
            }
            input.withUnsafeBufferPointer { xb in
                weightIH.gradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transA: true, m: G, n: F, k: rows, a: dG, lda: G, b: xb.baseAddress!, ldb: F,
                              beta: 1, c: dw.baseAddress!, ldc: F, threads: chunks)
                }
            }
            weightIH.value.withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBufferPointer { dxb in
                    BLAS.gemm(m: rows, n: F, k: G, a: dG, lda: G, b: w.baseAddress!, ldb: F, beta: 0, c: dxb.baseAddress!, ldc: F, threads: chunks)
                }
            }
            bias.gradient.withUnsafeMutableBufferPointer { db in
                for r in 0..<rows {
                    let row = dG + r * G
                    for j in 0..<G { db[j] += row[j] }
                }
            }
        }
        return dx
    }

    private static func backwardChunk(range: Range<Int>, frames T: Int, hiddenSize H: Int, lengths: [Int],
                                      gates: UnsafeMutablePointer<Float>, cells: UnsafeMutablePointer<Float>,
                                      tanhCells: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                                      weightHH: PreparedOperand, outputGradient: UnsafeMutablePointer<Float>,
                                      gradientHH: UnsafeMutablePointer<Float>) {
        let G = 4 * H
        let n0 = range.lowerBound, m = range.count
        let longest = range.map { lengths[$0] }.max() ?? 0
        let dhRecurrent = UnsafeMutablePointer<Float>.allocate(capacity: m * H)
        let dcNext = UnsafeMutablePointer<Float>.allocate(capacity: m * H)
        let zeros = UnsafeMutablePointer<Float>.allocate(capacity: H)
        defer { dhRecurrent.deallocate(); dcNext.deallocate(); zeros.deallocate() }
        zeros.initialize(repeating: 0, count: H)
        dhRecurrent.initialize(repeating: 0, count: m * H)
        dcNext.initialize(repeating: 0, count: m * H)
        for t in stride(from: longest - 1, through: 0, by: -1) {
            for n in range {
                let local = n - n0
                let row = n * T + t
                let g = gates + row * G
                let dhr = dhRecurrent + local * H, dcn = dcNext + local * H
                if t < lengths[n] {
                    let dy = outputGradient + row * H
                    let tc = tanhCells + row * H
                    // c_{t-1}; at t = 0 the zero row of the scratch buffer.
                    let cPrev = t > 0 ? UnsafePointer(cells + (row - 1) * H) : UnsafePointer(zeros)
                    for j in 0..<H {
                        let i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j]
                        let dh = dy[j] + dhr[j]
                        let tcj = tc[j]
                        let dc = dcn[j] + dh * o * (1 - tcj * tcj)
                        let cp = cPrev[j]
                        g[j] = dc * gg * i * (1 - i)
                        g[H + j] = dc * cp * f * (1 - f)
                        g[2 * H + j] = dc * i * (1 - gg * gg)
                        g[3 * H + j] = dh * tcj * o * (1 - o)
                        dcn[j] = dc * f
                    }
                } else {
                    g.update(repeating: 0, count: G)
                    dcn.update(repeating: 0, count: H)
                }
            }
            if t > 0 {
                BLAS.gemm(m: m, a: gates + (n0 * T + t) * G, lda: T * G, b: weightHH, beta: 0, c: dhRecurrent, ldc: H)
            }
        }
        // dW_hh = sum over samples and frames t >= 1 of dG_t^T h_{t-1}.
        for n in range where lengths[n] > 1 {
            BLAS.gemm(transA: true, m: G, n: H, k: lengths[n] - 1, a: gates + (n * T + 1) * G, lda: G,
                      b: hidden + n * T * H, ldb: H, beta: 1, c: gradientHH, ldc: H)
        }
    }
}

/// A (optionally bidirectional) LSTM layer: `[N, T, F]` -> `[N, T, H]` or `[N, T, 2H]` (forward then backward
/// halves). The backward direction runs the forward kernel on each sequence reversed within its own length,
/// so it starts at the last valid frame, never in the padding.
public final class LSTMLayer: Layer {
    public let inputSize: Int
    public let hiddenSize: Int
    public let bidirectional: Bool
    let forwardDirection: LSTMDirection
    let backwardDirection: LSTMDirection?
    private var shape: [Int] = []
    private var lengths: [Int] = []

    public init(inputSize: Int, hiddenSize: Int, bidirectional: Bool, generator: inout SeededGenerator, name: String = "lstm") {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.bidirectional = bidirectional
        forwardDirection = LSTMDirection(inputSize: inputSize, hiddenSize: hiddenSize, generator: &generator, name: "\(name).forward")
        backwardDirection = bidirectional
            ? LSTMDirection(inputSize: inputSize, hiddenSize: hiddenSize, generator: &generator, name: "\(name).backward") : nil
    }

    public var outputSize: Int { bidirectional ? 2 * hiddenSize : hiddenSize }

    public var parameters: [Parameter] { forwardDirection.parameters + (backwardDirection?.parameters ?? []) }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.rank == 3 && x.shape[2] == inputSize, "LSTM expects [N, T, \(inputSize)], got \(x.shape)")
        let N = x.shape[0], T = x.shape[1], H = hiddenSize
        let lengths = input.lengths ?? [Int](repeating: T, count: N)
        self.shape = x.shape
        self.lengths = lengths
        let forwardHidden = forwardDirection.forward(x.scalars, batch: N, frames: T, lengths: lengths, threads: context.threads)
        guard let backwardDirection else {
            return Activations(values: Tensor(shape: [N, T, H], scalars: forwardHidden), lengths: input.lengths)
        }
        let reversed = reverseWithinLengths(x.scalars, batch: N, frames: T, width: inputSize, lengths: lengths)
        let backwardHidden = reverseWithinLengths(
            backwardDirection.forward(reversed, batch: N, frames: T, lengths: lengths, threads: context.threads),
            batch: N, frames: T, width: H, lengths: lengths)
        var y = [Float](repeating: 0, count: N * T * 2 * H)
        y.withUnsafeMutableBufferPointer { yb in
            forwardHidden.withUnsafeBufferPointer { fb in
                backwardHidden.withUnsafeBufferPointer { bb in
                    for r in 0..<(N * T) {
                        (yb.baseAddress! + r * 2 * H).update(from: fb.baseAddress! + r * H, count: H)
                        (yb.baseAddress! + r * 2 * H + H).update(from: bb.baseAddress! + r * H, count: H)
                    }
                }
            }
        }
        return Activations(values: Tensor(shape: [N, T, 2 * H], scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let N = shape[0], T = shape[1], H = hiddenSize
        guard let backwardDirection else {
            return Tensor(shape: shape, scalars: forwardDirection.backward(outputGradient.scalars))
        }
        var forwardGradient = [Float](repeating: 0, count: N * T * H)
        var backwardGradient = forwardGradient
        outputGradient.scalars.withUnsafeBufferPointer { gb in
            forwardGradient.withUnsafeMutableBufferPointer { fb in
                backwardGradient.withUnsafeMutableBufferPointer { bb in
                    for r in 0..<(N * T) {
                        (fb.baseAddress! + r * H).update(from: gb.baseAddress! + r * 2 * H, count: H)
                        (bb.baseAddress! + r * H).update(from: gb.baseAddress! + r * 2 * H + H, count: H)
                    }
                }
            }
        }
        var dx = forwardDirection.backward(forwardGradient)
        let reversedGradient = reverseWithinLengths(backwardGradient, batch: N, frames: T, width: H, lengths: lengths)
        let dxReversed = backwardDirection.backward(reversedGradient)
        let dxBackward = reverseWithinLengths(dxReversed, batch: N, frames: T, width: inputSize, lengths: lengths)
        for i in 0..<dx.count { dx[i] += dxBackward[i] }
        return Tensor(shape: shape, scalars: dx)
    }
}

/// `y[n, t] = x[n, length_n - 1 - t]` for t < length_n, zero after.
func reverseWithinLengths(_ x: [Float], batch: Int, frames: Int, width: Int, lengths: [Int]) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            for n in 0..<batch {
                let length = lengths[n]
                for t in 0..<length {
                    (yb.baseAddress! + (n * frames + t) * width)
                        .update(from: xb.baseAddress! + (n * frames + length - 1 - t) * width, count: width)
                }
            }
        }
    }
    return y
}
