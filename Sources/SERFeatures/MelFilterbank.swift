import Foundation

/// Triangular mel filters over the bins of an `fftLength`-point real FFT, as `librosa.filters.mel`
/// builds them (float64 arithmetic, stored as float32), kept sparse: each band's non-zero bins.
///
/// Band `m` rises from mel edge `f[m]` to `f[m+1]` and falls to `f[m+2]`, where `f` are
/// `melBandCount + 2` points evenly spaced on the mel scale between `minFrequency` and `maxFrequency`.
/// Slaney normalisation scales band `m` by `2 / (f[m+2] - f[m])` (equal area).
public struct MelFilterbank: Sendable {
    public let melBandCount: Int
    public let binCount: Int
    /// First non-zero bin of each band, and the band's weights from there.
    let starts: [Int]
    let weights: [[Float]]
    /// `weights` concatenated, with each band's offset into it and its width (for the hot loops).
    let flatWeights: [Float]
    let offsets: [Int]
    let widths: [Int]

    public init(sampleRate: Int, fftLength: Int, melBandCount: Int, minFrequency: Double = 0, maxFrequency: Double? = nil,
                scale: FeatureSpec.MelScale = .slaney, normalization: FeatureSpec.MelNormalization = .slaney) {
        self.melBandCount = melBandCount
        binCount = fftLength / 2 + 1
        let fmax = maxFrequency ?? Double(sampleRate) / 2
        let fftFrequencies = (0..<binCount).map { Double($0) * Double(sampleRate) / Double(fftLength) }
        let edges = Self.melFrequencies(count: melBandCount + 2, minFrequency: minFrequency, maxFrequency: fmax, scale: scale)
        var starts: [Int] = []
        var weights: [[Float]] = []
        for m in 0..<melBandCount {
            let lowerWidth = edges[m + 1] - edges[m], upperWidth = edges[m + 2] - edges[m + 1]
            let scaleFactor = normalization == .slaney ? 2 / (edges[m + 2] - edges[m]) : 1
            var row = [Float](repeating: 0, count: binCount)
            for k in 0..<binCount {
                let lower = (fftFrequencies[k] - edges[m]) / lowerWidth
                let upper = (edges[m + 2] - fftFrequencies[k]) / upperWidth
                row[k] = Float(max(0, min(lower, upper)) * scaleFactor)
            }
            let first = row.firstIndex { $0 != 0 } ?? 0
            let last = row.lastIndex { $0 != 0 } ?? -1
            starts.append(first)
            weights.append(last >= first ? Array(row[first...last]) : [])
        }
        self.starts = starts
        self.weights = weights
        var offsets: [Int] = []
        var flat: [Float] = []
        for row in weights { offsets.append(flat.count); flat.append(contentsOf: row) }
        self.flatWeights = flat
        self.offsets = offsets
        self.widths = weights.map(\.count)
    }

    /// The dense `melBandCount x binCount` matrix (for tests and export).
    public var dense: [[Float]] {
        (0..<melBandCount).map { m in
            var row = [Float](repeating: 0, count: binCount)
            for (offset, w) in weights[m].enumerated() { row[starts[m] + offset] = w }
            return row
        }
    }

    /// Mel power, frames-major (`frames x melBandCount`), from a frames-major power spectrogram.
    func apply(_ power: [Float], frameCount: Int) -> [Float] {
        precondition(power.count == frameCount * binCount, "power has \(power.count) values, expected \(frameCount) x \(binCount)")
        var mel = [Float](repeating: 0, count: frameCount * melBandCount)
        power.withUnsafeBufferPointer { p in
            flatWeights.withUnsafeBufferPointer { w in
                mel.withUnsafeMutableBufferPointer { out in
                    for t in 0..<frameCount {
                        let frame = p.baseAddress! + t * binCount
                        for m in 0..<melBandCount {
                            let width = widths[m]
                            out[t * melBandCount + m] = width > 0 ? dotProduct(w.baseAddress! + offsets[m], frame + starts[m], count: width) : 0
                        }
                    }
                }
            }
        }
        return mel
    }

    /// `librosa.mel_frequencies`: `count` points evenly spaced in mel between the two frequencies, in Hz.
    public static func melFrequencies(count: Int, minFrequency: Double, maxFrequency: Double, scale: FeatureSpec.MelScale) -> [Double] {
        let low = hzToMel(minFrequency, scale: scale), high = hzToMel(maxFrequency, scale: scale)
        // numpy.linspace: start + i * step, last point exactly `stop`.
        let step = count > 1 ? (high - low) / Double(count - 1) : 0
        return (0..<count).map { i in melToHz(i == count - 1 && count > 1 ? high : Double(i) * step + low, scale: scale) }
    }

    /// Slaney: linear (3 mels per 200 Hz) below 1 kHz, logarithmic (27 mels per factor 6.4) above.
    /// HTK: `2595 log10(1 + f / 700)`.
    public static func hzToMel(_ hz: Double, scale: FeatureSpec.MelScale) -> Double {
        switch scale {
        case .htk:
            return 2595 * log10(1 + hz / 700)
        case .slaney:
            let linearStep = 200.0 / 3, breakHz = 1000.0, breakMel = breakHz / linearStep
            let logStep = log(6.4) / 27
            return hz >= breakHz ? breakMel + log(hz / breakHz) / logStep : hz / linearStep
        }
    }

    public static func melToHz(_ mel: Double, scale: FeatureSpec.MelScale) -> Double {
        switch scale {
        case .htk:
            return 700 * (pow(10, mel / 2595) - 1)
        case .slaney:
            let linearStep = 200.0 / 3, breakHz = 1000.0, breakMel = breakHz / linearStep
            let logStep = log(6.4) / 27
            return mel >= breakMel ? breakHz * exp(logStep * (mel - breakMel)) : linearStep * mel
        }
    }
}
