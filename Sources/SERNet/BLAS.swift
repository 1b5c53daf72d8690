import COpenBLAS
import Dispatch

/// Thin wrappers over OpenBLAS (row-major) and the task-level parallelism SERNet uses.
///
/// Policy: large GEMMs (input projections, weight gradients, convolutions) run with OpenBLAS's own
/// threads; small per-time-step GEMMs gain little from them, so the LSTM recurrence splits the batch
/// into one chunk per thread and calls OpenBLAS single-threaded inside each chunk.
public enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is m x k, op(B) is k x n.
    @inline(__always)
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 {
                for row in 0..<m { for col in 0..<n { c[row * ldc + col] = 0 } }
            } else if beta != 1 {
                for row in 0..<m { for col in 0..<n { c[row * ldc + col] *= beta } }
            }
            return
        }
        serlab_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                     a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets OpenBLAS's thread count (process-wide).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }
}

/// A pointer that may cross into `parallelChunks` tasks; each task touches a disjoint part.
struct SharedPointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    init(_ base: UnsafeMutablePointer<Float>) { self.base = base }
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
    let saved = BLAS.threads
    BLAS.setThreads(1)
    DispatchQueue.concurrentPerform(iterations: chunks) { index in
        body(index, (count * index / chunks)..<(count * (index + 1) / chunks))
    }
    BLAS.setThreads(saved)
}
