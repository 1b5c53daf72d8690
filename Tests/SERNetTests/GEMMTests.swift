import Foundation
import SERCore
import SERKernelsAVX512
import Testing
@testable import SERNet

@Suite("Native GEMM against a Double reference")
struct GEMMTests {
    struct Case: Sendable, CustomStringConvertible {
        let m, n, k: Int
        let transA, transB: Bool
        let beta: Float
        var description: String { "\(m)x\(n)x\(k) tA=\(transA) tB=\(transB) beta=\(beta)" }
    }

    static let cases: [Case] = [
        Case(m: 1, n: 1, k: 1, transA: false, transB: false, beta: 0),
        Case(m: 7, n: 17, k: 5, transA: false, transB: true, beta: 1),
        Case(m: 13, n: 40, k: 300, transA: true, transB: false, beta: 0),   // K spans two blocks
        Case(m: 100, n: 33, k: 70, transA: true, transB: true, beta: 1),    // M spans two row blocks
        Case(m: 32, n: 64, k: 16, transA: false, transB: false, beta: 0.5),
        Case(m: 6, n: 16, k: 513, transA: false, transB: true, beta: 1),
        Case(m: 97, n: 75, k: 40, transA: false, transB: false, beta: 1),   // partial 32-wide and 16-wide panels
        Case(m: 5, n: 8, k: 257, transA: false, transB: true, beta: 0),     // a classifier: one narrow panel
    ]

    func random(_ count: Int, _ seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed, stream: "gemm")
        return (0..<count).map { _ in g.nextFloat() * 2 - 1 }
    }

    /// Reference in Double.
    func reference(_ c: Case, a: [Float], lda: Int, b: [Float], ldb: Int, c0: [Float], ldc: Int) -> [Double] {
        var out = [Double](repeating: 0, count: c.m * ldc)
        for i in 0..<c.m {
            for j in 0..<c.n {
                var sum = 0.0
                for p in 0..<c.k {
                    let x = c.transA ? a[p * lda + i] : a[i * lda + p]
                    let y = c.transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                out[i * ldc + j] = sum + Double(c.beta) * Double(c0[i * ldc + j])
            }
        }
        return out
    }

    @Test func kernelChoiceFollowsTheCPU() {
        // The AVX-512 kernel is preferred exactly when the CPU reports AVX-512 (unless SERLAB_GEMM=avx2).
        let forced = GEMMPreference.current == .avx2
        #expect(GEMMKernel.preferred == (CPUFeatures.hasAVX512 && !forced ? .avx512 : .avx2))
        #expect(GEMMKernel.available.contains(.avx2))
        if GEMMKernel.available.contains(.avx512) {
            #expect(GEMMKernel.avx512.panelWidth == AVX512GEMM.tileN && NativeGEMM.tileM == AVX512GEMM.tileM)
        }
    }

    @Test func gemmPreferenceReadsSERLAB_GEMM() {
        #expect(GEMMPreference(environmentValue: nil) == .automatic)
        #expect(GEMMPreference(environmentValue: "OpenBLAS") == .openblas)
        #expect(GEMMPreference(environmentValue: "avx2") == .avx2)
        #expect(GEMMPreference(environmentValue: "avx512") == .automatic)
    }

    /// The AVX2 kernel runs on every CPU these builds target; one and two threads.
    @Test(arguments: cases)
    func avx2KernelMatchesReference(_ c: Case) {
        for threads in [1, 2] { check(c, kernel: .avx2, threads: threads) }
    }

    /// The AVX-512 kernel, where this process can run it: any CPU in a debug build (the module is compiled for
    /// the generic CPU there), a CPU with AVX-512 in a release build. Elsewhere the test is reported as
    /// skipped with this reason, and scripts/test prints the same warning at the end of its run.
    @Test(.enabled(if: GEMMKernel.available.contains(.avx512),
                   "AVX-512 GEMM KERNEL NOT TESTED: this CPU lacks avx512f/cd/bw/dq/vl and this is a release build"),
          arguments: cases)
    func avx512KernelMatchesReference(_ c: Case) {
        for threads in [1, 2] { check(c, kernel: .avx512, threads: threads) }
    }

    func check(_ c: Case, kernel: GEMMKernel, threads: Int) {
        // Leading dimensions larger than the matrices, to exercise strides.
        let lda = (c.transA ? c.m : c.k) + 3, ldb = (c.transB ? c.k : c.n) + 2, ldc = c.n + 5
        let a = random((c.transA ? c.k : c.m) * lda, 1), b = random((c.transB ? c.n : c.k) * ldb, 2)
        let c0 = random(c.m * ldc, 3)
        let expected = reference(c, a: a, lda: lda, b: b, ldb: ldb, c0: c0, ldc: ldc)
        var native = c0
        native.withUnsafeMutableBufferPointer { out in
            NativeGEMM.multiply(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, a: a, lda: lda, b: b, ldb: ldb,
                                beta: c.beta, c: out.baseAddress!, ldc: ldc, threads: threads, kernel: kernel)
        }
        var packed = c0
        b.withUnsafeBufferPointer { bp in
            let matrix = PackedMatrix(bp.baseAddress!, ldb: ldb, transposed: c.transB, k: c.k, n: c.n, kernel: kernel)
            packed.withUnsafeMutableBufferPointer { out in
                NativeGEMM.multiply(transA: c.transA, m: c.m, a: a, lda: lda, packed: matrix, beta: c.beta, c: out.baseAddress!, ldc: ldc)
            }
        }
        let tolerance = 1e-5 * Double(c.k)
        for i in 0..<c.m {
            for j in 0..<ldc {
                let index = i * ldc + j
                if j < c.n {
                    #expect(abs(Double(native[index]) - expected[index]) < tolerance, "\(c) \(kernel) threads \(threads) at (\(i), \(j))")
                } else {
                    #expect(native[index] == c0[index], "\(c): wrote outside C at (\(i), \(j))")
                }
            }
        }
        #expect(packed == native, "\(c) \(kernel): packed and unpacked paths differ")
    }
}
