import Foundation
import Testing
@testable import SERFeatures

@Suite struct CepstrumTests {
    /// `DCTMatrix.applyLanes` (folded, centred, float) against the DCT-II summed in double from the
    /// same float matrix, for even and odd sizes, on log-mel-like inputs (dB values with a random level
    /// per frame), silence (-100 dB everywhere) and loud frames near +60 dB. Beyond the unavoidable
    /// rounding of the result to float, the float sums stay within 3e-5 (observed worst 2.0e-5, at 128
    /// bands: sums of +-40 dB deviations rounded at float resolution); the librosa fixtures allow 1e-3.
    @Test(arguments: [1, 2, 3, 7, 13, 40, 64, 65, 128])
    func laneDCTMatchesDoubleDCT(inputCount: Int) {
        let outputCounts = Set([1, 2, min(inputCount, 20), min(inputCount, 40), inputCount])
        var generator = SeededRandom(state: UInt64(inputCount) &* 7919)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        for outputCount in outputCounts.sorted() {
            let dct = DCTMatrix(inputCount: inputCount, outputCount: outputCount)
            var x = [SIMD16<Float>](repeating: SIMD16(), count: inputCount)
            for lane in 0..<16 {
                let level = lane == 0 ? -100 : lane == 1 ? 60 : -90 + 140 * uniform()
                for n in 0..<inputCount {
                    x[n][lane] = lane == 0 ? -100 : Float(min(60, max(-100, level + (uniform() - 0.5) * 80)))
                }
            }
            var work = [SIMD16<Float>](repeating: SIMD16(), count: dct.laneWorkCount)
            var output = [SIMD16<Float>](repeating: SIMD16(), count: outputCount)
            x.withUnsafeBufferPointer { input in
                work.withUnsafeMutableBufferPointer { w in
                    output.withUnsafeMutableBufferPointer { dct.applyLanes(input.baseAddress!, work: w.baseAddress!, into: $0.baseAddress!) }
                }
            }
            // Beyond the final rounding to float (half an ulp of the value, 3e-5 at |X| = 480).
            var worst = 0.0, worstSilence = 0.0
            for k in 0..<outputCount {
                for lane in 0..<16 {
                    var exact = 0.0
                    for n in 0..<inputCount { exact += Double(dct.matrix[k * inputCount + n]) * Double(x[n][lane]) }
                    let excess = abs(Double(output[k][lane]) - exact) - 0.5 * Double(Float(exact).ulp)
                    worst = max(worst, excess)
                    if lane == 0 { worstSilence = max(worstSilence, excess) }
                }
            }
            #expect(worst <= 3e-5, "\(inputCount) -> \(outputCount): worst \(worst) beyond half an ulp")
            // Silence (every input -100 dB): centred, the sums add zeros.
            #expect(worstSilence <= 1e-6, "\(inputCount) -> \(outputCount): silence off by \(worstSilence) beyond half an ulp")
        }
    }
}
