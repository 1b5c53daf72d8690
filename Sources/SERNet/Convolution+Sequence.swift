/// Conv2D's path for sequences (`[N, T, 1, Cin]`, a `kT x 1` kernel: every Conv1D) under the native GEMM:
/// no im2col and no col2im.
///
/// With each sample zero-padded to P = T + kT - 1 frames (`pad` zeros before, zeros from its length on),
/// the im2col row of frame t is the contiguous `kT * Cin` floats starting at padded frame t, so the GEMM
/// reads the padded input in place with a leading dimension of Cin (overlapping rows).
/// Backward stores dy in the same padded layout `D` (kT - 1 zero rows first, then sample n's frames at
/// rows kT - 1 + n P + t, zero from its length to P): dW is one GEMM per thread over all its samples' rows
/// (the rows straddling two samples meet zero dy), and dx[n, t] = sum_j D[nP + t + pad + j] W[:, kT-1-j, :],
/// one GEMM per sample against the kernel flipped in time, `[kT * Cout, Cin]`. Only valid frames are
/// multiplied. (OpenBLAS rejects overlapping rows, so this path needs `NativeGEMM`.)
extension Conv2D {
    func forwardSequence(_ x: Tensor, lengths: [Int], threads: Int) -> [Float] {
        let N = x.shape[0], T = x.shape[1], C = inputChannels, Cout = outputChannels, K = kernelTime
        let pad = (K - 1) / 2, P = T + K - 1, KC = K * C
        if paddedInputStorage.count != N * P * C { paddedInputStorage = [Float](repeating: 0, count: N * P * C) }
        // Every element is written below (bias + GEMM on valid frames, zeros after), so no zero fill first.
        return [Float](unsafeUninitializedCapacity: N * T * Cout) { yb, initialized in
            x.scalars.withUnsafeBufferPointer { xb in
                weight.value.withUnsafeBufferPointer { wb in
                    let prepared = BLAS.prepare(wb.baseAddress!, ldb: KC, transposed: true, k: KC, n: Cout)
                    bias.value.withUnsafeBufferPointer { bb in
                        paddedInputStorage.withUnsafeMutableBufferPointer { pb in
                            let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                            let bP = SharedPointer(UnsafeMutablePointer(mutating: bb.baseAddress!))
                            let pP = SharedPointer(pb.baseAddress!), yP = SharedPointer(yb.baseAddress!)
                            parallelChunks(count: N, chunks: threads) { _, range in
                                for n in range {
                                    let sample = pP.base + n * P * C, length = lengths[n]
                                    sample.update(repeating: 0, count: pad * C)
                                    (sample + pad * C).update(from: xP.base + n * T * C, count: length * C)
                                    (sample + (pad + length) * C).update(repeating: 0, count: (P - pad - length) * C)
                                    let out = yP.base + n * T * Cout
                                    for r in 0..<length { (out + r * Cout).update(from: bP.base, count: Cout) }
                                    BLAS.gemm(m: length, a: sample, lda: C, b: prepared, beta: 1, c: out, ldc: Cout)
                                    (out + length * Cout).update(repeating: 0, count: (T - length) * Cout)
                                }
                            }
                        }
                    }
                }
            }
            initialized = N * T * Cout
        }
    }

    /// With `inputGradient == false` (the model's first layer) the dx GEMMs are skipped and an empty tensor returned.
    func backwardSequence(_ outputGradient: Tensor, inputGradient: Bool) -> Tensor {
        let N = inputShape[0], T = inputShape[1], C = inputChannels, Cout = outputChannels, K = kernelTime
        let pad = (K - 1) / 2, P = T + K - 1, KC = K * C
        let lengths = self.lengths
        let chunks = max(1, min(threads, N))
        let rowsD = K - 1 + N * P
        if paddedGradientStorage.count != rowsD * Cout { paddedGradientStorage = [Float](repeating: 0, count: rowsD * Cout) }
        // The kernel flipped in time: flipped[(j, o), c] = W[o, (K - 1 - j) * C + c].
        let flippedCount = inputGradient ? K * Cout * C : 0
        let flipped = [Float](unsafeUninitializedCapacity: flippedCount) { fb, initialized in
            weight.value.withUnsafeBufferPointer { wb in
                for j in 0..<(inputGradient ? K : 0) {
                    for o in 0..<Cout {
                        (fb.baseAddress! + (j * Cout + o) * C).initialize(from: wb.baseAddress! + o * KC + (K - 1 - j) * C, count: C)
                    }
                }
            }
            initialized = flippedCount
        }
        var partialWeight = [Float](repeating: 0, count: chunks * Cout * KC)
        var partialBias = [Float](repeating: 0, count: chunks * Cout)
        let dxCount = inputGradient ? N * T * C : 0
        let dx = [Float](unsafeUninitializedCapacity: dxCount) { dxb, initialized in
            outputGradient.scalars.withUnsafeBufferPointer { gb in
                paddedInputStorage.withUnsafeBufferPointer { xb in
                    flipped.withUnsafeBufferPointer { fb in
                        paddedGradientStorage.withUnsafeMutableBufferPointer { db in
                            partialWeight.withUnsafeMutableBufferPointer { pwb in
                                partialBias.withUnsafeMutableBufferPointer { pbb in
                                    let gP = SharedPointer(UnsafeMutablePointer(mutating: gb.baseAddress!))
                                    let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!))
                                    let dP = SharedPointer(db.baseAddress!)
                                    // (An empty buffer may still have a base address: test the flag, not the pointer.)
                                    let dxP = inputGradient ? SharedPointer(dxb.baseAddress!) : nil
                                    let pwP = SharedPointer(pwb.baseAddress!), pbP = SharedPointer(pbb.baseAddress!)
                                    let prepared = inputGradient ? BLAS.prepare(fb.baseAddress!, ldb: C, transposed: false, k: K * Cout, n: C) : nil
                                    dP.base.update(repeating: 0, count: (K - 1) * Cout)
                                    // Pass 1: D (each chunk writes its own samples' rows), dB.
                                    parallelChunks(count: N, chunks: chunks) { chunk, range in
                                        let dB = pbP.base + chunk * Cout
                                        for n in range {
                                            let rows = dP.base + (K - 1 + n * P) * Cout, length = lengths[n]
                                            let dy = gP.base + n * T * Cout
                                            rows.update(from: dy, count: length * Cout)
                                            (rows + length * Cout).update(repeating: 0, count: (P - length) * Cout)
                                            accumulateRows(dB, dy, rowCount: length, width: Cout)
                                        }
                                    }
                                    // Pass 2 (reads neighbours' zero rows, so after pass 1): dW partials and dx.
                                    parallelChunks(count: N, chunks: chunks) { chunk, range in
                                        let first = range.lowerBound * P
                                        BLAS.gemm(transA: true, m: Cout, n: KC, k: range.count * P - (K - 1),
                                                  a: dP.base + (K - 1 + first) * Cout, lda: Cout, b: xP.base + first * C, ldb: C,
                                                  beta: 1, c: pwP.base + chunk * Cout * KC, ldc: KC)
                                        guard let dxP, let prepared else { return }
                                        for n in range {
                                            let out = dxP.base + n * T * C
                                            BLAS.gemm(m: lengths[n], a: dP.base + (n * P + pad) * Cout, lda: Cout, b: prepared,
                                                      beta: 0, c: out, ldc: C)
                                            (out + lengths[n] * C).update(repeating: 0, count: (T - lengths[n]) * C)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = dxCount
        }
        addPartialGradients(weight: partialWeight, bias: partialBias, chunks: chunks)
        return inputGradient ? Tensor(shape: inputShape, scalars: dx) : Tensor(zeros: [0])
    }
}
