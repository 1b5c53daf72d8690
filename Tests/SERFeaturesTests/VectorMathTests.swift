import Foundation
import Testing
@testable import SERFeatures

@Suite struct VectorMathTests {
    /// The lane-wise log10 against glibc's double log10 over the whole positive normal range used
    /// (amin 1e-10 up to large power values), seeded so a failure replays.
    @Test func log10LanesIsWithinTwoUlp() {
        var generator = SeededRandom(state: 0x5e71ab)
        var worstDB = 0.0
        for _ in 0..<4000 {
            var x = SIMD16<Float>()
            for lane in 0..<16 { x[lane] = Float(pow(10.0, Double(generator.next() % 2_000_000) / 100_000 - 10)) }
            let y = log10Lanes(x)
            for lane in 0..<16 {
                let exact = log10(Double(x[lane]))
                worstDB = max(worstDB, 10 * abs(Double(y[lane]) - exact))
                #expect(abs(Double(y[lane]) - exact) <= 2.5 * Double(Float(exact).ulp) + 1e-7, "x \(x[lane]): \(y[lane]) vs \(exact)")
            }
        }
        #expect(worstDB < 2e-5)
        #expect(log10Lanes(SIMD16(repeating: 1)) == SIMD16(repeating: 0))
        #expect(log10Lanes(SIMD16(repeating: 1e-10)).max() + 10 < 1e-6)
    }

    /// The blocked 16-frame mel/MFCC path against the plain reference path, for frame counts around
    /// block boundaries.
    @Test(arguments: [1, 15, 16, 17, 33, 100])
    func blockedCepstrumMatchesReference(frames: Int) {
        let spectrogram = Spectrogram(fftLength: 512, hopLength: 160, windowLength: 512)
        let bank = MelFilterbank(sampleRate: 16000, fftLength: 512, melBandCount: 64)
        let dct = DCTMatrix(inputCount: 64, outputCount: 40)
        var generator = SeededRandom(state: UInt64(frames))
        let samples = (0..<(max(frames - 1, 0) * 160 + 5)).map { _ in Float(Int(generator.next() % 20001) - 10000) / 20000 }
        let (logMel, mfcc) = spectrogram.logMelAndMFCC(samples, mel: bank, topDecibels: 80, dct: dct)
        var reference = bank.apply(spectrogram.power(samples), frameCount: frames)
        powerToDecibels(&reference, topDecibels: 80)
        let referenceMFCC = dct.apply(reference, frameCount: frames)
        #expect(logMel.count == frames * 64 && mfcc.count == frames * 40)
        #expect(zip(logMel, reference).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(zip(mfcc, referenceMFCC).allSatisfy { abs($0 - $1) < 2e-4 })
    }
}

/// SplitMix64, enough for test inputs.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
