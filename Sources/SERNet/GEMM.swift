import Foundation
import SERKernelsAVX512

/// SERNet's own single-precision GEMM for release builds: packed panels and a register-tile micro-kernel
/// written with `SIMD16<Float>` fused multiply-adds: 6 x 16 under AVX2 + FMA (`-target-cpu haswell`), or
/// 6 x 32 under AVX-512 (module SERKernelsAVX512, compiled for Skylake-AVX512) when the CPU has it.
///
/// Why: on this machine OpenBLAS 0.3.21 identifies the CPU as a generic Xeon and falls back to its SSE3
/// "Prescott" kernels (`perf` shows `sgemm_kernel_PRESCOTT`); the AVX2 kernel measured 2-3x faster on the
/// LSTM and convolution shapes in the same process, the AVX-512 one about 1.7x the AVX2 one. Debug builds
/// (unoptimised SIMD is very slow) and `SERLAB_GEMM=openblas` use `cblas_sgemm` instead;
/// `SERLAB_GEMM=avx2` keeps the AVX2 kernel on an AVX-512 CPU.
///
/// Algorithm (GotoBLAS structure, simplified): K is split into blocks of 256; for each block op(B) is
/// packed into panels `[K, width]` (width 16 or 32, zero-padded), and op(A) into 6-row panels `[K, 6]` per
/// block of 96 rows (or read in place when not transposed); each tile of C is accumulated in registers over
/// the K block and added to C. Every element of C sums its products in the same order whatever the thread
/// count, so results do not depend on `threads` (they do depend on the kernel: the K blocks are the same,
/// but AVX2 and AVX-512 builds may contract differently, so compare kernels with a tolerance).
/// `SERLAB_GEMM`, read once per process: `openblas` makes release builds multiply with `cblas_sgemm`
/// (`BLAS.useNativeGEMM`), `avx2` keeps the AVX2 kernel on an AVX-512 CPU (`GEMMKernel.preferred`);
/// unset or any other value (case-insensitive) leaves the choice to the build and the CPU.
enum GEMMPreference: Sendable, Equatable {
    case automatic, openblas, avx2

    init(environmentValue: String?) {
        switch environmentValue?.lowercased() {
        case "openblas": self = .openblas
        case "avx2": self = .avx2
        default: self = .automatic
        }
    }

    static let current = GEMMPreference(environmentValue: ProcessInfo.processInfo.environment["SERLAB_GEMM"])
}

/// Which micro-kernel `NativeGEMM` runs; decides the packed panel width.
enum GEMMKernel: Sendable, CaseIterable, CustomStringConvertible {
    /// 6 x 16 tile, `SIMD16<Float>` as two YMM registers (any x86-64 with AVX2 + FMA in release builds).
    case avx2
    /// 6 x 32 tile in ZMM registers (SERKernelsAVX512); only on a CPU with AVX-512 F/CD/BW/DQ/VL.
    case avx512

    /// 32 for AVX-512 is `AVX512GEMM.tileN`, written out so that choosing the AVX2 kernel never runs code from
    /// the AVX-512 module (not even a global's accessor); a test checks the two agree.
    var panelWidth: Int { self == .avx512 ? 32 : NativeGEMM.tileN }
    var description: String { self == .avx512 ? "avx512" : "avx2" }

    /// AVX-512 when the CPU supports it (and `SERLAB_GEMM` is not `avx2`), else AVX2. Debug builds compile
    /// SERKernelsAVX512 for the generic CPU, so either kernel runs anywhere there.
    static let preferred: GEMMKernel = GEMMPreference.current == .avx2 ? .avx2 : (CPUFeatures.hasAVX512 ? .avx512 : .avx2)

    /// The kernels this process can run (for tests).
    static var available: [GEMMKernel] {
        #if DEBUG
        return allCases
        #else
        return CPUFeatures.hasAVX512 ? allCases : [.avx2]
        #endif
    }
}

/// CPU features read once from `/proc/cpuinfo`'s flags (which also reflect what the OS enabled).
enum CPUFeatures {
    /// The AVX-512 subsets `-target-cpu skylake-avx512` may use: F, CD, BW, DQ and VL.
    static let hasAVX512: Bool = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
        return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }()
}

enum NativeGEMM {
    typealias Vector = SIMD16<Float>
    static let blockK = 256
    static let blockM = 96
    static let tileM = 6
    static let tileN = 16

    /// C = op(A) * B' + beta C with B' packed once by `PackedMatrix` (for a right operand reused many times,
    /// like an LSTM's recurrent weights at every time step). Runs the kernel B' was packed for.
    static func multiply(transA: Bool, m: Int, a: UnsafePointer<Float>, lda: Int, packed: PackedMatrix,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let n = packed.n, k = packed.k, kernel = packed.kernel, width = kernel.panelWidth
        let panelsN = (n + width - 1) / width
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
                    computeBlock(kernel, rows: rows, n: n, kb: kb, packedA: packedA, packedB: packed.storage + k0 * panelsN * width,
                                 c: c + i0 * ldc, ldc: ldc, beta: blockBeta)
                } else {
                    computeBlockDirect(kernel, rows: rows, n: n, kb: kb, a: a + i0 * lda + k0, lda: lda,
                                       packedB: packed.storage + k0 * panelsN * width,
                                       c: c + i0 * ldc, ldc: ldc, beta: blockBeta, zeroRow: packedA)
                }
            }
            k0 += kb
        }
    }

    static func multiply(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
                         kernel: GEMMKernel = .preferred) {
        let width = kernel.panelWidth
        let panelsN = (n + width - 1) / width
        let packedB = UnsafeMutablePointer<Float>.allocate(capacity: min(k, blockK) * panelsN * width)
        defer { packedB.deallocate() }
        let blocksM = (m + blockM - 1) / blockM
        let aShared = SharedPointer(UnsafeMutablePointer(mutating: a))
        let bShared = SharedPointer(packedB)
        let cShared = SharedPointer(c)
        var k0 = 0
        while k0 < k {
            let kb = min(blockK, k - k0)
            packB(b, ldb: ldb, transposed: transB, k0: k0, kb: kb, n: n, width: width, into: packedB)
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
                        computeBlock(kernel, rows: rows, n: n, kb: kb, packedA: packedA, packedB: bShared.base,
                                     c: cShared.base + i0 * ldc, ldc: ldc, beta: blockBeta)
                    } else {
                        computeBlockDirect(kernel, rows: rows, n: n, kb: kb, a: aShared.base + i0 * lda + start, lda: lda, packedB: bShared.base,
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

    /// op(B)[k0 ..< k0+kb, 0 ..< n] into panels `[panel][kk][width]`, columns past n zero.
    static func packB(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k0: Int, kb: Int, n: Int, width tileWidth: Int,
                      into packed: UnsafeMutablePointer<Float>) {
        let panels = (n + tileWidth - 1) / tileWidth
        for panel in 0..<panels {
            let j0 = panel &* tileWidth
            let width = min(tileWidth, n &- j0)
            let out = packed + panel &* kb &* tileWidth
            if !transposed && width == tileWidth {
                // Whole panel rows: 16-lane moves, not a memcpy call per 64 or 128 bytes.
                var source = UnsafeRawPointer(b + ((k0 &* ldb) &+ j0))
                var target = UnsafeMutableRawPointer(out)
                let stride = ldb &* 4
                let vectors = tileWidth / 16
                for _ in 0..<kb {
                    for v in 0..<vectors {
                        target.storeBytes(of: source.loadUnaligned(fromByteOffset: v &* 64, as: Vector.self), toByteOffset: v &* 64, as: Vector.self)
                    }
                    source += stride
                    target += tileWidth &* 4
                }
            } else if !transposed {
                for kk in 0..<kb {
                    let source = b + ((k0 &+ kk) &* ldb &+ j0)
                    let target = out + kk &* tileWidth
                    target.update(from: source, count: width)
                    if width < tileWidth { (target + width).update(repeating: 0, count: tileWidth &- width) }
                }
            } else {
                if width < tileWidth { out.update(repeating: 0, count: kb &* tileWidth) }
                // Four source rows at a time: four read streams, each write fills four lanes of one panel row.
                var j = 0
                while j &+ 4 <= width {
                    let s0 = b + ((j0 &+ j) &* ldb &+ k0), s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb
                    var target = out + j
                    for kk in 0..<kb {
                        target[0] = s0[kk]; target[1] = s1[kk]; target[2] = s2[kk]; target[3] = s3[kk]
                        target += tileWidth
                    }
                    j &+= 4
                }
                while j < width {
                    let source = b + ((j0 &+ j) &* ldb &+ k0)
                    for kk in 0..<kb { out[kk &* tileWidth &+ j] = source[kk] }
                    j &+= 1
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
            } else if height == tileM {
                // Six contiguous floats per k: one 4-lane and one 2-lane move (no per-element loop).
                var source = UnsafeRawPointer(a + ((k0 &* lda) &+ i0 &+ r0))
                var target = UnsafeMutableRawPointer(out)
                let stride = lda &* 4
                for _ in 0..<kb {
                    target.storeBytes(of: source.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                    target.storeBytes(of: source.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self), toByteOffset: 16, as: SIMD2<Float>.self)
                    source += stride
                    target += 24
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

    @inline(__always)
    static func computeBlock(_ kernel: GEMMKernel, rows: Int, n: Int, kb: Int, packedA: UnsafeMutablePointer<Float>,
                             packedB: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        if kernel == .avx512 {
            AVX512GEMM.computeBlock(rows: rows, n: n, kb: kb, packedA: packedA, packedB: packedB, c: c, ldc: ldc, beta: beta)
        } else {
            computeBlock(rows: rows, n: n, kb: kb, packedA: packedA, packedB: packedB, c: c, ldc: ldc, beta: beta)
        }
    }

    @inline(__always)
    static func computeBlockDirect(_ kernel: GEMMKernel, rows: Int, n: Int, kb: Int, a: UnsafePointer<Float>, lda: Int,
                                   packedB: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float,
                                   zeroRow: UnsafeMutablePointer<Float>) {
        if kernel == .avx512 {
            AVX512GEMM.computeBlockDirect(rows: rows, n: n, kb: kb, a: a, lda: lda, packedB: packedB, c: c, ldc: ldc, beta: beta,
                                          zeroRow: zeroRow)
        } else {
            computeBlockDirect(rows: rows, n: n, kb: kb, a: a, lda: lda, packedB: packedB, c: c, ldc: ldc, beta: beta, zeroRow: zeroRow)
        }
    }

    static func computeBlock(rows: Int, n: Int, kb: Int, packedA: UnsafeMutablePointer<Float>, packedB: UnsafeMutablePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        let panelsM = (rows + tileM - 1) / tileM
        let panelsN = (n + tileN - 1) / tileN
        // B's 16-column panel (kb x 16, in L1) outer, A's row panels (the block, in L2) inner.
        for jp in 0..<panelsN {
            let bp = UnsafeRawPointer(packedB + jp * kb * tileN)
            for ip in 0..<panelsM {
                let ap = packedA + ip * kb * tileM
                let height = min(tileM, rows - ip * tileM)
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
                storeTile(c0, c1, c2, c3, c4, c5, height: height, width: min(tileN, n - jp * tileN),
                          tile: c + ip * tileM * ldc + jp * tileN, ldc: ldc, beta: beta)
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
        // B's 16-column panel (kb x 16, in L1) outer, A's rows (the block, in L2) inner.
        for jp in 0..<panelsN {
            let bp = UnsafeRawPointer(packedB + jp * kb * tileN)
            for ip in 0..<panelsM {
                let height = min(tileM, rows - ip * tileM)
                let base = a + ip * tileM * lda
                let a0 = base
                let a1 = height > 1 ? base + lda : zero
                let a2 = height > 2 ? base + 2 * lda : zero
                let a3 = height > 3 ? base + 3 * lda : zero
                let a4 = height > 4 ? base + 4 * lda : zero
                let a5 = height > 5 ? base + 5 * lda : zero
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
        } else {   // a right-edge tile: element by element, no temporary array
            storePartial(c0, tile, width: width, beta: beta)
            if height > 1 { storePartial(c1, tile + ldc, width: width, beta: beta) }
            if height > 2 { storePartial(c2, tile + 2 * ldc, width: width, beta: beta) }
            if height > 3 { storePartial(c3, tile + 3 * ldc, width: width, beta: beta) }
            if height > 4 { storePartial(c4, tile + 4 * ldc, width: width, beta: beta) }
            if height > 5 { storePartial(c5, tile + 5 * ldc, width: width, beta: beta) }
        }
    }

    @inline(__always)
    static func storePartial(_ value: Vector, _ row: UnsafeMutablePointer<Float>, width: Int, beta: Float) {
        for j in 0..<width { row[j] = value[j] + (beta == 0 ? 0 : beta * row[j]) }
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

/// op(B) `[k, n]` packed for `NativeGEMM`'s `kernel`: for each K block of 256 rows, panels `[kb, width]`.
final class PackedMatrix: @unchecked Sendable {
    let k: Int
    let n: Int
    let kernel: GEMMKernel
    let storage: UnsafeMutablePointer<Float>

    init(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k: Int, n: Int, kernel: GEMMKernel = .preferred) {
        self.k = k
        self.n = n
        self.kernel = kernel
        let width = kernel.panelWidth
        let panelsN = (n + width - 1) / width
        storage = .allocate(capacity: max(1, k * panelsN * width))
        var k0 = 0
        while k0 < k {
            let kb = min(NativeGEMM.blockK, k - k0)
            NativeGEMM.packB(b, ldb: ldb, transposed: transposed, k0: k0, kb: kb, n: n, width: width, into: storage + k0 * panelsN * width)
            k0 += kb
        }
    }

    deinit { storage.deallocate() }
}
