import Foundation

/// Fundamental frequency by YIN (de Cheveigné & Kawahara 2002), following `librosa.yin` 0.11 step by
/// step (float32, like librosa on float32 audio) so results match it, plus a voicing flag.
///
/// Per frame of `frameLength` samples (centred, zero-padded): autocorrelation `r` by FFT; difference
/// `d[0] = 0`, `d[k] = 2 (r[0] - r[k]) - e[k-1]` with `e` the running energy (librosa's form, `e[0]`
/// taken as 0); cumulative-mean normalisation `d'[k] = d[k] / (mean(d[1...k]) + tiny)` for periods
/// `floor(sr / fmax) ... min(ceil(sr / fmin), frameLength - 1)`; the first local minimum below
/// `troughThreshold` (else the global minimum), refined by parabolic interpolation; `f0 = sr / period`.
/// `voiced` is 1 when a minimum below the threshold existed (librosa returns no voicing from `yin`).
struct YIN: Sendable {
    let sampleRate: Int
    let frameLength: Int
    let hopLength: Int
    let minPeriod: Int
    let maxPeriod: Int
    let threshold: Float
    let fft: RealFFT

    init(sampleRate: Int, frameLength: Int, hopLength: Int, minFrequency: Double, maxFrequency: Double, troughThreshold: Double) {
        self.sampleRate = sampleRate
        self.frameLength = frameLength
        self.hopLength = hopLength
        minPeriod = Int((Double(sampleRate) / maxFrequency).rounded(.down))
        maxPeriod = min(Int((Double(sampleRate) / minFrequency).rounded(.up)), frameLength - 1)
        precondition(minPeriod >= 1 && maxPeriod > minPeriod + 1, "YIN periods \(minPeriod)...\(maxPeriod) at sr \(sampleRate)")
        threshold = Float(troughThreshold)
        fft = RealFFT.shared(size: Self.nextFastLength(2 * frameLength - 1))
    }

    /// Smallest 2^a 3^b 5^c >= n (scipy.fft.next_fast_len(n, real=True)).
    static func nextFastLength(_ n: Int) -> Int {
        var candidate = max(n, 1)
        while true {
            var m = candidate
            for p in [2, 3, 5] { while m % p == 0 { m /= p } }
            if m == 1 { return candidate }
            candidate += 1
        }
    }

    /// `(f0, voiced)` per frame.
    func callAsFunction(_ samples: [Float]) -> (f0: [Float], voiced: [Float]) {
        let frames = Spectrogram.frameCount(sampleCount: samples.count, frameLength: frameLength, hopLength: hopLength)
        var f0 = [Float](repeating: 0, count: frames)
        var voiced = [Float](repeating: 0, count: frames)
        let buffer = FFTBuffer(size: fft.size)
        let n = fft.size, bins = n / 2 + 1, length = frameLength
        let periods = maxPeriod - minPeriod + 1
        var frame = [Float](repeating: 0, count: length)
        var difference = [Float](repeating: 0, count: maxPeriod + 1)
        var normalised = [Float](repeating: 0, count: periods)
        let scale = 1 / Float(n)
        samples.withUnsafeBufferPointer { x in
            for t in 0..<frames {
                let start = t * hopLength - length / 2
                for j in 0..<length {
                    let index = start + j
                    frame[j] = index >= 0 && index < x.count ? x[index] : 0
                }
                // Autocorrelation r[k] = sum_j y[j] y[j + k], via |FFT|^2.
                for j in 0..<length { buffer.real[j] = frame[j] }
                for j in length..<n { buffer.real[j] = 0 }
                fft.forward(buffer)
                buffer.complex.withMemoryRebound(to: Float.self, capacity: 2 * bins) { c in
                    for k in 0..<bins {
                        c[2 * k] = c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1]
                        c[2 * k + 1] = 0
                    }
                }
                fft.inverse(buffer)
                let r0 = buffer.real[0] * scale
                var energy: Float = 0  // e[k-1], with e[0] replaced by 0 as in librosa
                difference[0] = 0
                for k in 1...maxPeriod {
                    if k >= 2 {
                        if k == 2 { energy = frame[0] * frame[0] }
                        energy += frame[k - 1] * frame[k - 1]
                    }
                    difference[k] = 2 * (r0 - buffer.real[k] * scale) - (k == 1 ? 0 : energy)
                }
                var running: Float = 0
                for k in 1...maxPeriod {
                    running += difference[k]
                    if k >= minPeriod {
                        let mean = running / Float(k)
                        normalised[k - minPeriod] = difference[k] / (mean + Float.leastNormalMagnitude)
                    }
                }
                let (period, isVoiced) = pickPeriod(normalised)
                f0[t] = Float(Double(sampleRate) / period)
                voiced[t] = isVoiced ? 1 : 0
            }
        }
        return (f0, voiced)
    }

    /// The refined period in samples and whether a trough fell below the threshold.
    private func pickPeriod(_ y: [Float]) -> (Double, Bool) {
        let count = y.count
        var chosen = -1
        for i in 0..<count {
            let isTrough: Bool
            if i == 0 { isTrough = y[0] < y[1] }
            else if i == count - 1 { isTrough = y[i] < y[i - 1] }
            else { isTrough = y[i] < y[i - 1] && y[i] <= y[i + 1] }
            if isTrough && y[i] < threshold { chosen = i; break }
        }
        let voiced = chosen >= 0
        if !voiced {
            chosen = 0
            for i in 1..<count where y[i] < y[chosen] { chosen = i }
        }
        var shift: Float = 0
        if chosen > 0 && chosen < count - 1 {
            let a = y[chosen + 1] + y[chosen - 1] - 2 * y[chosen]
            let b = (y[chosen + 1] - y[chosen - 1]) / 2
            shift = abs(b) >= abs(a) ? 0 : -b / a
        }
        return (Double(minPeriod + chosen) + Double(shift), voiced)
    }
}
