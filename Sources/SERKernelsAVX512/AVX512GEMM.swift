/// SERNet's GEMM micro-kernels for CPUs with AVX-512: a 6 x 32 register tile (12 ZMM accumulators of
/// `SIMD16<Float>`, fused multiply-adds) over operands packed by SERNet's `NativeGEMM`.
///
/// This module is compiled with `-target-cpu skylake-avx512` in release builds, so nothing here may run on
/// a CPU without AVX-512 F/CD/BW/DQ/VL: SERNet calls it only after checking the CPU's flags
/// (`GEMMKernel.preferred`). It holds the micro-kernels and nothing else, so no AVX-512 instruction can
/// leak into code that runs unconditionally.
///
/// Layouts (shared with SERNet's packing): packed B is a K block of `kb` rows cut into 32-column panels
/// `[kb][32]` (zero-padded past n); packed A is cut into 6-row panels `[kb][6]` (zero-padded past `rows`).
/// Each element of C sums its `kb` products in order k = 0, 1, ..., then adds `beta * C`, so results do not
/// depend on how rows are split across threads.
public enum AVX512GEMM {
    public typealias Vector = SIMD16<Float>
    public static let tileM = 6
    public static let tileN = 32

    /// C[rows, n] = packedA * packedB + beta C, A packed as `[panel][kb][6]`.
    @inline(never)
    public static func computeBlock(rows: Int, n: Int, kb: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        let panelsM = (rows + tileM - 1) / tileM
        let panelsN = (n + tileN - 1) / tileN
        for jp in 0..<panelsN {
            let bp = UnsafeRawPointer(packedB + jp * kb * tileN)
            for ip in 0..<panelsM {
                let ap = packedA + ip * kb * tileM
                var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector(), c4 = Vector(), c5 = Vector()
                var d0 = Vector(), d1 = Vector(), d2 = Vector(), d3 = Vector(), d4 = Vector(), d5 = Vector()
                for kk in 0..<kb {
                    let left = bp.loadUnaligned(fromByteOffset: kk &* 128, as: Vector.self)
                    let right = bp.loadUnaligned(fromByteOffset: kk &* 128 &+ 64, as: Vector.self)
                    let av = ap + kk &* tileM
                    var s = Vector(repeating: av[0]); c0.addProduct(s, left); d0.addProduct(s, right)
                    s = Vector(repeating: av[1]); c1.addProduct(s, left); d1.addProduct(s, right)
                    s = Vector(repeating: av[2]); c2.addProduct(s, left); d2.addProduct(s, right)
                    s = Vector(repeating: av[3]); c3.addProduct(s, left); d3.addProduct(s, right)
                    s = Vector(repeating: av[4]); c4.addProduct(s, left); d4.addProduct(s, right)
                    s = Vector(repeating: av[5]); c5.addProduct(s, left); d5.addProduct(s, right)
                }
                storeTile((c0, d0), (c1, d1), (c2, d2), (c3, d3), (c4, d4), (c5, d5), height: min(tileM, rows - ip * tileM),
                          width: min(tileN, n - jp * tileN), tile: c + ip * tileM * ldc + jp * tileN, ldc: ldc, beta: beta)
            }
        }
    }

    /// Like `computeBlock`, reading A's rows in place (row-major, `lda`); rows past `rows` read `zeroRow`
    /// (at least `kb` zeros) and are not stored.
    @inline(never)
    public static func computeBlockDirect(rows: Int, n: Int, kb: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
                                          c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, zeroRow: UnsafePointer<Float>) {
        let panelsM = (rows + tileM - 1) / tileM
        let panelsN = (n + tileN - 1) / tileN
        for jp in 0..<panelsN {
            let bp = UnsafeRawPointer(packedB + jp * kb * tileN)
            for ip in 0..<panelsM {
                let height = min(tileM, rows - ip * tileM)
                let base = a + ip * tileM * lda
                let a0 = base
                let a1 = height > 1 ? base + lda : zeroRow
                let a2 = height > 2 ? base + 2 * lda : zeroRow
                let a3 = height > 3 ? base + 3 * lda : zeroRow
                let a4 = height > 4 ? base + 4 * lda : zeroRow
                let a5 = height > 5 ? base + 5 * lda : zeroRow
                var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector(), c4 = Vector(), c5 = Vector()
                var d0 = Vector(), d1 = Vector(), d2 = Vector(), d3 = Vector(), d4 = Vector(), d5 = Vector()
                for kk in 0..<kb {
                    let left = bp.loadUnaligned(fromByteOffset: kk &* 128, as: Vector.self)
                    let right = bp.loadUnaligned(fromByteOffset: kk &* 128 &+ 64, as: Vector.self)
                    var s = Vector(repeating: a0[kk]); c0.addProduct(s, left); d0.addProduct(s, right)
                    s = Vector(repeating: a1[kk]); c1.addProduct(s, left); d1.addProduct(s, right)
                    s = Vector(repeating: a2[kk]); c2.addProduct(s, left); d2.addProduct(s, right)
                    s = Vector(repeating: a3[kk]); c3.addProduct(s, left); d3.addProduct(s, right)
                    s = Vector(repeating: a4[kk]); c4.addProduct(s, left); d4.addProduct(s, right)
                    s = Vector(repeating: a5[kk]); c5.addProduct(s, left); d5.addProduct(s, right)
                }
                storeTile((c0, d0), (c1, d1), (c2, d2), (c3, d3), (c4, d4), (c5, d5), height: height,
                          width: min(tileN, n - jp * tileN), tile: c + ip * tileM * ldc + jp * tileN, ldc: ldc, beta: beta)
            }
        }
    }

    @inline(__always)
    static func storeTile(_ r0: (Vector, Vector), _ r1: (Vector, Vector), _ r2: (Vector, Vector), _ r3: (Vector, Vector),
                          _ r4: (Vector, Vector), _ r5: (Vector, Vector), height: Int, width: Int,
                          tile: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        storeRow(r0, tile, width: width, beta: beta)
        if height > 1 { storeRow(r1, tile + ldc, width: width, beta: beta) }
        if height > 2 { storeRow(r2, tile + 2 * ldc, width: width, beta: beta) }
        if height > 3 { storeRow(r3, tile + 3 * ldc, width: width, beta: beta) }
        if height > 4 { storeRow(r4, tile + 4 * ldc, width: width, beta: beta) }
        if height > 5 { storeRow(r5, tile + 5 * ldc, width: width, beta: beta) }
    }

    @inline(__always)
    static func storeRow(_ row: (Vector, Vector), _ target: UnsafeMutablePointer<Float>, width: Int, beta: Float) {
        if width == tileN {
            store(row.0, target, beta)
            store(row.1, target + 16, beta)
        } else if width >= 16 {
            store(row.0, target, beta)
            storePartial(row.1, target + 16, width: width - 16, beta: beta)
        } else {
            storePartial(row.0, target, width: width, beta: beta)
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
