import Foundation
import Testing
import SERAudio
import SERTestSupport
@testable import SERFeatures

@Suite struct FeatureExtractorTests {
    static func everything(sampleRate: Int = 16000, level: FeatureSpec.Level = .frame) -> FeatureSpec {
        var spec = FeatureSpec(sampleRate: sampleRate, features: FeatureSpec.Feature.allCases.filter { $0 != .egemaps })
        spec.fftLength = 512
        spec.hopLength = 160
        spec.melBandCount = 64
        spec.mfccCount = 40
        spec.level = level
        spec.percentiles = [50]
        return spec
    }

    /// All-zero audio is valid and must give finite numbers everywhere (log-mel at the -100 dB amin floor).
    @Test(arguments: [1, 100, 16000])
    func allZeroAudioGivesFiniteFeatures(count: Int) throws {
        for level in [FeatureSpec.Level.frame, .utterance] {
            let matrix = try FeatureExtractor(spec: Self.everything(level: level)).extract([Float](repeating: 0, count: count))
            #expect(matrix.frameCount == (level == .frame ? 1 + count / 160 : 1))
            #expect(matrix.values.allSatisfy { $0.isFinite })
            if level == .frame { #expect(matrix.column(named: "log_mel_0")!.allSatisfy { abs($0 + 100) < 1e-4 }) }
        }
    }

    @Test func allZeroFileGivesFiniteFeatures() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("silence.wav")
        try wav16(samples: [Int16](repeating: 0, count: 8000), sampleRate: 8000).write(to: url)
        let matrix = try FeatureExtractor(spec: Self.everything()).extract(file: url)
        #expect(matrix.frameCount == 1 + 16000 / 160)
        #expect(matrix.values.allSatisfy { $0.isFinite })
    }

    /// One extractor used from many threads at once gives the same numbers as used alone.
    @Test func concurrentUseIsDeterministic() throws {
        let extractor = try FeatureExtractor(spec: Self.everything())
        var generator = SystemRandomNumberGenerator()
        let clips = (0..<16).map { i in (0..<(4000 + 997 * i)).map { _ in Float.random(in: -0.5...0.5, using: &generator) } }
        let alone = clips.map { extractor.extract($0) }
        let together = extractor.extractMany(clips, threads: 4)
        #expect(alone == together)
    }

    @Test(.realCorpora) func filesComeBackInOrderWithPerFileErrors() throws {
        let ravdess = try TestSupport.corpus("ravdess")
        let good = ["Actor_01/03-01-01-01-01-01-01.flac", "Actor_02/03-01-03-02-02-01-02.flac"].map { ravdess.appendingPathComponent($0) }
        let missing = ravdess.appendingPathComponent("Actor_01/nope.flac")
        let extractor = try FeatureExtractor(spec: FeatureSpec(sampleRate: 16000))
        let results = extractor.extractFiles([good[0], missing, good[1]], threads: 2)
        #expect(results.count == 3)
        #expect(try results[0].get() == extractor.extract(file: good[0]))
        #expect(try results[2].get() == extractor.extract(file: good[1]))
        #expect(throws: AudioError.missing(path: missing.path)) { try results[1].get() }
    }

    @Test func frameCountIsOnePlusSamplesOverHop() throws {
        let extractor = try FeatureExtractor(spec: FeatureSpec())
        for count in [1, 511, 512, 513, 2047, 22050] {
            #expect(extractor.extract([Float](repeating: 0.1, count: count)).frameCount == 1 + count / 512)
        }
    }

    @Test func functionalsMatchNumpyDefinitions() {
        let matrix = FeatureMatrix(frameCount: 4, columnNames: ["a", "b"], values: [1, 10, 2, 20, 3, 30, 10, 40])
        let row = Functionals.apply(matrix, functionals: [.mean, .std, .min, .max], percentiles: [50, 25])
        #expect(row.columnNames == ["a_mean", "a_std", "a_min", "a_max", "a_p50", "a_p25",
                                    "b_mean", "b_std", "b_min", "b_max", "b_p50", "b_p25"])
        let a: [Float] = [4, Float(12.5.squareRoot()), 1, 10, 2.5, 1.75]  // np.std ddof=0, np.percentile linear
        let b: [Float] = [25, Float(125.0.squareRoot()), 10, 40, 25, 17.5]
        for (got, want) in zip(row.values, a + b) { #expect(abs(got - want) < 1e-5, "\(got) vs \(want)") }
    }

    @Test func deltasOfPolynomialsAreExactIncludingEdges() {
        let frames = 20
        let ramp = (0..<frames).map { Float(3 * $0 - 7) }
        let delta = SavitzkyGolay.apply(ramp, frameCount: frames, columnCount: 1, width: 9, order: 1)
        let deltaExact = delta.allSatisfy { abs($0 - 3) < 1e-4 }
        #expect(deltaExact, "\(delta)")
        let parabola = (0..<frames).map { Float(0.5 * Double($0 * $0) - Double($0)) }
        let second = SavitzkyGolay.apply(parabola, frameCount: frames, columnCount: 1, width: 9, order: 2)
        #expect(second.allSatisfy { abs($0 - 1) < 1e-3 })
        // Fewer frames than the width: the width shrinks; fewer than 3 frames give zeros.
        #expect(SavitzkyGolay.apply([1, 2, 3, 4, 5], frameCount: 5, columnCount: 1, width: 9, order: 1).allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(SavitzkyGolay.apply([1, 5], frameCount: 2, columnCount: 1, width: 9, order: 1) == [0, 0])
    }

    @Test func melScalesRoundTripAndBreakAtOneKilohertz() {
        #expect(abs(MelFilterbank.hzToMel(1000, scale: .slaney) - 15) < 1e-12)
        #expect(abs(MelFilterbank.hzToMel(1000, scale: .htk) - 1000) < 0.1)
        for hz in [0.0, 200, 999, 1000, 4000, 11025] {
            for scale in [FeatureSpec.MelScale.slaney, .htk] {
                #expect(abs(MelFilterbank.melToHz(MelFilterbank.hzToMel(hz, scale: scale), scale: scale) - hz) < 1e-9)
            }
        }
        // Slaney-normalised filters have equal area 2 / (upper - lower) x (upper - lower) / 2 = 1 in Hz.
        let bank = MelFilterbank(sampleRate: 16000, fftLength: 4096, melBandCount: 40)
        for row in bank.dense.prefix(38).dropFirst(2) {
            let area = row.reduce(0.0) { $0 + Double($1) } * 16000 / 4096
            #expect(abs(area - 1) < 0.02, "area \(area)")
        }
    }

    private func wav16(samples: [Int16], sampleRate: Int) -> Data {
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + 2 * samples.count)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(UInt32(sampleRate)); u32(UInt32(2 * sampleRate)); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(2 * samples.count))
        for s in samples { withUnsafeBytes(of: s.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }
}
