import CFFTW
import Foundation

/// The two analyses every eGeMAPS descriptor reads, as openSMILE's GeMAPSv01b_core.lld.conf sets them
/// up: every 10 ms, a 20 ms Hamming frame (loudness, spectral shape, MFCC, formants) and a 60 ms
/// Gaussian frame (sigma 0.4; pitch, HNR, harmonics, jitter and shimmer), both starting at
/// `t x hop` (openSMILE's `frameCenterSpecial = left`), zero-padded past the end of the signal, each
/// transformed with an FFT of the next power of two (openSMILE's `cTransformFFT` pads the same way).
struct EGeMAPSFrames: Sendable {
    let sampleRate: Int
    /// 10 ms in samples.
    let hop: Int
    /// 20 ms and 60 ms in samples.
    let shortLength: Int
    let longLength: Int
    let shortWindow: [Float]
    let longWindow: [Float]
    let shortFFT: RealFFT
    /// Twice the next power of two of the long frame, so its autocorrelation does not wrap around.
    let longFFT: RealFFT

    init(sampleRate: Int) {
        self.sampleRate = sampleRate
        hop = Int((0.010 * Double(sampleRate)).rounded())
        shortLength = Int((0.020 * Double(sampleRate)).rounded())
        longLength = Int((0.060 * Double(sampleRate)).rounded())
        // Hamming as openSMILE's cWindower: 0.54 - 0.46 cos(2 pi n / (N - 1)).
        let n20 = shortLength
        shortWindow = (0..<n20).map { Float(0.54 - 0.46 * cos(2 * Double.pi * Double($0) / Double(n20 - 1))) }
        // Gaussian: exp(-0.5 ((n - (N-1)/2) / (sigma (N-1)/2))^2), sigma 0.4.
        let n60 = longLength
        let half = Double(n60 - 1) / 2
        longWindow = (0..<n60).map { Float(exp(-0.5 * pow((Double($0) - half) / (0.4 * half), 2))) }
        shortFFT = RealFFT.shared(size: Self.nextPowerOfTwo(n20))
        longFFT = RealFFT.shared(size: 2 * Self.nextPowerOfTwo(n60))
    }

    static func nextPowerOfTwo(_ n: Int) -> Int {
        var size = 1
        while size < n { size *= 2 }
        return size
    }

    /// Frames of a clip: one per 10 ms hop whose 20 ms frame starts inside the signal and ends within
    /// it (openSMILE's count), at least one so that a short clip still gives a row.
    func frameCount(sampleCount: Int) -> Int {
        sampleCount < shortLength ? 1 : 1 + (sampleCount - shortLength) / hop
    }

    /// Frame `t` of `length` samples from `t x hop`, zero past the end.
    func frame(_ samples: UnsafeBufferPointer<Float>, _ t: Int, length: Int) -> [Float] {
        let start = t * hop
        var out = [Float](repeating: 0, count: length)
        let end = min(samples.count, start + length)
        if start < end { for i in start..<end { out[i - start] = samples[i] } }
        return out
    }

    /// `|X_k|^2` for k in 0...size/2 of `frame` times `window`, zero-padded to the FFT's size.
    static func power(_ frame: [Float], window: [Float], fft: RealFFT, buffer: FFTBuffer) -> [Float] {
        let n = fft.size
        for i in 0..<n { buffer.real[i] = i < frame.count ? frame[i] * window[i] : 0 }
        fft.forward(buffer)
        let complex = UnsafeMutableRawPointer(buffer.complex).assumingMemoryBound(to: Float.self)
        return (0...(n / 2)).map { k in
            let re = complex[2 * k], im = complex[2 * k + 1]
            return re * re + im * im
        }
    }

    /// Autocorrelation `r[0..<count]` of a frame whose power spectrum (of the zero-padded FFT size) is
    /// given, by the inverse FFT (Wiener-Khinchin); the padding to twice the frame keeps it linear.
    static func autocorrelation(power: [Float], fft: RealFFT, buffer: FFTBuffer, count: Int) -> [Float] {
        let complex = UnsafeMutableRawPointer(buffer.complex).assumingMemoryBound(to: Float.self)
        for k in 0..<power.count { complex[2 * k] = power[k]; complex[2 * k + 1] = 0 }
        fft.inverse(buffer)
        return (0..<count).map { buffer.real[$0] / Float(fft.size) }
    }
}
