import Foundation
import Testing
@testable import SERFeatures

@Suite struct RealFFTTests {
    /// `RealFFT.power` (half-size complex transform + split for even sizes, r2c for odd ones) against a
    /// double-precision DFT, for sizes that hit the 8-wide loop, its scalar tail, both, and neither;
    /// strided output (the lane layout) must hold the same values. Float32 rounding: within 2e-6 of
    /// the frame's largest power.
    @Test(arguments: [2, 4, 8, 18, 30, 64, 400, 512, 7, 511])
    func powerMatchesDoubleDFT(size: Int) {
        let fft = RealFFT.shared(size: size)
        let buffer = FFTBuffer(size: size)
        var generator = SeededRandom(state: UInt64(size) &* 977)
        let x = (0..<size).map { _ in Float(Int(generator.next() % 20001) - 10000) / 10000 }
        for j in 0..<size { buffer.real[j] = x[j] }
        let bins = size / 2 + 1
        var exact = [Double](repeating: 0, count: bins)
        for k in 0..<bins {
            var re = 0.0, im = 0.0
            for (n, value) in x.enumerated() {
                let angle = -2 * Double.pi * Double(k * n % size) / Double(size)
                re += Double(value) * cos(angle)
                im += Double(value) * sin(angle)
            }
            exact[k] = re * re + im * im
        }
        let scale = exact.max()!
        var dense = [Float](repeating: 0, count: bins)
        var strided = [Float](repeating: -1, count: 3 * bins)
        dense.withUnsafeMutableBufferPointer { fft.power(buffer, into: $0.baseAddress!, stride: 1) }
        strided.withUnsafeMutableBufferPointer { fft.power(buffer, into: $0.baseAddress!, stride: 3) }
        for k in 0..<bins {
            #expect(abs(Double(dense[k]) - exact[k]) <= 2e-6 * scale, "size \(size) bin \(k): \(dense[k]) vs \(exact[k])")
            #expect(strided[3 * k] == dense[k], "size \(size) bin \(k): strided \(strided[3 * k]) vs \(dense[k])")
        }
        #expect(zip(0..<size, x).allSatisfy { buffer.real[$0] == $1 }, "input kept")
    }
}
