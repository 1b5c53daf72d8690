import CFFTW
import Foundation

/// Power spectrogram the way `librosa.stft(y, n_fft, hop_length, window="hann", center=True,
/// pad_mode="constant")` followed by `abs(S) ** 2` computes it.
///
/// Frame `t` covers samples `t * hop - fftLength / 2 ..< t * hop + fftLength / 2` (zeros outside the
/// signal), so there are `1 + (N + 2 * (fftLength / 2) - fftLength) / hop` frames (`1 + N / hop` for an
/// even FFT size). The window is the periodic Hann of `windowLength` samples, centred in the frame.
/// Layout: frames-major, `values[frame * binCount + bin]`, `binCount = fftLength / 2 + 1`.
struct Spectrogram: Sendable {
    let fftLength: Int
    let hopLength: Int
    let window: [Float]
    let fft: RealFFT

    init(fftLength: Int, hopLength: Int, windowLength: Int) {
        precondition(windowLength >= 1 && windowLength <= fftLength, "windowLength \(windowLength) must be in 1...\(fftLength)")
        self.fftLength = fftLength
        self.hopLength = hopLength
        // scipy.signal.get_window("hann", M, fftbins=True): 0.5 - 0.5 cos(2 pi n / M), then centred (pad_center).
        var window = [Float](repeating: 0, count: fftLength)
        let offset = (fftLength - windowLength) / 2
        for n in 0..<windowLength {
            window[offset + n] = Float(0.5 - 0.5 * cos(2 * Double.pi * Double(n) / Double(windowLength)))
        }
        self.window = window
        self.fft = RealFFT.shared(size: fftLength)
    }

    var binCount: Int { fftLength / 2 + 1 }

    /// Frames of a centred analysis of `sampleCount` samples.
    func frameCount(sampleCount: Int) -> Int {
        Self.frameCount(sampleCount: sampleCount, frameLength: fftLength, hopLength: hopLength)
    }

    static func frameCount(sampleCount: Int, frameLength: Int, hopLength: Int) -> Int {
        let padded = sampleCount + 2 * (frameLength / 2)
        return padded < frameLength ? 0 : 1 + (padded - frameLength) / hopLength
    }

    /// `|STFT|^2`, frames-major.
    func power(_ samples: [Float]) -> [Float] {
        let frames = frameCount(sampleCount: samples.count)
        let bins = binCount
        var power = [Float](repeating: 0, count: frames * bins)
        let buffer = FFTBuffer(size: fftLength)
        let n = fftLength, half = fftLength / 2, hop = hopLength
        samples.withUnsafeBufferPointer { x in
            window.withUnsafeBufferPointer { w in
                power.withUnsafeMutableBufferPointer { out in
                    let count = x.count
                    for t in 0..<frames {
                        let start = t * hop - half
                        let input = buffer.real
                        if start >= 0 && start + n <= count {
                            for j in 0..<n { input[j] = w[j] * x[start + j] }
                        } else {
                            for j in 0..<n {
                                let index = start + j
                                input[j] = index >= 0 && index < count ? w[j] * x[index] : 0
                            }
                        }
                        fft.power(buffer, into: out.baseAddress! + t * bins, stride: 1)
                    }
                }
            }
        }
        return power
    }
}
