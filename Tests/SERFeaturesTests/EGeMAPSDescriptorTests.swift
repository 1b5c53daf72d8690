import Foundation
import Testing
@testable import SERFeatures

/// eGeMAPS descriptors on synthetic signals whose answer is known (docs/egemaps.md describes each).
@Suite struct EGeMAPSDescriptorTests {
    static let rate = 16000
    static let analyzer = EGeMAPSAnalyzer(sampleRate: rate)

    /// Deterministic white noise in [-1, 1) times `scale`.
    static func noise(count: Int, scale: Float, seed: UInt64 = 1) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return scale * (Float(state >> 40) / Float(1 << 24) * 2 - 1)
        }
    }

    static func tone(_ frequency: Double, seconds: Double = 1, amplitude: Float = 0.5) -> [Float] {
        (0..<Int(seconds * Double(rate))).map { amplitude * Float(sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
    }

    /// Mean of one raw descriptor over the frames away from the clip's edges.
    static func middleMean(_ samples: [Float], _ lld: EGeMAPSAnalyzer.LLD) -> Float {
        let column = analyzer.descriptors(samples).columns[lld.rawValue]
        let middle = column[10..<(column.count - 10)]
        return middle.reduce(0, +) / Float(middle.count)
    }

    @Test(arguments: [110.0, 200.0, 440.0])
    func pureToneF0InSemitones(frequency: Double) {
        let f0 = Self.middleMean(Self.tone(frequency), .f0)
        let expected = Float(12 * log2(frequency / 27.5))
        #expect(abs(f0 - expected) < 0.1, "tone \(frequency) Hz: \(f0) semitones, expected \(expected)")
    }

    @Test func silenceAndQuietNoiseAreUnvoiced() {
        let descriptors = Self.analyzer.descriptors(Self.noise(count: Self.rate, scale: 0.0005))
        #expect(descriptors.columns[EGeMAPSAnalyzer.LLD.f0.rawValue].allSatisfy { $0 == 0 })
        // Silence gives zeros everywhere except the two slopes, where a flat log spectrum at the -100 dB floor
        // has openSMILE's level-dependent slope (see EGeMAPSSpectralShape), the same in every frame, and
        // MFCC 1-4, the DCT of equal log-mel values: 0 up to rounding.
        let silence = Self.analyzer.descriptors([Float](repeating: 0, count: Self.rate))
        typealias LLD = EGeMAPSAnalyzer.LLD
        for (index, column) in silence.columns.enumerated() {
            switch LLD(rawValue: index)! {
            case .slope0to500, .slope500to1500: #expect(Set(column).count == 1)
            case .mfcc1, .mfcc2, .mfcc3, .mfcc4: #expect(column.allSatisfy { abs($0) < 1e-4 }, "column \(index)")
            default: #expect(column.allSatisfy { $0 == 0 }, "column \(index)")
            }
        }
    }

    /// A 200 Hz sine of power S plus white noise of power N: the windowed frame's autocorrelation at the
    /// period (80 samples) is `S / (S + N)` of its lag-0 value times the Gaussian window's own at that lag
    /// (openSMILE's HNR does not divide the window out), so HNR = `10 log10(r / (1 - r))` of that r,
    /// within the scatter of 60 ms of noise.
    @Test(arguments: [5.0, 10.0, 20.0])
    func hnrOfToneInNoise(snr: Double) {
        let tone = Self.tone(200, seconds: 2)
        let noisePower = 0.125 / pow(10, snr / 10)   // sine of amplitude 0.5 has power 0.125
        let uniformScale = Float((3 * noisePower).squareRoot())   // uniform on [-a, a] has power a^2 / 3
        let noisy = zip(tone, Self.noise(count: tone.count, scale: uniformScale)).map { $0 + $1 }
        let hnr = Self.middleMean(noisy, .hnr)
        let r = Double(Self.analyzer.pitch.windowACF[80]) / (1 + pow(10, -snr / 10))
        let expected = 10 * log10(r / (1 - r))
        #expect(abs(Double(hnr) - expected) < 1, "SNR \(snr) dB: HNR \(hnr) dB, expected \(expected)")
    }

    /// Impulses every `periods[i]` samples with heights `heights[i]`.
    static func pulses(periods: [Int], heights: [Float], count: Int) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        var position = 5, i = 0
        while position < count { x[position] = heights[i % heights.count]; position += periods[i % periods.count]; i += 1 }
        return x
    }

    @Test func regularPulseTrainHasNoJitterOrShimmer() {
        let x = Self.pulses(periods: [80], heights: [1], count: 960)
        let (jitter, shimmer) = EGeMAPSPerturbation.measure(x, sampleRate: Self.rate, f0: 200)
        #expect(jitter == 0)
        #expect(shimmer == 0)
    }

    /// Periods alternating 76 and 84 samples: every |T_i - T_(i-1)| is 8, the mean period 80, jitter 0.1.
    /// Heights alternating 1 and 0.5: every amplitude ratio is 2, shimmer 20 log10 2 = 6.02 dB.
    @Test func alternatingPulseTrainHasKnownJitterAndShimmer() {
        let jittered = Self.pulses(periods: [76, 84], heights: [1], count: 960)
        let (jitter, _) = EGeMAPSPerturbation.measure(jittered, sampleRate: Self.rate, f0: 200)
        #expect(abs(jitter - 0.1) < 0.002, "jitter \(jitter)")
        let shimmered = Self.pulses(periods: [80], heights: [1, 0.5], count: 960)
        let (_, shimmer) = EGeMAPSPerturbation.measure(shimmered, sampleRate: Self.rate, f0: 200)
        #expect(abs(shimmer - 6.0206) < 0.01, "shimmer \(shimmer)")
    }

    /// Loudness is a sum of band powers to the 0.33: twice the amplitude gives 4^0.33 times the loudness.
    @Test func loudnessFollowsThePowerLaw() {
        let quiet = Self.middleMean(Self.noise(count: Self.rate, scale: 0.1), .loudness)
        let loud = Self.middleMean(Self.noise(count: Self.rate, scale: 0.2), .loudness)
        #expect(abs(loud / quiet - pow(4, 0.33)) < 1e-3, "ratio \(loud / quiet)")
    }

    /// White noise has equal power per Hz: 1-5 kHz holds four times what 0-1 kHz holds (6.02 dB).
    @Test func whiteNoiseAlphaRatio() {
        let alpha = Self.middleMean(Self.noise(count: 2 * Self.rate, scale: 0.3), .alphaRatio)
        #expect(abs(alpha - 6.02) < 0.3, "alpha ratio \(alpha) dB")
    }

    /// A log spectrum `L_k = s f_k` (0 dB at DC) gives the slope s in both bands. (With a level offset `a`
    /// openSMILE's count of bins adds `a Sf (N - W) / (N Sff - Sf^2)`; at 0 dB that term is 0.)
    @Test(arguments: [0.02, -0.01])
    func slopeOfAStraightLogSpectrum(s: Double) {
        let shape = EGeMAPSSpectralShape(sampleRate: Self.rate, fftSize: 512)
        let power = (0...256).map { Float(pow(10, s * Double($0) * 31.25 / 10)) }
        for (low, high) in [(0.0, 500.0), (500.0, 1500.0)] {
            let slope = Double(shape.slope(power, from: low, to: high))
            #expect(abs(slope - s) < 1e-6 * max(1, abs(s) * 1e3), "\(low)-\(high) Hz: \(slope), expected \(s)")
        }
    }

    /// A 120 Hz impulse train through three resonators (700/80, 1220/90, 2600/120 Hz, frequency/bandwidth):
    /// LPC finds the three resonances.
    @Test func formantsOfASyntheticVowel() {
        var x = Self.pulses(periods: [Self.rate / 120], heights: [1], count: Self.rate)
        for (frequency, bandwidth) in [(700.0, 80.0), (1220.0, 90.0), (2600.0, 120.0)] {
            let radius = exp(-Double.pi * bandwidth / Double(Self.rate))
            let a1 = Float(2 * radius * cos(2 * Double.pi * frequency / Double(Self.rate))), a2 = Float(-radius * radius)
            var y1: Float = 0, y2: Float = 0
            for i in x.indices { let y = x[i] + a1 * y1 + a2 * y2; y2 = y1; y1 = y; x[i] = y }
        }
        let peak = x.map(abs).max()!
        x = x.map { 0.5 * $0 / peak }
        let f1 = Double(Self.middleMean(x, .f1))
        #expect(abs(f1 - 700) < 60, "F1 \(f1) Hz")
        // Order 11 at 11 kHz has two pole pairs more than the three resonances; like openSMILE, no bandwidth
        // limit keeps them out of the list, so F2 and F3 are looked for among every root of a middle frame.
        let frames = Self.analyzer.frames
        let start = 4000
        let short = Array(x[start..<(start + frames.shortLength)])
        let power = EGeMAPSFrames.power(short, window: frames.shortWindow, fft: frames.shortFFT, buffer: FFTBuffer(size: frames.shortFFT.size))
        let found = Self.analyzer.formantTracker.formants(power).map(\.frequency)
        for (expected, allowed) in [(700.0, 60.0), (1220.0, 80.0), (2600.0, 150.0)] {
            #expect(found.contains { abs($0 - expected) < allowed }, "no root near \(expected) Hz in \(found)")
        }
    }

    /// Harmonics 1 and 2 at amplitudes 1 and 0.5: H1-H2 = 20 log10 2 = 6.02 dB.
    @Test func h1MinusH2OfTwoHarmonics() {
        let x = zip(Self.tone(200, amplitude: 0.4), Self.tone(400, amplitude: 0.2)).map { $0 + $1 }
        let h1h2 = Self.middleMean(x, .h1h2)
        #expect(abs(h1h2 - 6.02) < 0.3, "H1-H2 \(h1h2) dB")
    }
}

@Suite struct EGeMAPSFunctionalTests {
    typealias F = EGeMAPSFunctionals

    @Test func percentilesInterpolateLinearly() {
        let sorted: [Float] = [1, 2, 3, 4, 5]
        #expect(abs(F.percentile(sorted, 0.2) - 1.8) < 1e-6)
        #expect(F.percentile(sorted, 0.5) == 3)
        #expect(abs(F.percentile(sorted, 0.8) - 4.2) < 1e-6)
    }

    @Test func smoothingSkipsZerosWhenAsked() {
        let v: [Float] = [3, 0, 6, 9, 12]
        #expect(F.smooth(v, skipZeros: true) == [3, 0, 7.5, 9, 10.5])
        #expect(F.smooth(v, skipZeros: false) == [1.5, 3, 5, 9, 10.5])
    }

    /// Voiced runs 2 and 1 frames, unvoiced 1 and 3, in seconds.
    @Test func segmentLengths() {
        let v: [Float] = [0, 1, 1, 0, 0, 0, 2]
        func close(_ a: [Float], _ b: [Float]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 } }
        #expect(close(F.runs(v, voiced: true), [0.02, 0.01]))
        #expect(close(F.runs(v, voiced: false), [0.01, 0.03]))
    }

    /// A triangle wave rising and falling by 1 per 10 ms frame: slopes of 100 per second both ways,
    /// one peak per period; the last fall never rises again, so its valley is not confirmed.
    @Test func slopesOfATriangleWave() {
        let period: [Float] = [0, 1, 2, 3, 4, 3, 2, 1]
        let v = Array((0..<4).map { _ in period }.joined()) + [0]
        let result = F.peaks(v)
        #expect(result.peaks == [4, 12, 20, 28])
        #expect(result.rising.allSatisfy { abs($0 - 100) < 1e-3 } && result.rising.count == 4)
        #expect(result.falling.allSatisfy { abs($0 - 100) < 1e-3 } && result.falling.count == 3)
    }

    @Test func coefficientOfVariation() {
        #expect(abs(F.coefficientOfVariation([1, 3]) - 0.5) < 1e-6)
        #expect(F.coefficientOfVariation([]) == 0)
    }
}

@Suite struct EGeMAPSSpecTests {
    static func spec(_ json: String) throws -> FeatureSpec { try FeatureSpec.decode(json: Data(json.utf8)) }

    @Test func frameLevelGivesTheDescriptorsAndUtteranceLevelTheFunctionals() throws {
        let frames = try FeatureExtractor(spec: Self.spec(#"{"sampleRate": 16000, "features": ["egemaps"]}"#))
        let samples = EGeMAPSDescriptorTests.tone(200, seconds: 0.5)
        let matrix = frames.extract(samples)
        #expect(matrix.columnNames.count == 25 && matrix.columnNames == frames.columnNames)
        #expect(matrix.frameCount == 1 + (8000 - 320) / 160 && matrix.frameCount == frames.frameCount(sampleCount: 8000))
        let utterance = try FeatureExtractor(spec: Self.spec(#"{"sampleRate": 16000, "level": "utterance", "features": ["egemaps"]}"#))
        let row = utterance.extract(samples)
        #expect(row.frameCount == 1 && row.columnNames.count == 88 && row.columnNames == utterance.columnNames)
        #expect(row.values.allSatisfy { $0.isFinite })
        #expect(utterance.extract([]).values.allSatisfy { $0.isFinite })
    }

    @Test func egemapsMustStandAloneAtSixteenKilohertzOrMore() throws {
        do {
            _ = try FeatureExtractor(spec: Self.spec(#"{"sampleRate": 16000, "features": ["egemaps", "mfcc"]}"#))
            Issue.record("egemaps with mfcc was accepted")
        } catch let error as FeatureSpecError {
            #expect(error.path == "features" && error.expected.contains("alone"))
        }
        do {
            _ = try FeatureExtractor(spec: Self.spec(#"{"sampleRate": 8000, "features": ["egemaps"]}"#))
            Issue.record("egemaps at 8 kHz was accepted")
        } catch let error as FeatureSpecError {
            #expect(error.path == "sampleRate" && error.found == "8000")
        }
    }
}
