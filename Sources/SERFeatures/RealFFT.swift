import CFFTW
import Foundation

/// One FFTW single-precision real transform size: a forward (r2c) and an inverse (c2r) plan, built
/// once per size for the whole process and shared by every thread.
///
/// FFTW's planner is not thread-safe, so plans are created under `planLock`; executing a plan is, and
/// each caller passes its own arrays through the new-array execute functions (`fftwf_execute_dft_r2c`).
/// Callers' arrays must have FFTW's SIMD alignment: allocate them with `FFTBuffer`. Plans use
/// `FFTW_ESTIMATE`, so the algorithm (and the last bits of every result) is the same on every run.
///
/// For even sizes `power` computes `|X_k|^2` through a complex transform of half the size (see there):
/// FFTW's estimated complex plans use its SIMD codelets, its estimated real (r2c) plan of 512 points
/// does not and was measured 2.5x slower than the half-size complex plan (700 ns vs 220 ns per frame).
final class RealFFT: @unchecked Sendable {
    let size: Int
    private let forwardPlan: OpaquePointer
    private let inversePlan: OpaquePointer
    /// Forward complex DFT of `size / 2` points, out of place (`FFTBuffer.real` viewed as complex ->
    /// `FFTBuffer.complex`); nil for odd sizes.
    private let halfPlan: OpaquePointer?
    /// `cos(2 pi k / size)` for k in 0...size/2, then `-sin(2 pi k / size)` from `twiddleStride` on
    /// (computed in double).
    private let twiddles: UnsafeMutablePointer<Float>
    private var twiddleStride: Int { size / 2 + 1 }

    private static let planLock = NSLock()
    nonisolated(unsafe) private static var cache: [Int: RealFFT] = [:]

    /// The shared transform of `size` points.
    static func shared(size: Int) -> RealFFT {
        precondition(size >= 2, "FFT size must be >= 2, got \(size)")
        planLock.lock()
        defer { planLock.unlock() }
        if let plan = cache[size] { return plan }
        let plan = RealFFT(size: size)
        cache[size] = plan
        return plan
    }

    /// Called with `planLock` held.
    private init(size: Int) {
        self.size = size
        let buffer = FFTBuffer(size: size)
        guard let forward = fftwf_plan_dft_r2c_1d(Int32(size), buffer.real, buffer.complex, UInt32(FFTW_ESTIMATE)),
              let inverse = fftwf_plan_dft_c2r_1d(Int32(size), buffer.complex, buffer.real, UInt32(FFTW_ESTIMATE))
        else { preconditionFailure("FFTW could not plan a real transform of size \(size)") }
        forwardPlan = forward
        inversePlan = inverse
        if size % 2 == 0 {
            let complexInput = UnsafeMutableRawPointer(buffer.real).assumingMemoryBound(to: fftwf_complex.self)
            guard let half = fftwf_plan_dft_1d(Int32(size / 2), complexInput, buffer.complex, FFTW_FORWARD, UInt32(FFTW_ESTIMATE))
            else { preconditionFailure("FFTW could not plan a complex transform of size \(size / 2)") }
            halfPlan = half
        } else {
            halfPlan = nil
        }
        twiddles = .allocate(capacity: 2 * (size / 2 + 1))
        for k in 0...(size / 2) {
            let angle = 2 * Double.pi * Double(k) / Double(size)
            twiddles[k] = Float(cos(angle))
            twiddles[size / 2 + 1 + k] = Float(-sin(angle))
        }
    }

    /// `power[k * stride] = |X_k|^2` for k in 0...size/2, X the DFT of `buffer.real` (which is kept;
    /// `buffer.complex` is overwritten).
    ///
    /// Even sizes: `z_n = x_2n + i x_2n+1` (the real buffer read as `size / 2` complex values),
    /// `Z = DFT_{size/2}(z)`, then with `M = size / 2`, `E_k = (Z_k + conj Z_{M-k}) / 2` (the DFT of the
    /// even samples), `O_k = (Z_k - conj Z_{M-k}) / 2i` (of the odd ones), `X_k = E_k + W^k O_k`,
    /// `W = exp(-2 pi i / size)`, indices mod M. Same float32 rounding order of magnitude as r2c (a few
    /// 1e-7 of the frame's peak); odd sizes go through the r2c plan.
    func power(_ buffer: FFTBuffer, into power: UnsafeMutablePointer<Float>, stride: Int) {
        precondition(buffer.size == size, "buffer of size \(buffer.size) given to an FFT of size \(size)")
        guard let halfPlan else {
            fftwf_execute_dft_r2c(forwardPlan, buffer.real, buffer.complex)
            let c = UnsafeRawPointer(buffer.complex).assumingMemoryBound(to: Float.self)
            for k in 0...(size / 2) {
                let re = c[2 * k], im = c[2 * k + 1]
                power[k * stride] = re * re + im * im
            }
            return
        }
        let complexInput = UnsafeMutableRawPointer(buffer.real).assumingMemoryBound(to: fftwf_complex.self)
        fftwf_execute_dft(halfPlan, complexInput, buffer.complex)
        let z = UnsafeRawPointer(buffer.complex).assumingMemoryBound(to: Float.self)
        let w = UnsafePointer(twiddles)
        let m = size / 2
        // k = 0 and k = M: Z_0 = a + ib gives X_0 = a + b, X_M = a - b (both real).
        let a = z[0], b = z[1]
        power[0] = (a + b) * (a + b)
        power[m * stride] = (a - b) * (a - b)
        // k = 1..<M, eight at a time: Z_k from 16 contiguous floats, Z_{M-k} from the 16 floats ending at
        // M - k0, lane order reversed.
        var k = 1
        while k + 8 <= m {
            let forward = UnsafeRawPointer(z + 2 * k).loadUnaligned(as: SIMD16<Float>.self)
            let backward = UnsafeRawPointer(z + 2 * (m - k - 7)).loadUnaligned(as: SIMD16<Float>.self)
            let zr = forward.evenHalf, zi = forward.oddHalf
            let cr = Self.reversed(backward.evenHalf), ci = Self.reversed(backward.oddHalf)
            let wr = UnsafeRawPointer(w + k).loadUnaligned(as: SIMD8<Float>.self)
            let wi = UnsafeRawPointer(w + twiddleStride + k).loadUnaligned(as: SIMD8<Float>.self)
            let evenRe = 0.5 * (zr + cr), evenIm = 0.5 * (zi - ci)
            let oddRe = 0.5 * (zi + ci), oddIm = 0.5 * (cr - zr)
            let re = evenRe + (wr * oddRe - wi * oddIm)
            let im = evenIm + (wr * oddIm + wi * oddRe)
            let p = re * re + im * im
            if stride == 1 {
                UnsafeMutableRawPointer(power + k).storeBytes(of: p, as: SIMD8<Float>.self)
            } else {
                // Through a stack copy as 32-bit words: plain loads and stores instead of eight lane
                // extracts, which all queue on the one shuffle port.
                var out = power + k * stride
                withUnsafeBytes(of: p) { bytes in
                    for j in 0..<8 {
                        UnsafeMutableRawPointer(out).storeBytes(of: bytes.load(fromByteOffset: 4 * j, as: UInt32.self), as: UInt32.self)
                        out += stride
                    }
                }
            }
            k += 8
        }
        while k < m {
            let zr = z[2 * k], zi = z[2 * k + 1]
            let cr = z[2 * (m - k)], ci = z[2 * (m - k) + 1]
            let evenRe = 0.5 * (zr + cr), evenIm = 0.5 * (zi - ci)
            let oddRe = 0.5 * (zi + ci), oddIm = 0.5 * (cr - zr)
            let wr = w[k], wi = w[twiddleStride + k]
            let re = evenRe + (wr * oddRe - wi * oddIm)
            let im = evenIm + (wr * oddIm + wi * oddRe)
            power[k * stride] = re * re + im * im
            k += 1
        }
    }

    @inline(__always)
    private static func reversed(_ v: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(v[7], v[6], v[5], v[4], v[3], v[2], v[1], v[0])
    }

    deinit {
        twiddles.deallocate()
    }

    /// `buffer.complex[0...size/2]` = DFT of `buffer.real[0..<size]` (unnormalised).
    func forward(_ buffer: FFTBuffer) {
        precondition(buffer.size == size, "buffer of size \(buffer.size) given to an FFT of size \(size)")
        fftwf_execute_dft_r2c(forwardPlan, buffer.real, buffer.complex)
    }

    /// `buffer.real` = size x inverse DFT of `buffer.complex` (FFTW does not divide by `size`; the
    /// complex input is destroyed).
    func inverse(_ buffer: FFTBuffer) {
        precondition(buffer.size == size, "buffer of size \(buffer.size) given to an FFT of size \(size)")
        fftwf_execute_dft_c2r(inversePlan, buffer.complex, buffer.real)
    }
}

/// SIMD-aligned work arrays for one `RealFFT` size, owned by one thread at a time.
final class FFTBuffer {
    let size: Int
    let real: UnsafeMutablePointer<Float>
    let complex: UnsafeMutablePointer<fftwf_complex>

    init(size: Int) {
        self.size = size
        guard let real = fftwf_alloc_real(size), let complex = fftwf_alloc_complex(size / 2 + 1) else {
            preconditionFailure("fftwf_alloc failed for size \(size)")
        }
        self.real = real
        self.complex = complex
    }

    deinit {
        fftwf_free(real)
        fftwf_free(complex)
    }
}
