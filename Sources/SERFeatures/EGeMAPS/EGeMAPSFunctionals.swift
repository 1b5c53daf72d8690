import Foundation

/// eGeMAPS v02's 88 utterance functionals (openSMILE `GeMAPSv01b_core.func.conf` and
/// `eGeMAPSv02_core.func.conf`), from the unsmoothed descriptors:
/// - F0 (semitones, voiced frames only) and loudness (all frames): arithmetic mean, coefficient of
///   variation (`stddevNorm`: population std / mean, signed), percentiles 20/50/80 (linear interpolation at
///   `p (n - 1)`), range 20-80, and mean/std of rising and falling slopes (`Peaks2`, per second);
/// - spectral flux and MFCC 1-4 over all frames: mean, coefficient of variation;
/// - over voiced frames (descriptors zeroed where F0 is 0, then `sma3nz`, zeros left out): jitter,
///   shimmer, HNR, H1-H2, H1-A3, F1-F3 frequency, bandwidth and relative amplitude, then alpha ratio,
///   Hammarberg index, the two slopes, flux and MFCC 1-4 (`...V`): mean, coefficient of variation;
/// - over unvoiced frames: mean of alpha ratio, Hammarberg index, slopes and flux (`...UV`);
/// - temporal: loudness peaks per second; voiced segments (runs of non-zero smoothed F0) per second,
///   mean and std of their lengths and of the unvoiced runs' lengths, in seconds;
/// - equivalent sound level: `10 log10` of the mean over 20 ms frames of their mean square (`dBp`).
enum EGeMAPSFunctionals {
    typealias LLD = EGeMAPSAnalyzer.LLD
    static let frameSeconds: Float = 0.010

    static let names: [String] = {
        let contour = ["amean", "stddevNorm", "percentile20.0", "percentile50.0", "percentile80.0", "pctlrange0-2",
                       "meanRisingSlope", "stddevRisingSlope", "meanFallingSlope", "stddevFallingSlope"]
        let meanCV = ["amean", "stddevNorm"]
        var names = contour.map { "F0semitoneFrom27.5Hz_sma3nz_\($0)" } + contour.map { "loudness_sma3_\($0)" }
        for base in ["spectralFlux", "mfcc1", "mfcc2", "mfcc3", "mfcc4"] { names += meanCV.map { "\(base)_sma3_\($0)" } }
        for base in voicedNames { names += meanCV.map { "\(base)_sma3nz_\($0)" } }
        names += unvoicedNames.map { "\($0)_sma3nz_amean" }
        names += ["loudnessPeaksPerSec", "VoicedSegmentsPerSec", "MeanVoicedSegmentLengthSec", "StddevVoicedSegmentLengthSec",
                  "MeanUnvoicedSegmentLength", "StddevUnvoicedSegmentLength", "equivalentSoundLevel_dBp"]
        return names
    }()

    static let voicedNames = ["jitterLocal", "shimmerLocaldB", "HNRdBACF", "logRelF0-H1-H2", "logRelF0-H1-A3",
                              "F1frequency", "F1bandwidth", "F1amplitudeLogRelF0", "F2frequency", "F2bandwidth",
                              "F2amplitudeLogRelF0", "F3frequency", "F3bandwidth", "F3amplitudeLogRelF0",
                              "alphaRatioV", "hammarbergIndexV", "slopeV0-500", "slopeV500-1500", "spectralFluxV",
                              "mfcc1V", "mfcc2V", "mfcc3V", "mfcc4V"]
    static let voicedSource: [LLD] = [.jitter, .shimmer, .hnr, .h1h2, .h1a3, .f1, .f1Bandwidth, .f1Amplitude, .f2, .f2Bandwidth,
                                      .f2Amplitude, .f3, .f3Bandwidth, .f3Amplitude, .alphaRatio, .hammarbergIndex,
                                      .slope0to500, .slope500to1500, .spectralFlux, .mfcc1, .mfcc2, .mfcc3, .mfcc4]
    static let unvoicedNames = ["alphaRatioUV", "hammarbergIndexUV", "slopeUV0-500", "slopeUV500-1500", "spectralFluxUV"]
    static let unvoicedSource: [LLD] = [.alphaRatio, .hammarbergIndex, .slope0to500, .slope500to1500, .spectralFlux]

    static func compute(_ d: EGeMAPSAnalyzer.Descriptors) -> [Float] {
        let rawF0 = d.columns[LLD.f0.rawValue]
        let f0 = smooth(rawF0, skipZeros: true)
        let voicedF0 = f0.filter { $0 != 0 }
        let loudness = smooth(d.columns[LLD.loudness.rawValue], skipZeros: false)
        var row = contour(voicedF0) + contour(loudness)
        for lld in [LLD.spectralFlux, .mfcc1, .mfcc2, .mfcc3, .mfcc4] {
            let column = smooth(d.columns[lld.rawValue], skipZeros: false)
            row += [mean(column), coefficientOfVariation(column)]
        }
        for lld in voicedSource {
            let gated = zip(d.columns[lld.rawValue], rawF0).map { $1 != 0 ? $0 : 0 }
            let values = smooth(gated, skipZeros: true).filter { $0 != 0 }
            row += [mean(values), coefficientOfVariation(values)]
        }
        for lld in unvoicedSource {
            let gated = zip(d.columns[lld.rawValue], rawF0).map { $1 == 0 ? $0 : 0 }
            row.append(mean(smooth(gated, skipZeros: true).filter { $0 != 0 }))
        }
        let seconds = Float(d.frameCount) * frameSeconds
        row.append(Float(peaks(loudness).peaks.count) / seconds)
        let voicedRuns = runs(f0, voiced: true), unvoicedRuns = runs(f0, voiced: false)
        row += [Float(voicedRuns.count) / seconds, mean(voicedRuns), std(voicedRuns), mean(unvoicedRuns), std(unvoicedRuns)]
        let energy = d.meanSquare.reduce(0.0) { $0 + Double($1) } / Double(max(d.frameCount, 1))
        row.append(Float(10 * log10(max(energy, 1e-10))))
        return row.map { $0.isFinite ? $0 : 0 }
    }

    /// 3-frame moving average (openSMILE `cContourSmoother smaWin 3`); at the ends over the frames that
    /// exist. With `skipZeros` (`noZeroSma`), zero frames stay zero and are left out of their neighbours' means.
    static func smooth(_ v: [Float], skipZeros: Bool) -> [Float] {
        v.indices.map { t in
            if skipZeros && v[t] == 0 { return 0 }
            var sum: Float = 0, n: Float = 0
            for u in max(0, t - 1)...min(v.count - 1, t + 1) where !(skipZeros && v[u] == 0) { sum += v[u]; n += 1 }
            return sum / n
        }
    }

    static func mean(_ v: [Float]) -> Float {
        v.isEmpty ? 0 : Float(v.reduce(0.0) { $0 + Double($1) } / Double(v.count))
    }

    /// Population standard deviation.
    static func std(_ v: [Float]) -> Float {
        guard !v.isEmpty else { return 0 }
        let m = Double(mean(v))
        return Float((v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot())
    }

    /// openSMILE's `stddevNorm`: std / mean, negative when the mean is (alphaRatioV's correlated -0.958
    /// with openSMILE's when divided by |mean|).
    static func coefficientOfVariation(_ v: [Float]) -> Float {
        let m = mean(v)
        return m == 0 ? 0 : std(v) / m
    }

    /// Linear interpolation at `p (n - 1)` of the sorted values.
    static func percentile(_ sorted: [Float], _ p: Float) -> Float {
        guard !sorted.isEmpty else { return 0 }
        let position = p * Float(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Float(low))
    }

    /// Mean, coefficient of variation, percentiles 20/50/80, their range, rising and falling slopes.
    static func contour(_ v: [Float]) -> [Float] {
        let sorted = v.sorted()
        let (p20, p50, p80) = (percentile(sorted, 0.2), percentile(sorted, 0.5), percentile(sorted, 0.8))
        let extrema = peaks(v)
        return [mean(v), coefficientOfVariation(v), p20, p50, p80, p80 - p20,
                mean(extrema.rising), std(extrema.rising), mean(extrema.falling), std(extrema.falling)]
    }

    /// Peaks and valleys with hysteresis `0.1 x (max - min)` (openSMILE `Peaks2 relThresh 0.1`): a peak
    /// counts once the contour has fallen that far below it, a valley once it has risen that far above.
    /// Slopes (units per second) run from each valley to the next peak (rising) and from each peak to the
    /// next valley (falling), both positive.
    static func peaks(_ v: [Float]) -> (peaks: [Int], rising: [Float], falling: [Float]) {
        guard let low = v.min(), let high = v.max(), high > low else { return ([], [], []) }
        let delta = 0.1 * (high - low)
        var extrema: [(index: Int, isPeak: Bool)] = []
        var maxIndex = 0, minIndex = 0
        var lookingForPeak = true
        for (t, value) in v.enumerated() {
            if value > v[maxIndex] { maxIndex = t }
            if value < v[minIndex] { minIndex = t }
            if lookingForPeak, value < v[maxIndex] - delta {
                if extrema.isEmpty && minIndex < maxIndex { extrema.append((minIndex, false)) }
                extrema.append((maxIndex, true))
                minIndex = t
                lookingForPeak = false
            } else if !lookingForPeak, value > v[minIndex] + delta {
                extrema.append((minIndex, false))
                maxIndex = t
                lookingForPeak = true
            }
        }
        var rising: [Float] = [], falling: [Float] = []
        for (a, b) in zip(extrema, extrema.dropFirst()) {
            let slope = abs(v[b.index] - v[a.index]) / (Float(b.index - a.index) * frameSeconds)
            if b.isPeak { rising.append(slope) } else { falling.append(slope) }
        }
        return (extrema.filter(\.isPeak).map(\.index), rising, falling)
    }

    /// Lengths in seconds of the runs of non-zero (`voiced`) or zero frames.
    static func runs(_ v: [Float], voiced: Bool) -> [Float] {
        var lengths: [Float] = [], current = 0
        for value in v {
            if (value != 0) == voiced { current += 1 } else if current > 0 { lengths.append(Float(current) * frameSeconds); current = 0 }
        }
        if current > 0 { lengths.append(Float(current) * frameSeconds) }
        return lengths
    }
}
