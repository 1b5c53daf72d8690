import Foundation

/// The mel/MFCC path in blocks of 16 frames, one frame per SIMD lane: a block's power spectra are
/// stored bin-major (`[bin][lane]`), so the sparse mel sums and the DCT run as 16-wide vector
/// multiply-adds instead of short scalar dot products. Numbers are those of `Spectrogram.power`,
/// `MelFilterbank.apply`, `powerToDecibels` and `DCTMatrix.apply` (the DCT through `DCTMatrix.applyLanes`:
/// folded, centred, in float).
extension Spectrogram {
    static let lanes = 16
    typealias Lanes = SIMD16<Float>

    /// Log-mel (`frames x melBandCount`, after the utterance-wide `topDecibels` floor) and, when `dct`
    /// is given, MFCC (`frames x dct.outputCount`), both frames-major.
    /// `wantLogMel: false` leaves `logMel` empty (saves a transpose when only MFCC are wanted).
    /// `withoutLog` is the gate's deliberate feature bug (`FeatureSpec.ControlFault.mfccWithoutLog`): the mel
    /// power is used as it is, no decibels.
    func logMelAndMFCC(_ samples: [Float], mel bank: MelFilterbank, topDecibels: Double?, dct: DCTMatrix?,
                       wantLogMel: Bool = true, withoutLog: Bool = false) -> (logMel: [Float], mfcc: [Float]) {
        let frames = frameCount(sampleCount: samples.count)
        let blocks = (frames + Self.lanes - 1) / Self.lanes
        let bins = binCount, bands = bank.melBandCount
        let buffer = FFTBuffer(size: fftLength)
        var powerT = [Lanes](repeating: Lanes(), count: bins)
        var melT = [Lanes](repeating: Lanes(), count: blocks * bands)
        let offsets = bank.offsets, widths = bank.widths
        let n = fftLength, half = fftLength / 2, hop = hopLength
        var peakLanes = Lanes(repeating: -.infinity)
        let amin: Float = 1e-10

        samples.withUnsafeBufferPointer { x in
            window.withUnsafeBufferPointer { w in
                powerT.withUnsafeMutableBufferPointer { p in
                    melT.withUnsafeMutableBufferPointer { melOut in
                        bank.flatWeights.withUnsafeBufferPointer { weights in
                            let input = buffer.real
                            let powerBase = UnsafeMutableRawPointer(p.baseAddress!).assumingMemoryBound(to: Float.self)
                            let count = x.count
                            for block in 0..<blocks {
                                let first = block * Self.lanes
                                let used = min(Self.lanes, frames - first)
                                if used < Self.lanes { for k in 0..<bins { p[k] = Lanes() } }
                                for lane in 0..<used {
                                    let start = (first + lane) * hop - half
                                    if start >= 0 && start + n <= count {
                                        let source = x.baseAddress! + start
                                        for j in 0..<n { input[j] = w[j] * source[j] }
                                    } else {
                                        for j in 0..<n {
                                            let index = start + j
                                            input[j] = index >= 0 && index < count ? w[j] * x[index] : 0
                                        }
                                    }
                                    fft.power(buffer, into: powerBase + lane, stride: Self.lanes)
                                }
                                for m in 0..<bands {
                                    var sum = Lanes()
                                    let row = weights.baseAddress! + offsets[m]
                                    let start = bank.starts[m]
                                    for j in 0..<widths[m] { sum.addProduct(Lanes(repeating: row[j]), p[start + j]) }
                                    // 10 log10(max(amin, S)); unused lanes hold -100 dB, the lowest possible value,
                                    // so they never raise the peak.
                                    let db = withoutLog ? sum : 10 * log10Lanes(sum.replacing(with: Lanes(repeating: amin), where: .!(sum .>= amin)))
                                    // (`pointwiseMax` compiles to a scalar loop through memory here: half the time of this function.)
                                    peakLanes.replace(with: db, where: db .> peakLanes)
                                    melOut[block * bands + m] = db
                                }
                            }
                        }
                    }
                }
            }
        }
        let peak = peakLanes.max()
        if let top = topDecibels, frames > 0 {
            let floor = Lanes(repeating: peak - Float(top))
            melT.withUnsafeMutableBufferPointer { m in
                for i in m.indices { m[i] = m[i].replacing(with: floor, where: m[i] .< floor) }
            }
        }

        var logMel = [Float](repeating: 0, count: wantLogMel ? frames * bands : 0)
        var mfcc = [Float](repeating: 0, count: dct.map { frames * $0.outputCount } ?? 0)
        melT.withUnsafeBufferPointer { m in
            if wantLogMel { logMel.withUnsafeMutableBufferPointer { out in
                for block in 0..<blocks {
                    let first = block * Self.lanes
                    for lane in 0..<min(Self.lanes, frames - first) {
                        let row = out.baseAddress! + (first + lane) * bands
                        for band in 0..<bands { row[band] = m[block * bands + band][lane] }
                    }
                }
            } }
            guard let dct else { return }
            let coefficients = dct.outputCount
            var work = [Lanes](repeating: Lanes(), count: dct.laneWorkCount)
            var result = [Lanes](repeating: Lanes(), count: coefficients)
            work.withUnsafeMutableBufferPointer { w in
                result.withUnsafeMutableBufferPointer { r in
                    mfcc.withUnsafeMutableBufferPointer { out in
                        let values = UnsafeRawPointer(r.baseAddress!).assumingMemoryBound(to: Float.self)
                        for block in 0..<blocks {
                            dct.applyLanes(m.baseAddress! + block * bands, work: w.baseAddress!, into: r.baseAddress!)
                            let first = block * Self.lanes
                            for lane in 0..<min(Self.lanes, frames - first) {
                                let row = out.baseAddress! + (first + lane) * coefficients
                                for k in 0..<coefficients { row[k] = values[k * Self.lanes + lane] }
                            }
                        }
                    }
                }
            }
        }
        return (logMel, mfcc)
    }
}
