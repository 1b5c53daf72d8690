import Foundation

/// `librosa.filters.chroma(sr, n_fft, n_chroma, tuning, ctroct=5, octwidth=2, norm=2, base_c=True)`:
/// Gaussian bumps on each FFT bin's position in the octave (log2 of frequency over A440/16), each bin
/// normalised to unit L2 norm over chroma, weighted by a Gaussian over octaves centred at octave 5
/// (about 523 Hz) with a 2-octave width, rolled so chroma 0 is C. Stored dense, `chromaCount x binCount`.
struct ChromaFilterbank: Sendable {
    let chromaCount: Int
    let binCount: Int
    let weights: [Float]

    init(sampleRate: Int, fftLength: Int, chromaCount: Int, tuning: Double) {
        self.chromaCount = chromaCount
        binCount = fftLength / 2 + 1
        let n = Double(chromaCount)
        let a440 = 440.0 * pow(2.0, tuning / n)
        // frqbins over all fftLength bins (bin 0 gets a stand-in 1.5 octaves below bin 1).
        var frqbins = [Double](repeating: 0, count: fftLength)
        for k in 1..<fftLength {
            let frequency = Double(sampleRate) * Double(k) / Double(fftLength)
            frqbins[k] = n * log2(frequency / (a440 / 16))
        }
        frqbins[0] = frqbins[1] - 1.5 * n
        var binWidths = [Double](repeating: 1, count: fftLength)
        for k in 0..<(fftLength - 1) { binWidths[k] = max(frqbins[k + 1] - frqbins[k], 1) }
        let halfChroma = (n / 2).rounded(.toNearestOrEven)
        var dense = [Double](repeating: 0, count: chromaCount * fftLength)
        for k in 0..<fftLength {
            var norm = 0.0
            for c in 0..<chromaCount {
                let shifted = frqbins[k] - Double(c) + halfChroma + 10 * n
                // numpy.remainder: result has the sign of the divisor.
                var d = shifted.truncatingRemainder(dividingBy: n)
                if d < 0 { d += n }
                d -= halfChroma
                let value = exp(-0.5 * pow(2 * d / binWidths[k], 2))
                dense[c * fftLength + k] = value
                norm += value * value
            }
            norm = norm.squareRoot()
            let octaveWeight = exp(-0.5 * pow((frqbins[k] / n - 5) / 2, 2))
            for c in 0..<chromaCount {
                dense[c * fftLength + k] = (norm > 0 ? dense[c * fftLength + k] / norm : dense[c * fftLength + k]) * octaveWeight
            }
        }
        // np.roll(wts, -3 * (n_chroma // 12), axis=0): row c takes row c + shift.
        let shift = 3 * (chromaCount / 12)
        var weights = [Float](repeating: 0, count: chromaCount * binCount)
        for c in 0..<chromaCount {
            let source = (c + shift) % chromaCount
            for k in 0..<binCount { weights[c * binCount + k] = Float(dense[source * fftLength + k]) }
        }
        self.weights = weights
    }

    /// Chroma per frame (`frames x chromaCount`), each frame divided by its maximum (left as is when
    /// the maximum is below the smallest normal float, as `librosa.util.normalize(norm=inf)` does).
    func apply(_ power: [Float], frameCount: Int) -> [Float] {
        var chroma = [Float](repeating: 0, count: frameCount * chromaCount)
        power.withUnsafeBufferPointer { p in
            weights.withUnsafeBufferPointer { w in
                chroma.withUnsafeMutableBufferPointer { out in
                    for t in 0..<frameCount {
                        let row = p.baseAddress! + t * binCount
                        var peak: Float = 0
                        for c in 0..<chromaCount {
                            let filter = w.baseAddress! + c * binCount
                            let sum = dotProduct(filter, row, count: binCount)
                            out[t * chromaCount + c] = sum
                            peak = max(peak, abs(sum))
                        }
                        if peak >= Float.leastNormalMagnitude {
                            for c in 0..<chromaCount { out[t * chromaCount + c] /= peak }
                        }
                    }
                }
            }
        }
        return chroma
    }
}
