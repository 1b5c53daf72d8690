import Foundation
import Testing
import SERAudio
import SERTestSupport
@testable import SERFeatures

/// Features against librosa 0.11.0 on the same samples. Tolerances per feature, with the worst
/// differences measured, are listed in tools/make_librosa_fixtures.py (and Sources/SERFeatures/README.md):
/// 1e-3 absolute for values of order 1 (MFCC, log-mel, deltas, chroma, voicing and their functionals);
/// relative for the small-valued columns, where 1e-3 absolute would accept almost anything (RMS down to
/// 1e-13, flatness down to 1e-12, ZCR a multiple of 1/frame length); values in Hz (centroid, bandwidth,
/// roll-off, f0) 1e-3 + 1e-5 x |value| (float32 resolution of kHz values); centroid and bandwidth of the
/// pure-tone synthetic cases 1e-3 relative: with no energy above 1 kHz, these weigh the float32 FFT's
/// rounding floor (about 1e-7 of the peak) by (f - centroid)^2 up to 1e8, where librosa's float64 FFT
/// has a lower floor.
@Suite struct LibrosaAgreementTests {
    /// The feature a column belongs to: "rms" for "rms" and "rms_mean", "spectral_flatness" for "spectral_flatness_p90".
    static func feature(of column: String) -> String {
        for name in ["rms", "zcr", "spectral_flatness"] where column == name || column.hasPrefix(name + "_") { return name }
        return column.split(separator: "_").prefix(2).joined(separator: "_")
    }

    static func tolerance(column: String, reference: Float, pureTone: Bool) -> Double {
        let value = Double(abs(reference))
        switch feature(of: column) {
        case "rms": return 1e-5 * value + 1e-15
        case "spectral_flatness": return 1e-3 * value + 1e-12
        case "zcr": return 1e-6 * value + 1e-9
        case "spectral_centroid", "spectral_bandwidth":
            return pureTone ? 1e-3 * max(1, value) : 1e-3 + 1e-5 * value
        case "spectral_rolloff", "f0": return 1e-3 + 1e-5 * value
        default: return 1e-3
        }
    }

    /// The synthetic cases: their input samples are in the committed fixtures.
    @Test(arguments: LibrosaFixture.all.filter { $0.input.kind != "file" })
    func matchesLibrosaOnTheSameSamples(fixture: LibrosaFixture) throws {
        try Self.compareWithLibrosa(fixture)
    }

    /// The corpus clips: their samples are decoded from the corpus audio the fixtures name.
    @Test(.realCorpora, arguments: LibrosaFixture.all.filter { $0.input.kind == "file" })
    func matchesLibrosaOnCorpusClips(fixture: LibrosaFixture) throws {
        try Self.compareWithLibrosa(fixture)
    }

    static func compareWithLibrosa(_ fixture: LibrosaFixture) throws {
        let samples = try fixture.samples()
        let extractor = try FeatureExtractor(spec: fixture.spec)
        let ours = extractor.extract(samples)
        let theirs = try fixture.reference()
        try #require(ours.frameCount == theirs.frameCount, "frames: serlab \(ours.frameCount), librosa \(theirs.frameCount)")
        try #require(ours.columnNames == theirs.columnNames)
        let pureTone = fixture.name.hasPrefix("tone") || fixture.name == "short"
        var failures = 0
        for (c, name) in ours.columnNames.enumerated() {
            for t in 0..<ours.frameCount {
                let a = ours[t, c], b = theirs[t, c]
                let allowed = Self.tolerance(column: name, reference: b, pureTone: pureTone)
                if !(a.isFinite && abs(Double(a) - Double(b)) <= allowed) {
                    failures += 1
                    if failures <= 10 {
                        Issue.record("\(fixture.name) frame \(t) \(name): serlab \(a), librosa \(b), allowed \(allowed)")
                    }
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(ours.values.count) values outside tolerance")
    }

    /// cases.json reads; when it does not, this fails (and the case tests above have no arguments).
    @Test func fixturesLoad() throws {
        let cases = try LibrosaFixture.loaded.get()
        #expect(!cases.isEmpty, "cases.json holds no case")
    }

    /// The cases include silence, a 2-frame clip and all three quirky corpus files.
    @Test func fixturesCoverTheRequiredCases() throws {
        let names = Set(LibrosaFixture.all.map(\.name))
        #expect(names.isSuperset(of: ["silence", "tone", "short", "tess_aiff", "ravdess_stereo", "tess_96k"]))
        let short = try LibrosaFixture.named("short")
        let count = try short.samples().count
        #expect(short.frameCount == 2 && count < short.spec.fftLength)
    }
}
