import CFFTW
import Foundation

/// One FFTW single-precision real transform size: a forward (r2c) and an inverse (c2r) plan, built
/// once per size for the whole process and shared by every thread.
///
/// FFTW's planner is not thread-safe, so plans are created under `planLock`; executing a plan is, and
/// each caller passes its own arrays through the new-array execute functions (`fftwf_execute_dft_r2c`).
/// Callers' arrays must have FFTW's SIMD alignment: allocate them with `FFTBuffer`. Plans use
/// `FFTW_ESTIMATE`, so the algorithm (and the last bits of every result) is the same on every run.
final class RealFFT: @unchecked Sendable {
    let size: Int
    private let forwardPlan: OpaquePointer
    private let inversePlan: OpaquePointer

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
