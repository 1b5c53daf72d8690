import Foundation

/// Per-frame descriptors computed the way `librosa.feature.*` computes them with `center=True`.
enum FrameDescriptors {
    /// `librosa.feature.rms(y, frame_length, hop_length)`: `sqrt(mean(x^2))` over each frame of the
    /// zero-padded (not windowed) signal.
    static func rms(_ samples: [Float], frameLength: Int, hopLength: Int) -> [Float] {
        let frames = Spectrogram.frameCount(sampleCount: samples.count, frameLength: frameLength, hopLength: hopLength)
        var out = [Float](repeating: 0, count: frames)
        samples.withUnsafeBufferPointer { x in
            for t in 0..<frames {
                let start = t * hopLength - frameLength / 2
                let low = max(0, start), high = min(x.count, start + frameLength)
                var sum = 0.0
                if low < high { for i in low..<high { sum += Double(x[i]) * Double(x[i]) } }
                out[t] = Float((sum / Double(frameLength)).squareRoot())
            }
        }
        return out
    }

    /// `librosa.feature.zero_crossing_rate(y, frame_length, hop_length)`: the signal is padded by
    /// repeating its edge samples (`mode="edge"`); within a frame, position `i >= 1` counts when the sign
    /// bits of `x[i-1]` and `x[i]` differ, values with `|x| <= 1e-10` counting as positive; divided by
    /// `frameLength`.
    static func zeroCrossingRate(_ samples: [Float], frameLength: Int, hopLength: Int) -> [Float] {
        let frames = Spectrogram.frameCount(sampleCount: samples.count, frameLength: frameLength, hopLength: hopLength)
        guard !samples.isEmpty else { return [Float](repeating: 0, count: frames) }
        let threshold: Float = 1e-10
        // negative[i] for the padded signal, i = index in the original clamped to the edges.
        let negative = samples.map { !(abs($0) <= threshold) && $0.sign == .minus }
        var out = [Float](repeating: 0, count: frames)
        negative.withUnsafeBufferPointer { n in
            let last = n.count - 1
            for t in 0..<frames {
                let start = t * hopLength - frameLength / 2
                var count = 0
                var previous = n[min(max(start, 0), last)]
                for j in 1..<max(frameLength, 1) {
                    let current = n[min(max(start + j, 0), last)]
                    if current != previous { count += 1 }
                    previous = current
                }
                out[t] = Float(count) / Float(frameLength)
            }
        }
        return out
    }

    /// Centroid, bandwidth, roll-off (Hz) and flatness per frame from a frames-major power spectrogram.
    ///
    /// Centroid and bandwidth use the magnitude `S = sqrt(power)` normalised to sum 1 per frame (a silent
    /// frame stays 0, so both are 0): centroid `sum f S`, bandwidth `sqrt(sum S (f - centroid)^2)`.
    /// Roll-off is the lowest bin frequency whose cumulative magnitude (float32, in order, as numpy's
    /// `cumsum`) reaches `rolloffPercent` of the total. Flatness is `exp(mean log P) / mean P` with
    /// `P = max(1e-10, power)`.
    static func spectral(power: [Float], frameCount: Int, binCount: Int, sampleRate: Int, fftLength: Int,
                         rolloffPercent: Double, want: Set<FeatureSpec.Feature>) -> [FeatureSpec.Feature: [Float]] {
        var centroid = [Float](repeating: 0, count: frameCount)
        var bandwidth = [Float](repeating: 0, count: frameCount)
        var rolloff = [Float](repeating: 0, count: frameCount)
        var flatness = [Float](repeating: 0, count: frameCount)
        let frequencies = (0..<binCount).map { Double($0) * Double(sampleRate) / Double(fftLength) }
        let needMagnitude = want.contains(.spectralCentroid) || want.contains(.spectralBandwidth) || want.contains(.spectralRolloff)
        var magnitude = [Float](repeating: 0, count: needMagnitude ? binCount : 0)
        let roll = Float(rolloffPercent)
        power.withUnsafeBufferPointer { p in
            for t in 0..<frameCount {
                let row = p.baseAddress! + t * binCount
                if needMagnitude {
                    var total = 0.0
                    var weighted = 0.0
                    for k in 0..<binCount {
                        let s = row[k].squareRoot()
                        magnitude[k] = s
                        total += Double(s)
                        weighted += Double(s) * frequencies[k]
                    }
                    let norm = total < Double(Float.leastNormalMagnitude) ? 1 : total
                    let c = weighted / norm
                    centroid[t] = Float(c)
                    if want.contains(.spectralBandwidth) {
                        var spread = 0.0
                        for k in 0..<binCount { spread += Double(magnitude[k]) / norm * (frequencies[k] - c) * (frequencies[k] - c) }
                        bandwidth[t] = Float(spread.squareRoot())
                    }
                    if want.contains(.spectralRolloff) {
                        var cumulative: Float = 0
                        for k in 0..<binCount { cumulative += magnitude[k] }
                        let threshold = roll * cumulative
                        var running: Float = 0
                        var bin = 0
                        for k in 0..<binCount {
                            running += magnitude[k]
                            if !(running < threshold) { bin = k; break }
                        }
                        rolloff[t] = Float(frequencies[bin])
                    }
                }
                if want.contains(.spectralFlatness) {
                    var logSum = 0.0, sum = 0.0
                    for k in 0..<binCount {
                        let v = Double(max(Float(1e-10), row[k]))
                        logSum += log(v)
                        sum += v
                    }
                    flatness[t] = Float(exp(logSum / Double(binCount)) / (sum / Double(binCount)))
                }
            }
        }
        var result: [FeatureSpec.Feature: [Float]] = [:]
        if want.contains(.spectralCentroid) { result[.spectralCentroid] = centroid }
        if want.contains(.spectralBandwidth) { result[.spectralBandwidth] = bandwidth }
        if want.contains(.spectralRolloff) { result[.spectralRolloff] = rolloff }
        if want.contains(.spectralFlatness) { result[.spectralFlatness] = flatness }
        return result
    }
}
