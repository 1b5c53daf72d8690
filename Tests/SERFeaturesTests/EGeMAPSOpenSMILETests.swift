import Foundation
import SERAudio
import SERTestSupport
import Testing
@testable import SERFeatures

/// serlab's eGeMAPS functionals against openSMILE's (`Fixtures/egemaps_opensmile.csv`, written by
/// `tools/egemaps_opensmile.py --fixture`: opensmile 2.5 eGeMAPSv02 on the clips resampled to 16 kHz by
/// libsoxr HQ, as serlab reads them) on 7 corpus clips (RAVDESS x3, SAVEE x2, TESS x2).
///
/// Column names must be openSMILE's, in its order. Values are checked for the functionals whose
/// algorithm follows openSMILE's closely, each within about 1.5 times the worst difference seen on
/// these clips (in the functional's own unit), so that a change in the descriptor shows:
/// the equivalent sound level is the same definition (worst 0.013 dB, the resamplers' and frame
/// counts' difference); spectral shape and loudness differ by framing and the frames that count as
/// voiced (alpha ratio 2.2 dB, Hammarberg 2.3 dB, slopes 0.0098 / 0.0036 dB/Hz, loudness p80 0.052,
/// flux coefficient of variation 0.028, loudness peaks 0.30 per s); F0 and HNR come from a different
/// pitch tracker (autocorrelation against openSMILE's subharmonic summation + Viterbi: median F0 1.4
/// semitones, mean 1.9, HNR 1.3 dB). The rest are compared across many files in docs/egemaps.md.
@Suite struct EGeMAPSOpenSMILETests {
    static let tolerances: [String: Double] = [
        "equivalentSoundLevel_dBp": 0.05,
        "alphaRatioV_sma3nz_amean": 3.5,
        "hammarbergIndexV_sma3nz_amean": 3.5,
        "slopeV0-500_sma3nz_amean": 0.015,
        "slopeV500-1500_sma3nz_amean": 0.006,
        "loudness_sma3_percentile80.0": 0.08,
        "spectralFlux_sma3_stddevNorm": 0.045,
        "loudnessPeaksPerSec": 0.45,
        "F0semitoneFrom27.5Hz_sma3nz_percentile50.0": 2.0,
        "F0semitoneFrom27.5Hz_sma3nz_amean": 3.0,
        "HNRdBACF_sma3nz_amean": 2.0,
    ]

    struct Reference { var names: [String]; var rows: [(file: String, values: [Double])] }

    static func reference() throws -> Reference {
        let url = TestSupport.packageRoot.appendingPathComponent("Tests/SERFeaturesTests/Fixtures/egemaps_opensmile.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let rows = try lines.dropFirst().map { line -> (String, [Double]) in
            let cells = line.split(separator: ",").map(String.init)
            let values = try cells.dropFirst().map { cell -> Double in
                guard let value = Double(cell) else { throw LibrosaFixture.LoadError(description: "\(url.path): '\(cell)' is not a number") }
                return value
            }
            return (cells[0], values)
        }
        return Reference(names: Array(header.dropFirst()), rows: rows)
    }

    @Test func columnNamesAreOpenSMILEs() throws {
        let reference = try Self.reference()
        #expect(EGeMAPSAnalyzer.functionalNames == reference.names)
        #expect(EGeMAPSAnalyzer.functionalNames.count == 88)
    }

    @Test func closeToOpenSMILEOnCorpusClips() throws {
        let reference = try Self.reference()
        let analyzer = EGeMAPSAnalyzer(sampleRate: 16000)
        for row in reference.rows {
            let corpus = String(row.file.prefix { $0 != "/" })
            let url = try TestSupport.corpus(corpus).appendingPathComponent(String(row.file.dropFirst(corpus.count + 1)))
            let clip = try AudioFile.read(url, sampleRate: 16000)
            let ours = analyzer.functionals(clip.samples)
            for (name, allowed) in Self.tolerances {
                let index = try #require(reference.names.firstIndex(of: name))
                let difference = abs(Double(ours.values[index]) - row.values[index])
                #expect(difference <= allowed, "\(row.file) \(name): serlab \(ours.values[index]), openSMILE \(row.values[index])")
            }
        }
    }
}
