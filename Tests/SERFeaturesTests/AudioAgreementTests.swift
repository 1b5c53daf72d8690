import Foundation
import Testing
import SERAudio
import SERTestSupport

/// SERAudio against `librosa.load` (soundfile decoding, soxr_hq resampling, channel mean) on the corpus
/// clips of the fixtures: the same sample count, and the same samples.
@Suite struct AudioAgreementTests {
    static let fileFixtures = LibrosaFixture.all.filter { $0.input.kind == "file" }

    static func compare(_ samples: [Float], _ check: LibrosaFixture.SampleCheck, allowed: Float, label: String) {
        #expect(samples.count == check.count, "\(label): serlab \(samples.count) samples, librosa \(check.count)")
        guard samples.count == check.count else { return }
        for (index, expected) in zip(check.indices, check.values) {
            #expect(abs(samples[index] - expected) <= allowed, "\(label) sample \(index): serlab \(samples[index]), librosa \(expected)")
        }
        let sum = samples.reduce(0.0) { $0 + Double($1) }
        let squares = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(sum - check.sum) <= 1e-6 * Double(check.count) + 1e-9, "\(label): sum \(sum) vs \(check.sum)")
        #expect(abs(squares - check.sumOfSquares) <= 1e-6 * max(1, check.sumOfSquares), "\(label): sum of squares \(squares) vs \(check.sumOfSquares)")
    }

    /// The corpus-clip cases exist (with cases.json unreadable the tests below would have no arguments).
    @Test func hasCorpusClipCases() {
        #expect(Self.fileFixtures.count >= 3, "\(Self.fileFixtures.count) corpus-clip cases in cases.json")
    }

    /// Decoding alone (native rate, channels averaged) gives librosa's samples bit for bit.
    @Test(.realCorpora, arguments: fileFixtures)
    func nativeDecodingMatches(fixture: LibrosaFixture) throws {
        _ = try TestSupport.corpus(String(try #require(fixture.input.path).split(separator: "/")[0]))
        let clip = try AudioFile.read(try #require(fixture.corpusURL))
        #expect(clip.sampleRate == fixture.input.nativeRate)
        Self.compare(clip.samples, try #require(fixture.input.native, "\(fixture.name) has no native sample check"), allowed: 0, label: "\(fixture.name) native")
    }

    /// libsoxr HQ one-shot plus padding to ceil(n x ratio) gives librosa's resampled samples, bit for bit
    /// at the 64 spot checks.
    @Test(.realCorpora, arguments: fileFixtures.filter { $0.input.resampled != nil })
    func resamplingMatches(fixture: LibrosaFixture) throws {
        _ = try TestSupport.corpus(String(try #require(fixture.input.path).split(separator: "/")[0]))
        let clip = try AudioFile.read(try #require(fixture.corpusURL), sampleRate: fixture.spec.sampleRate)
        #expect(clip.sampleRate == fixture.spec.sampleRate)
        Self.compare(clip.samples, try #require(fixture.input.resampled), allowed: 0, label: "\(fixture.name) at \(fixture.spec.sampleRate) Hz")
    }
}
