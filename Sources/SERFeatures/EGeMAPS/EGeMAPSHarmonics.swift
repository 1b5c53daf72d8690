import Foundation

/// Harmonic levels of a voiced frame's 60 ms Gaussian magnitude spectrum (openSMILE `cHarmonics` with
/// `harmonicDifferencesLog`, `formantAmplitudesLogRel`), in dB relative to the first harmonic:
/// - harmonic `n` is the spectral peak (a bin above both neighbours) at the bin nearest `n F0`, else the
///   nearest such peak searching outwards within `(n +- 0.5) F0`; a harmonic whose peak is below
///   `F0 / 2`, at the last bin, or the same bin as the previous harmonic's, is missing;
/// - its frequency and magnitude are the vertex of the parabola through the peak bin and its two
///   neighbours; its relative level is `20 log10(vertex magnitude / H1's peak-bin magnitude)`;
/// - H1-H2 = `-level(H2)`; a formant's amplitude (`F<i>amplitudeLogRelF0`) is the level of the
///   strongest harmonic (by peak-bin magnitude) within `0.8 ... 1.2 x F_i`; H1-A3 = `-amplitude(F3)`.
/// Missing values are 0 (left out of the functionals) where openSMILE writes -201 in the frame output.
struct EGeMAPSHarmonics: Sendable {
    static let harmonicCount = 100
    let binHz: Double

    init(sampleRate: Int, fftSize: Int) {
        binHz = Double(sampleRate) / Double(fftSize)
    }

    struct Harmonic { var bin: Int; var peakMagnitude: Double; var frequency: Double; var magnitude: Double }

    private static func isPeak(_ x: [Float], _ k: Int) -> Bool {
        k > 0 && k < x.count - 1 && x[k] > x[k - 1] && x[k] > x[k + 1]
    }

    func harmonics(_ magnitude: [Float], f0: Double) -> [Harmonic?] {
        func nearest(_ f: Double) -> Int { Int((f / binHz).rounded()) }
        let lowest = nearest(0.5 * f0)
        var found: [Harmonic?] = []
        var previousBin = -1
        for n in 1...Self.harmonicCount {
            let centre = nearest(Double(n) * f0)
            guard centre < magnitude.count - 1 else { break }
            let lower = nearest((Double(n) - 0.5) * f0), upper = nearest((Double(n) + 0.5) * f0)
            var peak: Int? = Self.isPeak(magnitude, centre) ? centre : nil
            var offset = 1
            while peak == nil && (centre + offset <= upper || centre - offset >= lower) {
                if centre + offset <= upper, Self.isPeak(magnitude, centre + offset) { peak = centre + offset }
                else if centre - offset >= lower, Self.isPeak(magnitude, centre - offset) { peak = centre - offset }
                offset += 1
            }
            guard let bin = peak, bin >= lowest, bin < magnitude.count - 1, bin != previousBin else { found.append(nil); continue }
            previousBin = bin
            let (a, b, c) = (Double(magnitude[bin - 1]), Double(magnitude[bin]), Double(magnitude[bin + 1]))
            let d = a - 2 * b + c
            let shift = d < 0 ? 0.5 * (a - c) / d : 0
            found.append(Harmonic(bin: bin, peakMagnitude: b, frequency: (Double(bin) + shift) * binHz, magnitude: b - 0.25 * (a - c) * shift))
        }
        return found
    }

    /// H1-H2 and the relative amplitudes of the given formants (0 when missing).
    func differences(_ power: [Float], f0: Double, formants: [EGeMAPSFormants.Formant]) -> (h1h2: Float, relative: [Float]) {
        let magnitude = power.map { $0.squareRoot() }
        let list = harmonics(magnitude, f0: f0)
        guard f0 > 0, let first = list.first ?? nil, first.peakMagnitude > 0 else { return (0, formants.map { _ in 0 }) }
        func level(_ index: Int) -> Float {
            guard index > 0 else { return 0 }
            guard let h = list[index], h.magnitude > 0 else { return -200 }
            return Float(max(-200, 20 * log10(h.magnitude / first.peakMagnitude)))
        }
        let h1h2: Float = list.count > 1 && list[1] != nil ? -level(1) : 0
        let relative = formants.map { formant -> Float in
            var best: Int? = nil
            for (i, h) in list.enumerated() {
                guard let h, h.frequency >= 0.8 * formant.frequency, h.frequency <= 1.2 * formant.frequency else { continue }
                if best == nil || h.peakMagnitude > list[best!]!.peakMagnitude { best = i }
            }
            return best.map(level) ?? 0
        }
        return (h1h2, relative)
    }
}
