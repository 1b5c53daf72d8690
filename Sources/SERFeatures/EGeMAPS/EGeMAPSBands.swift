import Foundation

/// Mel-band descriptors of the 20 ms Hamming power spectrum: loudness and MFCC 1-4.
///
/// - Loudness (openSMILE `cMelspec` + `cPlp` with `doAud` + `cVectorOperation ll1`): 26 triangular
///   mel bands 20-8000 Hz on the power spectrum, each weighted by Hermansky's (1990, PLP) equal-loudness
///   curve at its centre and compressed by the cube-root-like power 0.33 (Stevens' intensity-loudness
///   law), summed over bands. The band powers are divided by 4096 first: that puts the values on
///   openSMILE's scale (its loudness was 0.0629-0.0658 times the unscaled sum on three corpus clips,
///   and `4096^-0.33 = 0.0643`; frame-level r 0.992-0.999).
/// - MFCC 1-4 (openSMILE `cMelspec htkcompatible` + `cMfcc`, as HTK): 26 mel bands 20-8000 Hz on the
///   power spectrum, natural log (floored at 1e-8), DCT-II `sqrt(2/26) sum_j log m_j cos(pi i (j + 0.5) / 26)`,
///   sinusoidal liftering `1 + 11 sin(pi i / 22)`.
struct EGeMAPSBands: Sendable {
    static let bandCount = 26
    /// Triangular weights, `bandCount` rows of the FFT's bins, peak 1.
    let filters: [[Float]]
    let loudnessWeights: [Float]

    init(sampleRate: Int, fftSize: Int) {
        let low = 20.0, high = min(8000.0, Double(sampleRate) / 2)
        func mel(_ f: Double) -> Double { 1127 * log(1 + f / 700) }
        func hertz(_ m: Double) -> Double { 700 * (exp(m / 1127) - 1) }
        let count = Self.bandCount
        let edges = (0...(count + 1)).map { hertz(mel(low) + (mel(high) - mel(low)) * Double($0) / Double(count + 1)) }
        let binHz = Double(sampleRate) / Double(fftSize)
        filters = (0..<count).map { b in
            (0...(fftSize / 2)).map { k in
                let f = Double(k) * binHz
                let (l, c, h) = (edges[b], edges[b + 1], edges[b + 2])
                if f <= l || f >= h { return 0 }
                return Float(f <= c ? (f - l) / (c - l) : (h - f) / (h - c))
            }
        }
        loudnessWeights = (0..<count).map { b in
            let w2 = pow(2 * Double.pi * edges[b + 1], 2)
            return Float((w2 + 56.8e6) * w2 * w2 / (pow(w2 + 6.3e6, 2) * (w2 + 0.38e9)))
        }
    }

    func melPower(_ power: [Float]) -> [Double] {
        filters.map { filter in
            var sum = 0.0
            for k in 0..<power.count where filter[k] != 0 { sum += Double(filter[k]) * Double(power[k]) }
            return sum
        }
    }

    /// Sum over bands of `(weight x band power)^0.33`.
    func loudness(melPower: [Double]) -> Float {
        var sum = 0.0
        for b in 0..<melPower.count { sum += pow(Double(loudnessWeights[b]) * melPower[b] / 4096, 0.33) }
        return Float(sum)
    }

    /// MFCC 1...4 (HTK's DCT and liftering; c0 is not part of the set).
    func mfcc(melPower: [Double]) -> [Float] {
        let n = Double(melPower.count)
        let logs = melPower.map { log(max($0, 1e-8)) }
        return (1...4).map { i in
            var sum = 0.0
            for j in 0..<logs.count { sum += logs[j] * cos(Double.pi * Double(i) * (Double(j) + 0.5) / n) }
            return Float(sqrt(2 / n) * sum * (1 + 11 * sin(Double.pi * Double(i) / 22)))
        }
    }
}
