import Foundation

/// The extended Geneva Minimalistic Acoustic Parameter Set v02 (Eyben et al. 2016, IEEE TAC 7(2)),
/// following openSMILE 3's `eGeMAPSv02.conf`: 25 low-level descriptors every 10 ms, smoothed over 3
/// frames, and 88 utterance functionals, named as openSMILE names them. docs/egemaps.md describes every
/// descriptor, its parameters and how far it agrees with openSMILE.
///
/// Built once per sample rate (windows, FFT plans, filterbanks) and shared across threads.
public struct EGeMAPSAnalyzer: Sendable {
    /// openSMILE's `FeatureLevel.LowLevelDescriptors` columns, in its order.
    public static let lowLevelDescriptorNames: [String] =
        ["Loudness_sma3", "alphaRatio_sma3", "hammarbergIndex_sma3", "slope0-500_sma3", "slope500-1500_sma3",
         "spectralFlux_sma3", "mfcc1_sma3", "mfcc2_sma3", "mfcc3_sma3", "mfcc4_sma3"]
        + ["F0semitoneFrom27.5Hz", "jitterLocal", "shimmerLocaldB", "HNRdBACF", "logRelF0-H1-H2", "logRelF0-H1-A3",
           "F1frequency", "F1bandwidth", "F1amplitudeLogRelF0", "F2frequency", "F2bandwidth", "F2amplitudeLogRelF0",
           "F3frequency", "F3bandwidth", "F3amplitudeLogRelF0"].map { $0 + "_sma3nz" }

    /// openSMILE's `FeatureLevel.Functionals` columns (88), in its order.
    public static var functionalNames: [String] { EGeMAPSFunctionals.names }

    /// Index of each low-level descriptor in `lowLevelDescriptorNames`.
    enum LLD: Int, CaseIterable {
        case loudness, alphaRatio, hammarbergIndex, slope0to500, slope500to1500, spectralFlux, mfcc1, mfcc2, mfcc3, mfcc4
        case f0, jitter, shimmer, hnr, h1h2, h1a3, f1, f1Bandwidth, f1Amplitude, f2, f2Bandwidth, f2Amplitude
        case f3, f3Bandwidth, f3Amplitude
    }

    public let sampleRate: Int
    let frames: EGeMAPSFrames
    let bands: EGeMAPSBands
    let shape: EGeMAPSSpectralShape
    let pitch: EGeMAPSPitch
    let formantTracker: EGeMAPSFormants
    let harmonics: EGeMAPSHarmonics

    /// `sampleRate` must be at least 16000 (the mel bands reach 8 kHz); `FeatureSpec.validate` checks it.
    public init(sampleRate: Int) {
        self.sampleRate = sampleRate
        frames = EGeMAPSFrames(sampleRate: sampleRate)
        bands = EGeMAPSBands(sampleRate: sampleRate, fftSize: frames.shortFFT.size)
        shape = EGeMAPSSpectralShape(sampleRate: sampleRate, fftSize: frames.shortFFT.size)
        pitch = EGeMAPSPitch(frames: frames)
        formantTracker = EGeMAPSFormants(sampleRate: sampleRate, fftSize: frames.shortFFT.size)
        harmonics = EGeMAPSHarmonics(sampleRate: sampleRate, fftSize: frames.longFFT.size)
    }

    /// Frames of a clip of `sampleCount` samples (10 ms hop, at least one).
    public func frameCount(sampleCount: Int) -> Int { frames.frameCount(sampleCount: sampleCount) }

    /// Unsmoothed descriptors: `columns[LLD.rawValue][frame]`, voice-dependent ones 0 in unvoiced frames
    /// (formant frequencies and bandwidths are kept in every frame, as openSMILE's LLD output), and each
    /// 20 ms frame's mean square (for the equivalent sound level).
    struct Descriptors {
        var columns: [[Float]]
        var meanSquare: [Float]
        var frameCount: Int { meanSquare.count }
    }

    func descriptors(_ samples: [Float]) -> Descriptors {
        let count = frames.frameCount(sampleCount: samples.count)
        var columns = [[Float]](repeating: [Float](repeating: 0, count: count), count: LLD.allCases.count)
        var meanSquare = [Float](repeating: 0, count: count)
        let shortBuffer = FFTBuffer(size: frames.shortFFT.size), longBuffer = FFTBuffer(size: frames.longFFT.size)
        var previousBand: [Float]? = nil
        var rawF0 = [Float](repeating: 0, count: count)
        var allFormants = [[EGeMAPSFormants.Formant]](repeating: [], count: count)
        samples.withUnsafeBufferPointer { x in
            for t in 0..<count {
                func set(_ lld: LLD, _ value: Float) { columns[lld.rawValue][t] = value.isFinite ? value : 0 }
                let short = frames.frame(x, t, length: frames.shortLength)
                meanSquare[t] = short.reduce(0) { $0 + $1 * $1 } / Float(short.count)
                let power = EGeMAPSFrames.power(short, window: frames.shortWindow, fft: frames.shortFFT, buffer: shortBuffer)
                let mel = bands.melPower(power)
                set(.loudness, bands.loudness(melPower: mel))
                for (i, c) in bands.mfcc(melPower: mel).enumerated() { set(LLD(rawValue: LLD.mfcc1.rawValue + i)!, c) }
                set(.alphaRatio, shape.alphaRatio(power))
                set(.hammarbergIndex, shape.hammarbergIndex(power))
                set(.slope0to500, shape.slope(power, from: 0, to: 500))
                set(.slope500to1500, shape.slope(power, from: 500, to: 1500))
                let band = shape.fluxBand(power)
                set(.spectralFlux, EGeMAPSSpectralShape.flux(band, previous: previousBand))
                previousBand = band

                let formants = Array(formantTracker.formants(power).prefix(3))
                for (i, formant) in formants.enumerated() {
                    set(LLD(rawValue: LLD.f1.rawValue + 3 * i)!, Float(formant.frequency))
                    set(LLD(rawValue: LLD.f1Bandwidth.rawValue + 3 * i)!, Float(formant.bandwidth))
                }

                let long = frames.frame(x, t, length: frames.longLength)
                let valid = min(frames.longLength, max(0, x.count - t * frames.hop))
                let mean = valid > 0 ? long[0..<valid].reduce(0, +) / Float(valid) : 0
                let centred = long.enumerated().map { $0.offset < valid ? $0.element - mean : 0 }
                let centredPower = EGeMAPSFrames.power(centred, window: frames.longWindow, fft: frames.longFFT, buffer: longBuffer)
                let centredACF = EGeMAPSFrames.autocorrelation(power: centredPower, fft: frames.longFFT, buffer: longBuffer, count: pitch.maxLag + 2)
                let estimate = pitch.estimate(acf: centredACF, rms: (max(centredACF[0], 0) / Float(frames.longLength)).squareRoot())
                rawF0[t] = estimate.voiced ? estimate.f0 : 0
                allFormants[t] = formants
            }
            // Second pass over the voiced frames, with the repaired F0.
            let f0 = EGeMAPSPitch.correctOctaveJumps(rawF0)
            for t in 0..<count where f0[t] > 0 {
                func set(_ lld: LLD, _ value: Float) { columns[lld.rawValue][t] = value.isFinite ? value : 0 }
                let long = frames.frame(x, t, length: frames.longLength)
                let longPower = EGeMAPSFrames.power(long, window: frames.longWindow, fft: frames.longFFT, buffer: longBuffer)
                let acf = EGeMAPSFrames.autocorrelation(power: longPower, fft: frames.longFFT, buffer: longBuffer, count: frames.longLength)
                set(.f0, EGeMAPSPitch.semitones(f0[t]))
                set(.hnr, EGeMAPSPitch.hnr(acf: acf, sampleRate: sampleRate, f0: f0[t]))
                let (jitter, shimmer) = EGeMAPSPerturbation.measure(long, sampleRate: sampleRate, f0: f0[t])
                set(.jitter, jitter)
                set(.shimmer, shimmer)
                let (h1h2, relative) = harmonics.differences(longPower, f0: Double(f0[t]), formants: allFormants[t])
                set(.h1h2, h1h2)
                for (i, amplitude) in relative.enumerated() { set(LLD(rawValue: LLD.f1Amplitude.rawValue + 3 * i)!, amplitude) }
                if relative.count == 3 { set(.h1a3, -relative[2]) }
            }
        }
        return Descriptors(columns: columns, meanSquare: meanSquare)
    }

    /// The 25 smoothed low-level descriptors, frames x `lowLevelDescriptorNames`: the first ten averaged
    /// over 3 frames (`sma3`), the rest over their non-zero neighbours within 3 frames, zeros kept (`sma3nz`).
    public func lowLevelDescriptors(_ samples: [Float]) -> FeatureMatrix {
        let raw = descriptors(samples)
        let smoothed = raw.columns.enumerated().map { index, column in
            EGeMAPSFunctionals.smooth(column, skipZeros: index >= LLD.f0.rawValue)
        }
        let columnCount = smoothed.count
        var values = [Float](repeating: 0, count: raw.frameCount * columnCount)
        for c in 0..<columnCount { for t in 0..<raw.frameCount { values[t * columnCount + c] = smoothed[c][t] } }
        return FeatureMatrix(frameCount: raw.frameCount, columnNames: Self.lowLevelDescriptorNames, values: values)
    }

    /// The 88 functionals as one row named `functionalNames`.
    public func functionals(_ samples: [Float]) -> FeatureMatrix {
        let values = EGeMAPSFunctionals.compute(descriptors(samples))
        return FeatureMatrix(frameCount: 1, columnNames: Self.functionalNames, values: values)
    }
}
