import Foundation

/// F0, voicing and HNR of a 60 ms Gaussian frame from its normalised autocorrelation (Boersma 1993,
/// "Accurate short-term analysis of the fundamental frequency and the harmonics-to-noise ratio"), not
/// openSMILE's subharmonic summation + Viterbi tracker (see docs/egemaps.md).
///
/// The frame's mean is removed before windowing (a DC offset or rumble otherwise makes every lag look
/// periodic: SAVEE's room noise came out voiced). `r(tau) = (r_x(tau) / r_x(0)) / (r_w(tau) / r_w(0))`
/// divides out the window's own autocorrelation.
/// The candidate is the highest local maximum of `r` for periods of 1000 Hz ... 55 Hz (openSMILE's
/// `minPitch`/`maxPitch`), each scored `r + 0.01 log2(f / 55)` (Praat's octave cost, which prefers the
/// higher of two near-equal octaves), its lag refined by a parabola through the three points. The frame
/// is voiced when `r >= 0.6` and the frame's RMS (of the windowed samples, openSMILE's
/// `cEnergy` on the Gaussian frame) reaches 0.001 (openSMILE's `cValbasedSelector` threshold).
/// HNR is openSMILE's `HNRdBACF` (`cHarmonics`): from the autocorrelation without the window
/// correction, at the local maximum nearest the lag `floor(sampleRate / F0)`, `10 log10(a(T) / (a(0) - a(T)))`
/// kept within -90 ... 110 dB.
struct EGeMAPSPitch: Sendable {
    static let minF0 = 55.0, maxF0 = 1000.0
    /// Chosen against openSMILE's voicing on 4 clips (RAVDESS x2, SAVEE, TESS): 0.5 marked 10-25 % more
    /// frames voiced than openSMILE, 0.6 within 10 %, 0.7 fewer.
    static let voicingThreshold: Float = 0.6
    static let energyThreshold: Float = 0.001
    let sampleRate: Int
    let minLag: Int
    let maxLag: Int
    /// The Gaussian window's autocorrelation, normalised to 1 at lag 0.
    let windowACF: [Float]

    struct Estimate: Equatable {
        var f0: Float
        /// Normalised autocorrelation at the F0 lag.
        var strength: Float
        var voiced: Bool
    }

    init(frames: EGeMAPSFrames) {
        sampleRate = frames.sampleRate
        minLag = max(2, Int(Double(sampleRate) / Self.maxF0))
        maxLag = min(frames.longLength - 2, Int((Double(sampleRate) / Self.minF0).rounded(.up)))
        let buffer = FFTBuffer(size: frames.longFFT.size)
        let ones = [Float](repeating: 1, count: frames.longLength)
        let power = EGeMAPSFrames.power(ones, window: frames.longWindow, fft: frames.longFFT, buffer: buffer)
        let acf = EGeMAPSFrames.autocorrelation(power: power, fft: frames.longFFT, buffer: buffer, count: maxLag + 2)
        windowACF = acf.map { $0 / acf[0] }
    }

    /// `acf` is the windowed frame's autocorrelation (at least `maxLag + 2` lags); `rms` the windowed frame's.
    func estimate(acf: [Float], rms: Float) -> Estimate {
        guard acf[0] > 0 else { return Estimate(f0: 0, strength: 0, voiced: false) }
        func r(_ lag: Int) -> Float { (acf[lag] / acf[0]) / max(windowACF[lag], 1e-6) }
        var best: (lag: Int, score: Float)? = nil
        for lag in minLag...maxLag {
            let value = r(lag)
            guard value > 0, value >= r(lag - 1), value > r(lag + 1) else { continue }
            let score = value + 0.01 * Float(log2(Double(sampleRate) / Double(lag) / Self.minF0))
            if best == nil || score > best!.score { best = (lag, score) }
        }
        guard let best else { return Estimate(f0: 0, strength: 0, voiced: false) }
        let (a, b, c) = (r(best.lag - 1), r(best.lag), r(best.lag + 1))
        let denominator = a - 2 * b + c
        let shift = denominator < 0 ? max(-0.5, min(0.5, 0.5 * (a - c) / denominator)) : 0
        let peak = min(b - 0.25 * (a - c) * shift, 1)
        let f0 = Float(sampleRate) / (Float(best.lag) + shift)
        let voiced = peak >= Self.voicingThreshold && rms >= Self.energyThreshold
        return Estimate(f0: f0, strength: peak, voiced: voiced)
    }

    static func hnr(acf: [Float], sampleRate: Int, f0: Float) -> Float {
        let start = Int((Float(sampleRate) / f0).rounded(.down))
        guard start > 0, start < acf.count - 1, acf[0] > 0 else { return 0 }
        func isPeak(_ k: Int) -> Bool { k > 0 && k < acf.count - 1 && acf[k] > acf[k - 1] && acf[k] > acf[k + 1] }
        var lag = start, offset = 1
        while !isPeak(lag) && (start - offset > 0 || start + offset < acf.count - 1) {
            if start - offset > 0, isPeak(start - offset) { lag = start - offset; break }
            if start + offset < acf.count - 1, isPeak(start + offset) { lag = start + offset; break }
            offset += 1
        }
        let harmonic = Double(abs(acf[lag])), noise = Double(abs(acf[0])) - harmonic
        let ratio = noise == 0 ? 1e11 : min(max(harmonic / noise, 1e-9), 1e11)
        return Float(10 * log10(ratio))
    }

    /// `12 log2(f0 / 27.5)`: semitones above A0, openSMILE's `F0finalLog` with `F0semitoneFrom27.5Hz`.
    static func semitones(_ f0: Float) -> Float { 12 * log2(f0 / 27.5) }

    /// Octave-jump repair, standing in for openSMILE's Viterbi smoother: a voiced frame whose F0 lies
    /// within 2 semitones of an octave above (below) the median of the voiced frames within +-5 frames is
    /// halved (doubled). `f0` in Hz, 0 = unvoiced.
    static func correctOctaveJumps(_ f0: [Float]) -> [Float] {
        f0.indices.map { t in
            guard f0[t] > 0 else { return 0 }
            let neighbours = f0[max(0, t - 5)...min(f0.count - 1, t + 5)].filter { $0 > 0 }.sorted()
            let median = neighbours[neighbours.count / 2]
            let interval = 12 * log2(f0[t] / median)
            if abs(interval - 12) < 2 { return f0[t] / 2 }
            if abs(interval + 12) < 2 { return f0[t] * 2 }
            return f0[t]
        }
    }
}
