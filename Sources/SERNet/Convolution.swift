import SERCore

/// 2-D convolution over time x frequency, channels last, stride 1, "same" zero padding.
///
/// y[n, t, f, o] = b[o] + sum_{dt, df, c} W[o, dt, df, c] x[n, t + dt - padT, f + df - padF, c],
/// padT = (kT - 1) / 2, padF = (kF - 1) / 2; frames at or after a sequence's length read as zero, so the
/// padding never reaches valid outputs, and output frames past the length are zero.
/// Shapes: x `[N, T, F, Cin]` -> y `[N, T, F, Cout]`; W `[Cout, kT * kF * Cin]` (row order dt, df, c),
/// b `[Cout]`. Init U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = kT kF Cin, as PyTorch.
/// Implementation: im2col of one sample at a time (memory stays one sample's columns per thread) and a
/// GEMM; samples are split across threads, each accumulating its own weight-gradient partial.
public final class Conv2D: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelTime: Int
    public let kernelFrequency: Int
    let weight: Parameter
    let bias: Parameter
    private var input = Tensor(zeros: [0])
    var lengths: [Int] = []
    var threads = 1
    /// Sequence path (one bin, `kT x 1` kernel, native GEMM): the zero-padded inputs `[N, T + kT - 1, Cin]`
    /// kept from forward, and the padded output gradients of backward; reused across batches.
    var paddedInputStorage: [Float] = []
    var paddedGradientStorage: [Float] = []
    private var sequencePath = false
    var inputShape: [Int] = []

    public init(inputChannels: Int, outputChannels: Int, kernelTime: Int, kernelFrequency: Int,
                generator: inout SeededGenerator, name: String = "conv") {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelTime = kernelTime
        self.kernelFrequency = kernelFrequency
        let fanIn = kernelTime * kernelFrequency * inputChannels
        let bound = 1 / Float(fanIn).squareRoot()
        weight = .uniform("\(name).weight", shape: [outputChannels, fanIn], bound: bound, generator: &generator)
        bias = .uniform("\(name).bias", shape: [outputChannels], bound: bound, generator: &generator)
    }

    public var parameters: [Parameter] { [weight, bias] }

    private var columnWidth: Int { kernelTime * kernelFrequency * inputChannels }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.rank == 4 && x.shape[3] == inputChannels, "Conv2D expects [N, T, F, \(inputChannels)], got \(x.shape)")
        let N = x.shape[0], T = x.shape[1], F = x.shape[2]
        let lengths = input.lengths ?? [Int](repeating: T, count: N)
        self.lengths = lengths
        self.threads = context.threads
        inputShape = x.shape
        sequencePath = F == 1 && kernelFrequency == 1 && BLAS.useNativeGEMM
        if sequencePath {
            self.input = Tensor(zeros: [0])
            let y = forwardSequence(x, lengths: lengths, threads: context.threads)
            return Activations(values: Tensor(shape: [N, T, F, outputChannels], scalars: y), lengths: input.lengths)
        }
        self.input = x
        let Cout = outputChannels, KC = columnWidth
        var y = [Float](repeating: 0, count: N * T * F * Cout)
        let geometry = geometry(frames: T, bins: F)
        x.scalars.withUnsafeBufferPointer { xb in
            weight.value.withUnsafeBufferPointer { wb in
                bias.value.withUnsafeBufferPointer { bb in
                    y.withUnsafeMutableBufferPointer { yb in
                        let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                        let wP = SharedPointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                        let bP = SharedPointer(UnsafeMutablePointer(mutating: bb.baseAddress!))
                        let yP = SharedPointer(yb.baseAddress!)
                        parallelChunks(count: N, chunks: context.threads) { _, range in
                            // Samples in groups whose columns fit the budget: one GEMM per group.
                            let group = geometry.groupSize(samples: range.count)
                            let columns = UnsafeMutablePointer<Float>.allocate(capacity: max(1, group * T * F * KC))
                            defer { columns.deallocate() }
                            var n0 = range.lowerBound
                            while n0 < range.upperBound {
                                let n1 = min(n0 + group, range.upperBound)
                                for n in n0..<n1 {
                                    geometry.im2colPadded(x: xP.base + n * T * F * geometry.inputChannels, length: lengths[n],
                                                          columns: columns + (n - n0) * T * F * KC)
                                }
                                let rows = (n1 - n0) * T * F
                                let out = yP.base + n0 * T * F * Cout
                                for r in 0..<rows { (out + r * Cout).update(from: bP.base, count: Cout) }
                                BLAS.gemm(transB: true, m: rows, n: Cout, k: KC, a: columns, lda: KC, b: wP.base, ldb: KC,
                                          beta: 1, c: out, ldc: Cout)
                                // Output frames past each length are zero, as documented.
                                for n in n0..<n1 where lengths[n] < T {
                                    (yP.base + (n * T + lengths[n]) * F * Cout).update(repeating: 0, count: (T - lengths[n]) * F * Cout)
                                }
                                n0 = n1
                            }
                        }
                    }
                }
            }
        }
        return Activations(values: Tensor(shape: [N, T, F, Cout], scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, inputGradient: true)
    }

    public func backwardParametersOnly(_ outputGradient: Tensor) {
        _ = backward(outputGradient, inputGradient: false)
    }

    /// With `inputGradient == false` only the parameter gradients are accumulated (an empty tensor is returned).
    func backward(_ outputGradient: Tensor, inputGradient: Bool) -> Tensor {
        if sequencePath { return backwardSequence(outputGradient, inputGradient: inputGradient) }
        let N = input.shape[0], T = input.shape[1], F = input.shape[2]
        let Cout = outputChannels, KC = columnWidth
        let chunks = max(1, min(threads, N))
        var partialWeight = [Float](repeating: 0, count: chunks * Cout * KC)
        var partialBias = [Float](repeating: 0, count: chunks * Cout)
        var dx = [Float](repeating: 0, count: inputGradient ? input.count : 1)
        let geometry = geometry(frames: T, bins: F)
        let lengths = self.lengths
        input.scalars.withUnsafeBufferPointer { xb in
            weight.value.withUnsafeBufferPointer { wb in
                outputGradient.scalars.withUnsafeBufferPointer { gb in
                    dx.withUnsafeMutableBufferPointer { dxb in
                        partialWeight.withUnsafeMutableBufferPointer { pwb in
                            partialBias.withUnsafeMutableBufferPointer { pbb in
                                let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                                let wP = SharedPointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                                let gP = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                                let dxP = SharedPointer(dxb.baseAddress!), pwP = SharedPointer(pwb.baseAddress!)
                                let pbP = SharedPointer(pbb.baseAddress!)
                                parallelChunks(count: N, chunks: chunks) { chunk, range in
                                    let group = geometry.groupSize(samples: range.count)
                                    let columns = UnsafeMutablePointer<Float>.allocate(capacity: max(1, group * T * F * KC))
                                    defer { columns.deallocate() }
                                    let dW = pwP.base + chunk * Cout * KC, dB = pbP.base + chunk * Cout
                                    var n0 = range.lowerBound
                                    while n0 < range.upperBound {
                                        let n1 = min(n0 + group, range.upperBound)
                                        for n in n0..<n1 {
                                            geometry.im2colPadded(x: xP.base + n * T * F * geometry.inputChannels, length: lengths[n],
                                                                  columns: columns + (n - n0) * T * F * KC)
                                        }
                                        let rows = (n1 - n0) * T * F
                                        let dy = gP.base + n0 * T * F * Cout
                                        // Column rows past a length are zero, so those frames add nothing to dW.
                                        BLAS.gemm(transA: true, m: Cout, n: KC, k: rows, a: dy, lda: Cout, b: columns, ldb: KC,
                                                  beta: 1, c: dW, ldc: KC)
                                        for n in n0..<n1 {
                                            let first = (n - n0) * T * F
                                            accumulateRows(dB, dy + first * Cout, rowCount: lengths[n] * F, width: Cout)
                                        }
                                        if inputGradient {
                                            BLAS.gemm(m: rows, n: KC, k: Cout, a: dy, lda: Cout, b: wP.base, ldb: KC,
                                                      beta: 0, c: columns, ldc: KC)
                                            for n in n0..<n1 {
                                                geometry.col2im(columns: columns + (n - n0) * T * F * KC, length: lengths[n],
                                                                dx: dxP.base + n * T * F * geometry.inputChannels)
                                            }
                                        }
                                        n0 = n1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        addPartialGradients(weight: partialWeight, bias: partialBias, chunks: chunks)
        return inputGradient ? Tensor(shape: input.shape, scalars: dx) : Tensor(zeros: [0])
    }

    /// Adds each worker chunk's weight and bias gradients (`chunks` consecutive blocks in `partialWeight`/`partialBias`)
    /// to the parameters' gradients, chunk 0 first, so the sums do not depend on which thread ran which chunk.
    func addPartialGradients(weight partialWeight: [Float], bias partialBias: [Float], chunks: Int) {
        let weightCount = outputChannels * columnWidth, biasCount = outputChannels
        self.weight.gradient.withUnsafeMutableBufferPointer { dw in
            partialWeight.withUnsafeBufferPointer { pw in
                for chunk in 0..<chunks { accumulate(dw.baseAddress!, pw.baseAddress! + chunk * weightCount, count: weightCount) }
            }
        }
        self.bias.gradient.withUnsafeMutableBufferPointer { db in
            partialBias.withUnsafeBufferPointer { pb in
                for chunk in 0..<chunks { accumulate(db.baseAddress!, pb.baseAddress! + chunk * biasCount, count: biasCount) }
            }
        }
    }

    private func geometry(frames: Int, bins: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(frames: frames, bins: bins, inputChannels: inputChannels,
                            kernelTime: kernelTime, kernelFrequency: kernelFrequency)
    }
}

/// Index arithmetic shared by im2col and its adjoint col2im for one sample `[T, F, C]`.
struct ConvolutionGeometry: Sendable {
    let frames: Int
    let bins: Int
    let inputChannels: Int
    let kernelTime: Int
    let kernelFrequency: Int

    var padTime: Int { (kernelTime - 1) / 2 }
    var padFrequency: Int { (kernelFrequency - 1) / 2 }
    var width: Int { kernelTime * kernelFrequency * inputChannels }

    /// Rows (t, f) for t < length; frames outside [0, length) and bins outside [0, F) read as zero.
    func im2col(x: UnsafeMutablePointer<Float>, length: Int, columns: UnsafeMutablePointer<Float>) {
        let C = inputChannels, KC = width
        for t in 0..<length {
            for f in 0..<bins {
                var destination = columns + (t * bins + f) * KC
                for dt in 0..<kernelTime {
                    let tt = t + dt - padTime
                    let timeValid = tt >= 0 && tt < length
                    if timeValid && kernelFrequency == 1 {
                        destination.update(from: x + (tt * bins + f) * C, count: C)
                        destination += C
                        continue
                    }
                    for df in 0..<kernelFrequency {
                        let ff = f + df - padFrequency
                        if timeValid && ff >= 0 && ff < bins {
                            destination.update(from: x + (tt * bins + ff) * C, count: C)
                        } else {
                            destination.update(repeating: 0, count: C)
                        }
                        destination += C
                    }
                }
            }
        }
    }

    /// Samples per GEMM so one thread's columns stay within about 2M floats (8 MB).
    func groupSize(samples: Int) -> Int {
        max(1, min(samples, 2_000_000 / max(1, frames * bins * width)))
    }

    /// `im2col` for all `T` frames: rows of frames at or past `length` are zero.
    func im2colPadded(x: UnsafeMutablePointer<Float>, length: Int, columns: UnsafeMutablePointer<Float>) {
        im2col(x: x, length: length, columns: columns)
        if length < frames {
            (columns + length * bins * width).update(repeating: 0, count: (frames - length) * bins * width)
        }
    }

    /// Adds each column entry back to the input position it was read from (the adjoint of im2col).
    func col2im(columns: UnsafeMutablePointer<Float>, length: Int, dx: UnsafeMutablePointer<Float>) {
        let C = inputChannels, KC = width
        for t in 0..<length {
            for f in 0..<bins {
                var source = columns + (t * bins + f) * KC
                for dt in 0..<kernelTime {
                    let tt = t + dt - padTime
                    let timeValid = tt >= 0 && tt < length
                    for df in 0..<kernelFrequency {
                        let ff = f + df - padFrequency
                        if timeValid && ff >= 0 && ff < bins {
                            let target = dx + (tt * bins + ff) * C
                            for c in 0..<C { target[c] += source[c] }
                        }
                        source += C
                    }
                }
            }
        }
    }
}

/// 1-D convolution over time with features as channels: `[N, T, Cin]` -> `[N, T, Cout]`, "same" padding,
/// masked like `Conv2D` (it is a `Conv2D` with one frequency bin and a `kernelSize x 1` kernel).
public final class Conv1D: Layer {
    let convolution: Conv2D
    private var shape: [Int] = []

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, generator: inout SeededGenerator, name: String = "conv") {
        convolution = Conv2D(inputChannels: inputChannels, outputChannels: outputChannels, kernelTime: kernelSize,
                             kernelFrequency: 1, generator: &generator, name: name)
    }

    public var parameters: [Parameter] { convolution.parameters }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        precondition(x.rank == 3, "Conv1D expects [N, T, C], got \(x.shape)")
        shape = x.shape
        let y = convolution.forward(Activations(values: x.reshaped([x.shape[0], x.shape[1], 1, x.shape[2]]), lengths: input.lengths),
                                    context: &context)
        return Activations(values: y.values.reshaped([x.shape[0], x.shape[1], convolution.outputChannels]), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let g = outputGradient.reshaped([shape[0], shape[1], 1, convolution.outputChannels])
        return convolution.backward(g).reshaped(shape)
    }

    public func backwardParametersOnly(_ outputGradient: Tensor) {
        convolution.backwardParametersOnly(outputGradient.reshaped([shape[0], shape[1], 1, convolution.outputChannels]))
    }
}
