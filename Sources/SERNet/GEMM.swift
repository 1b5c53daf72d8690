/// SERNet's own single-precision GEMM for release builds: packed panels and a 6 x 16 register-tile
/// micro-kernel written with `SIMD16<Float>` fused multiply-adds (AVX2 + FMA under `-target-cpu haswell`).
///
/// Why: on this machine OpenBLAS 0.3.21 identifies the CPU as a generic Xeon and falls back to its SSE3
/// "Prescott" kernels (`perf` shows `sgemm_kernel_PRESCOTT`); this kernel measured 2-3x faster on the
/// LSTM and convolution shapes in the same process. Debug builds (unoptimised SIMD is very slow) and
/// `SERLAB_GEMM=openblas` use `cblas_sgemm` instead.
///
/// Algorithm (GotoBLAS structure, simplified): K is split into blocks of 256; for each block op(B) is
/// packed into 16-column panels `[K, 16]` (zero-padded), and op(A) into 6-row panels `[K, 6]` per block of
/// 96 rows; each 6 x 16 tile of C is accumulated in 12 YMM registers over the K block and added to C.
/// Every element of C sums its products in the same order whatever the thread count, so results do not
/// depend on `threads`.
enum NativeGEMM {
    typealias Vector = SIMD16<Float>
    static let blockK = 256
    static let blockM = 96
    static let tileM = 6
    static let tileN = 16

    /// C = op(A) * B' + beta C with B' packed once by `PackedMatrix` (for a right operand reused many times,
    /// like an LSTM's recurrent weights at every time step).
    static func multiply(transA: Bool, m: Int, a: UnsafePointer<Float>, lda: Int, packed: PackedMatrix,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let n = packed.n, k = packed.k
        let panelsN = (n + tileN - 1) / tileN
        let blocksM = (m + blockM - 1) / blockM
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: blockM * min(k, blockK))
        defer { packedA.deallocate() }
        if !transA { packedA.initialize(repeating: 0, count: min(k, blockK)) }   // the zero row for tail panels
        var k0 = 0
        while k0 < k {
            let kb = min(blockK, k - k0)
            let blockBeta: Float = k0 == 0 ? beta : 1
            for blockIndex in 0..<blocksM {
                let i0 = blockIndex * blockM
                let rows = min(blockM, m - i0)
                if transA {
                    packA(UnsafeMutablePointer(mutating: a), lda: lda, transposed: true, i0: i0, rows: rows, k0: k0, kb: kb, into: packedA)
                    computeBlock(rows: rows, n: n, kb: kb, packedA: packedA, packedB: packed.storage + k0 * panelsN * tileN,
                                 c: c + i0 * ldc, ldc: ldc, beta: blockBeta)
                } else {
                    computeBlockDirect(rows: rows, n: n, kb: kb, a: a + i0 * lda + k0, lda: lda, packedB: packed.storage + k0 * panelsN * tileN,
                                       c: c + i0 * ldc, ldc: ldc, beta: blockBeta, zeroRow: packedA)
                }
            }
            k0 += kb
        }
    }

    static func multiply(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let panelsN = (n + tileN - 1) / tileN
        let packedB = UnsafeMutablePointer<Float>.allocate(capacity: min(k, blockK) * panelsN * tileN)
        defer { packedB.deallocate() }
        let blocksM = (m + blockM - 1) / blockM
        let aShared = SharedPointer(UnsafeMutablePointer(mutating: a))
        let bShared = SharedPointer(packedB)
        let cShared = SharedPointer(c)
        var k0 = 0
        while k0 < k {
            let kb = min(blockK, k - k0)
            packB(b, ldb: ldb, transposed: transB, k0: k0, kb: kb, n: n, into: packedB)
            let blockBeta: Float = k0 == 0 ? beta : 1
            let start = k0
            let work: @Sendable (Int, Range<Int>) -> Void = { _, range in
                let packedA = UnsafeMutablePointer<Float>.allocate(capacity: blockM * kb)
                packedA.initialize(repeating: 0, count: kb)   // doubles as the zero row for tail panels
                defer { packedA.deallocate() }
                for blockIndex in range {
                    let i0 = blockIndex * blockM
                    let rows = min(blockM, m - i0)
                    if transA {
                        packA(aShared.base, lda: lda, transposed: true, i0: i0, rows: rows, k0: start, kb: kb, into: packedA)
                        computeBlock(rows: rows, n: n, kb: kb, packedA: packedA, packedB: bShared.base,
                                     c: cShared.base + i0 * ldc, ldc: ldc, beta: blockBeta)
                    } else {
                        computeBlockDirect(rows: rows, n: n, kb: kb, a: aShared.base + i0 * lda + start, lda: lda, packedB: bShared.base,
                                           c: cShared.base + i0 * ldc, ldc: ldc, beta: blockBeta, zeroRow: packedA)
                    }
                }
            }
            // Below ~8 MFLOP per K block, dispatching to a second thread costs more than it saves.
            if threads > 1 && blocksM > 1 && m * n * kb >= 4_000_000 {
                parallelChunks(count: blocksM, chunks: threads, work)
            } else {
                work(0, 0..<blocksM)
            }
            k0 += kb
        }
    }

    /// op(B)[k0 ..< k0+kb, 0 ..< n] into panels `[panel][kk][16]`, columns past n zero.
    @inline(__always)
    static func packB(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k0: Int, kb: Int, n: Int,
                      into packed: UnsafeMutablePointer<Float>) {
        let panels = (n + tileN - 1) / tileN
        for panel in 0..<panels {
            let j0 = panel * tileN
            let width = min(tileN, n - j0)
            let out = packed + panel * kb * tileN
            if !transposed {
                for kk in 0..<kb {
                    let source = b + (k0 + kk) * ldb + j0
                    let target = out + kk * tileN
                    if width == tileN {
                        target.update(from: source, count: tileN)
                    } else {
                        for j in 0..<tileN { target[j] = j < width ? source[j] : 0 }
                    }
                }
            } else {
                if width < tileN { out.update(repeating: 0, count: kb * tileN) }
                for j in 0..<width {
                    let source = b + (j0 + j) * ldb + k0
                    for kk in 0..<kb { out[kk * tileN + j] = source[kk] }
                }
            }
        }
    }

    /// op(A)[i0 ..< i0+rows, k0 ..< k0+kb] into panels `[panel][kk][6]`, rows past `rows` zero.
    @inline(__always)
    static func packA(_ a: UnsafeMutablePointer<Float>, lda: Int, transposed: Bool, i0: Int, rows: Int, k0: Int, kb: Int,
                      into packed: UnsafeMutablePointer<Float>) {
        let panels = (rows + tileM - 1) / tileM
        for panel in 0..<panels {
            let r0 = panel * tileM
            let height = min(tileM, rows - r0)
            let out = packed + panel * kb * tileM
            if height < tileM { out.update(repeating: 0, count: kb * tileM) }
            if !transposed {
                for r in 0..<height {
                    let source = a + (i0 + r0 + r) * lda + k0
                    for kk in 0..<kb { out[kk * tileM + r] = source[kk] }
                }
            } else {
                for kk in 0..<kb {
                    let source = a + (k0 + kk) * lda + i0 + r0
                    let target = out + kk * tileM
                    for r in 0..<height { target[r] = source[r] }
                }
            }
        }
    }

    static func computeBlock(rows: Int, n: Int, kb: Int, packedA: UnsafeMutablePointer<Float>, packedB: UnsafeMutablePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        let panelsM = (rows + tileM - 1) / tileM
        let panelsN = (n + tileN - 1) / tileN
        for ip in 0..<panelsM {
            let ap = packedA + ip * kb * tileM
            let height = min(tileM, rows - ip * tileM)
            for jp in 0..<panelsN {
                let bp = UnsafeRawPointer(packedB + jp * kb * tileN)
                var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector(), c4 = Vector(), c5 = Vector()
                for kk in 0..<kb {
                    let bv = bp.loadUnaligned(fromByteOffset: kk &* 64, as: Vector.self)
                    let av = ap + kk &* tileM
                    c0.addProduct(Vector(repeating: av[0]), bv)
                    c1.addProduct(Vector(repeating: av[1]), bv)
                    c2.addProduct(Vector(repeating: av[2]), bv)
                    c3.addProduct(Vector(repeating: av[3]), bv)
                    c4.addProduct(Vector(repeating: av[4]), bv)
                    c5.addProduct(Vector(repeating: av[5]), bv)
                }
                let width = min(tileN, n - jp * tileN)
                let tile = c + ip * tileM * ldc + jp * tileN
                if width == tileN {
                    store(c0, tile, beta)
                    if height > 1 { store(c1, tile + ldc, beta) }
                    if height > 2 { store(c2, tile + 2 * ldc, beta) }
                    if height > 3 { store(c3, tile + 3 * ldc, beta) }
                    if height > 4 { store(c4, tile + 4 * ldc, beta) }
                    if height > 5 { store(c5, tile + 5 * ldc, beta) }
                } else {
                    let accumulators = [c0, c1, c2, c3, c4, c5]
                    for r in 0..<height {
                        let row = tile + r * ldc
                        for j in 0..<width { row[j] = accumulators[r][j] + (beta == 0 ? 0 : beta * row[j]) }
                    }
                }
            }
        }
    }

    /// Like `computeBlock`, reading A's rows in place (row-major, `lda`), without packing: the six
    /// broadcast streams stay in L1. Rows past `rows` read `zeroRow` and are not stored.
    static func computeBlockDirect(rows: Int, n: Int, kb: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafeMutablePointer<Float>,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, zeroRow: UnsafeMutablePointer<Float>) {
        let panelsM = (rows + tileM - 1) / tileM
        let panelsN = (n + tileN - 1) / tileN
        let zero = UnsafePointer(zeroRow)
        for ip in 0..<panelsM {
            let height = min(tileM, rows - ip * tileM)
            let base = a + ip * tileM * lda
            let a0 = base
            let a1 = height > 1 ? base + lda : zero
            let a2 = height > 2 ? base + 2 * lda : zero
            let a3 = height > 3 ? base + 3 * lda : zero
            let a4 = height > 4 ? base + 4 * lda : zero
            let a5 = height > 5 ? base + 5 * lda : zero
            for jp in 0..<panelsN {
                let bp = UnsafeRawPointer(packedB + jp * kb * tileN)
                var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector(), c4 = Vector(), c5 = Vector()
                for kk in 0..<kb {
                    let bv = bp.loadUnaligned(fromByteOffset: kk &* 64, as: Vector.self)
                    c0.addProduct(Vector(repeating: a0[kk]), bv)
                    c1.addProduct(Vector(repeating: a1[kk]), bv)
                    c2.addProduct(Vector(repeating: a2[kk]), bv)
                    c3.addProduct(Vector(repeating: a3[kk]), bv)
                    c4.addProduct(Vector(repeating: a4[kk]), bv)
                    c5.addProduct(Vector(repeating: a5[kk]), bv)
                }
                storeTile(c0, c1, c2, c3, c4, c5, height: height, width: min(tileN, n - jp * tileN),
                          tile: c + ip * tileM * ldc + jp * tileN, ldc: ldc, beta: beta)
            }
        }
    }

    @inline(__always)
    static func storeTile(_ c0: Vector, _ c1: Vector, _ c2: Vector, _ c3: Vector, _ c4: Vector, _ c5: Vector,
                          height: Int, width: Int, tile: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        if width == tileN {
            store(c0, tile, beta)
            if height > 1 { store(c1, tile + ldc, beta) }
            if height > 2 { store(c2, tile + 2 * ldc, beta) }
            if height > 3 { store(c3, tile + 3 * ldc, beta) }
            if height > 4 { store(c4, tile + 4 * ldc, beta) }
            if height > 5 { store(c5, tile + 5 * ldc, beta) }
        } else {
            let accumulators = [c0, c1, c2, c3, c4, c5]
            for r in 0..<height {
                let row = tile + r * ldc
                for j in 0..<width { row[j] = accumulators[r][j] + (beta == 0 ? 0 : beta * row[j]) }
            }
        }
    }

    @inline(__always)
    static func store(_ value: Vector, _ target: UnsafeMutablePointer<Float>, _ beta: Float) {
        let raw = UnsafeMutableRawPointer(target)
        if beta == 0 {
            raw.storeBytes(of: value, as: Vector.self)
        } else if beta == 1 {
            raw.storeBytes(of: value + raw.loadUnaligned(as: Vector.self), as: Vector.self)
        } else {
            raw.storeBytes(of: value + beta * raw.loadUnaligned(as: Vector.self), as: Vector.self)
        }
    }
}

/// op(B) `[k, n]` packed for `NativeGEMM`: for each K block of 256 rows, 16-column panels `[kb, 16]`.
final class PackedMatrix: @unchecked Sendable {
    let k: Int
    let n: Int
    let storage: UnsafeMutablePointer<Float>

    init(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k: Int, n: Int) {
        self.k = k
        self.n = n
        let panelsN = (n + NativeGEMM.tileN - 1) / NativeGEMM.tileN
        storage = .allocate(capacity: max(1, k * panelsN * NativeGEMM.tileN))
        var k0 = 0
        while k0 < k {
            let kb = min(NativeGEMM.blockK, k - k0)
            NativeGEMM.packB(b, ldb: ldb, transposed: transposed, k0: k0, kb: kb, n: n, into: storage + k0 * panelsN * NativeGEMM.tileN)
            k0 += kb
        }
    }

    deinit { storage.deallocate() }
}
