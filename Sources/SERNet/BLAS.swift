import COpenBLAS
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over OpenBLAS (row-major) and the task-level parallelism SERNet uses.
///
/// Policy: large GEMMs (input projections, weight gradients, convolutions) run with OpenBLAS's own
/// threads; small per-time-step GEMMs gain little from them, so the LSTM recurrence splits the batch
/// into one chunk per thread and calls OpenBLAS single-threaded inside each chunk.
public enum BLAS {
    /// Release builds multiply with `NativeGEMM` unless `SERLAB_GEMM=openblas`; debug builds use OpenBLAS.
    static let useNativeGEMM: Bool = {
        #if DEBUG
        return false
        #else
        return GEMMPreference.current != .openblas
        #endif
    }()

    /// C = op(A) * op(B) + beta * C, row-major; op(A) is m x k, op(B) is k x n. `threads` splits the rows of
    /// C for the native kernel (OpenBLAS uses its own process-wide thread count).
    @inline(__always)
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 {
                for row in 0..<m { for col in 0..<n { c[row * ldc + col] = 0 } }
            } else if beta != 1 {
                for row in 0..<m { for col in 0..<n { c[row * ldc + col] *= beta } }
            }
            return
        }
        if useNativeGEMM {
            NativeGEMM.multiply(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                beta: beta, c: c, ldc: ldc, threads: threads)
            return
        }
        serlab_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), 1,
                     a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// A right operand op(B) `[k, n]` prepared once for many products with different left operands: packed
    /// for the native kernel, or just remembered for OpenBLAS. `b` must outlive the returned value's use.
    static func prepare(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k: Int, n: Int) -> PreparedOperand {
        PreparedOperand(pointer: SharedPointer(UnsafeMutablePointer(mutating: b)), ldb: ldb, transposed: transposed, k: k, n: n,
                        packed: useNativeGEMM ? PackedMatrix(b, ldb: ldb, transposed: transposed, k: k, n: n) : nil)
    }

    /// C = op(A) * B + beta C for a prepared B (single-threaded).
    @inline(__always)
    static func gemm(transA: Bool = false, m: Int, a: UnsafePointer<Float>, lda: Int, b: PreparedOperand,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || b.n == 0 { return }
        if let packed = b.packed, b.k > 0 {
            NativeGEMM.multiply(transA: transA, m: m, a: a, lda: lda, packed: packed, beta: beta, c: c, ldc: ldc)
        } else {
            gemm(transA: transA, transB: b.transposed, m: m, n: b.n, k: b.k, a: a, lda: lda, b: b.pointer.base, ldb: b.ldb,
                 beta: beta, c: c, ldc: ldc)
        }
    }

    /// Sets OpenBLAS's thread count (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }
}

/// A pointer that may cross into `parallelChunks` tasks; each task touches a disjoint part.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
}

/// Runs `body(chunk, range)` for `chunks` contiguous, near-equal parts of `0..<count`, concurrently when
/// `chunks > 1`. The split depends only on `count` and `chunks`, so results are reproducible for a given
/// thread count. OpenBLAS is set to one thread while the chunks run and restored afterwards.
func parallelChunks(count: Int, chunks requested: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
    let chunks = max(1, min(requested, count))
    if chunks == 1 {
        body(0, 0..<count)
        return
    }
    // OpenBLAS runs single-threaded inside the chunks (the native kernel never spawns threads itself).
    let saved = BLAS.useNativeGEMM ? 0 : BLAS.threads
    if saved > 1 { BLAS.setThreads(1) }
    DispatchQueue.concurrentPerform(iterations: chunks) { index in
        body(index, (count * index / chunks)..<(count * (index + 1) / chunks))
    }
    if saved > 1 { BLAS.setThreads(saved) }
}

/// Chunks for an element-wise pass over `samples` samples of `elements` floats in all: one per thread when
/// the work pays for waking a second thread (about 5 microseconds, some 30k floats of streaming), else one.
/// Depends only on the sizes and `threads`, so results are reproducible for a given thread count.
func elementwiseChunks(samples: Int, elements: Int, threads: Int) -> Int {
    elements >= 32_768 ? max(1, min(threads, samples)) : 1
}

/// target[i] += source[i] for i < count (no overflow checks, vectorised).
@inline(__always)
func accumulate(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { target[i] += source[i] }
}

/// sums[c] += rows[r, c] for r < rowCount, c < width (row-major, contiguous rows of `width`), rows in order.
@inline(__always)
func accumulateRows(_ sums: UnsafeMutablePointer<Float>, _ rows: UnsafePointer<Float>, rowCount: Int, width: Int) {
    var row = rows
    for _ in 0..<rowCount {
        for c in 0..<width { sums[c] += row[c] }
        row += width
    }
}

/// See `BLAS.prepare`.
struct PreparedOperand: @unchecked Sendable {
    let pointer: SharedPointer<Float>
    let ldb: Int
    let transposed: Bool
    let k: Int
    let n: Int
    let packed: PackedMatrix?
}
