import Foundation

/// Jitter (local) and shimmer (local, dB) of one voiced 60 ms frame of raw samples, given its F0
/// (openSMILE `cPitchJitter`, `searchRangeRel 0.1`, `minNumPeriods 2`).
///
/// Glottal cycles are marked at waveform maxima: the first at the largest sample of the first period,
/// each next one at the largest sample within +-10 % of one period after the previous mark, refined by
/// a parabola. With periods `T_i` (mark to mark) and peak-to-peak amplitudes `A_i` within them:
/// jitter = `mean |T_i - T_{i-1}| / mean T_i`, shimmer = `mean |20 log10(A_i / A_{i-1})|` dB. Frames
/// with fewer than 3 complete periods give 0 (no value, as openSMILE).
enum EGeMAPSPerturbation {
    static func measure(_ x: [Float], sampleRate: Int, f0: Float) -> (jitter: Float, shimmer: Float) {
        guard f0 > 0 else { return (0, 0) }
        let period = Double(sampleRate) / Double(f0)
        guard Double(x.count) >= 3 * period + 2 else { return (0, 0) }
        func argmax(_ range: Range<Int>) -> Int {
            var best = range.lowerBound
            for i in range where x[i] > x[best] { best = i }
            return best
        }
        func refined(_ i: Int) -> Double {
            guard i > 0, i < x.count - 1 else { return Double(i) }
            let (a, b, c) = (Double(x[i - 1]), Double(x[i]), Double(x[i + 1]))
            let d = a - 2 * b + c
            return d < 0 ? Double(i) + max(-0.5, min(0.5, 0.5 * (a - c) / d)) : Double(i)
        }
        var marks = [argmax(0..<Int(period.rounded(.up)))]
        while true {
            let expected = Double(marks.last!) + period
            let low = Int((expected - 0.1 * period).rounded(.down)), high = Int((expected + 0.1 * period).rounded(.up))
            guard high < x.count - 1, low > marks.last! else { break }
            marks.append(argmax(low..<(high + 1)))
        }
        guard marks.count >= 4 else { return (0, 0) }
        let positions = marks.map(refined)
        let periods = zip(positions.dropFirst(), positions).map { $0 - $1 }
        let amplitudes = zip(marks, marks.dropFirst()).map { start, end -> Double in
            let slice = x[start..<end]
            return Double((slice.max() ?? 0) - (slice.min() ?? 0))
        }
        let meanPeriod = periods.reduce(0, +) / Double(periods.count)
        let jitter = zip(periods.dropFirst(), periods).map { abs($0 - $1) }.reduce(0, +) / Double(periods.count - 1) / meanPeriod
        var shimmer = 0.0
        for i in 1..<amplitudes.count {
            guard amplitudes[i] > 0, amplitudes[i - 1] > 0 else { return (Float(jitter), 0) }
            shimmer += abs(20 * log10(amplitudes[i] / amplitudes[i - 1]))
        }
        return (Float(jitter), Float(shimmer / Double(amplitudes.count - 1)))
    }
}
