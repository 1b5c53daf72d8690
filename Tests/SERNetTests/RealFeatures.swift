import Foundation
import SERAudio
import SERNet
import SERTestSupport

/// Small real feature sequences for the overfit and determinism tests, computed here so these tests do not
/// depend on SERFeatures: RAVDESS Actor_01, four emotions x four takes, 16 kHz, 256-sample Hann frames with
/// hop 256, power spectrum by direct DFT, 20 triangular bands on a mel scale, log, DCT-II to 13
/// MFCC-like coefficients. Sequences keep their own lengths (about 200 frames).
enum RealFeatures {
    static let emotions = ["01", "03", "04", "05"]   // neutral, happy, sad, angry
    static let coefficientCount = 13

    static let loaded: Result<SequenceDataset, any Error> = Result { try load() }

    static func dataset() throws -> SequenceDataset { try loaded.get() }

    private static func load() throws -> SequenceDataset {
        let folder = try TestSupport.corpus("ravdess").appendingPathComponent("Actor_01")
        var sequences: [[Float]] = []
        var labels: [Int] = []
        for (label, emotion) in emotions.enumerated() {
            for take in ["01-01", "01-02", "02-01", "02-02"] {
                let statement = take.prefix(2), repetition = take.suffix(2)
                let intensity = emotion == "01" ? "01" : "02"
                let name = "03-01-\(emotion)-\(intensity)-\(statement)-\(repetition)-01.flac"
                let clip = try AudioFile.read(folder.appendingPathComponent(name), sampleRate: 16_000)
                sequences.append(features(clip.samples))
                labels.append(label)
            }
        }
        return SequenceDataset(featureCount: coefficientCount, sequences: sequences, labels: labels)
    }

    static func features(_ samples: [Float]) -> [Float] {
        let frameLength = 256, bins = 129, bands = 20
        let window = (0..<frameLength).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(frameLength))) }
        var cosTable = [Float](repeating: 0, count: bins * frameLength), sinTable = cosTable
        for k in 0..<bins {
            for n in 0..<frameLength {
                let angle = 2 * Double.pi * Double(k * n % frameLength) / Double(frameLength)
                cosTable[k * frameLength + n] = Float(cos(angle))
                sinTable[k * frameLength + n] = Float(sin(angle))
            }
        }
        func mel(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }
        let edges = (0...(bands + 1)).map { i -> Double in
            let m = mel(8000) * Double(i) / Double(bands + 1)
            return 700 * (pow(10, m / 2595) - 1) / 8000 * Double(bins - 1)
        }
        let frameCount = samples.count / frameLength
        var output: [Float] = []
        output.reserveCapacity(frameCount * coefficientCount)
        var frame = [Float](repeating: 0, count: frameLength)
        for f in 0..<frameCount {
            for n in 0..<frameLength { frame[n] = samples[f * frameLength + n] * window[n] }
            var power = [Double](repeating: 0, count: bins)
            for k in 0..<bins {
                var re: Float = 0, im: Float = 0
                for n in 0..<frameLength {
                    re += frame[n] * cosTable[k * frameLength + n]
                    im += frame[n] * sinTable[k * frameLength + n]
                }
                power[k] = Double(re * re + im * im)
            }
            var logBands = [Double](repeating: 0, count: bands)
            for b in 0..<bands {
                var energy = 1e-10
                for k in 0..<bins {
                    let x = Double(k)
                    let rise = (x - edges[b]) / (edges[b + 1] - edges[b]), fall = (edges[b + 2] - x) / (edges[b + 2] - edges[b + 1])
                    energy += power[k] * max(0, min(rise, fall))
                }
                logBands[b] = log(energy)
            }
            for c in 0..<coefficientCount {
                var sum = 0.0
                for b in 0..<bands { sum += logBands[b] * cos(Double.pi * Double(c) * (Double(b) + 0.5) / Double(bands)) }
                output.append(Float(sum * (c == 0 ? (1 / Double(bands)).squareRoot() : (2 / Double(bands)).squareRoot())))
            }
        }
        return output
    }
}
