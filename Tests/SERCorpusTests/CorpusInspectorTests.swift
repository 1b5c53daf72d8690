import Foundation
import SERAudio
import SERTestSupport
import Testing
@testable import SERCorpus

/// `corpus info` facts on the real corpora and on generated odd files.
@Suite(.realCorpora) struct CorpusInspectorTests {
    @Test func ravdessQuirksAreFlagged() throws {
        let corpus = try Corpus.load(kind: .ravdess, root: TestSupport.corpus("ravdess"))
        let report = CorpusInspector.inspect(corpus)
        #expect(report.unreadable.isEmpty)
        #expect(report.missingOfficial.isEmpty)
        #expect(report.duplicates == [["Actor_07/03-01-03-01-02-01-07.flac", "Actor_07/03-01-03-01-02-02-07.flac"]])
        #expect(report.channelCounts == [1: 1435, 2: 5])
        #expect(report.sampleRates == [48000: 1440])
        let quiet = report.quiet.map(\.path)
        #expect(!quiet.isEmpty && quiet.allSatisfy { $0.hasPrefix("Actor_09/") || $0.hasPrefix("Actor_20/") }, "\(quiet)")
        let quietLabels = Set(report.quiet.map { label(of: $0.path, in: corpus) })
        #expect(quietLabels.isSuperset(of: ["calm", "sad"]), "\(quietLabels)")
        #expect(report.quiet.allSatisfy { $0.peak > 0 && $0.peak < 0.01 })
        let text = report.render()
        #expect(text.contains("1440 utterances (full release: 1440)"))
        #expect(text.contains("neutral 96, calm 192"))
        #expect(text.contains("identical files: Actor_07/03-01-03-01-02-01-07.flac = Actor_07/03-01-03-01-02-02-07.flac"))
        #expect(text.contains("mono: 1435, stereo: 5"))
    }

    func label(of path: String, in corpus: Corpus) -> String { corpus.utterances.first { $0.path == path }!.label }

    @Test func tessQuirksAreFlagged() throws {
        let corpus = try Corpus.load(kind: .tess, root: TestSupport.corpus("tess"))
        let report = CorpusInspector.inspect(corpus)
        let folder = "TESS Toronto emotional speech set data"
        #expect(Set(report.misnamedContainers.map(\.path)) == ["\(folder)/YAF_angry/YAF_germ_angry.wav", "\(folder)/YAF_fear/YAF_neat_fear.wav"])
        #expect(report.misnamedContainers.allSatisfy { $0.content == "AIFF" })
        #expect(report.unusualSampleRates.map(\.path) == ["\(folder)/OAF_Fear/OAF_food_fear.flac"])
        #expect(report.missingOfficial.isEmpty)
        #expect(report.unreadable.isEmpty)
        let text = report.render()
        #expect(text.contains("subset: \(corpus.utterances.count) of the 2800 official files"))
        #expect(text.contains("OA_bite_neutral.flac: file name disagrees with its folder"))
        #expect(text.contains("1 files not at 24414 Hz"))
    }

    @Test func saveeFullScaleFilesAreFlagged() throws {
        let corpus = try Corpus.load(kind: .savee, root: TestSupport.corpus("savee"))
        let report = CorpusInspector.inspect(corpus)
        #expect(report.clipped.count > 10)
        #expect(report.clipped.allSatisfy { $0.peak >= CorpusReport.fullScale })
        #expect(report.duplicates.isEmpty && report.missingOfficial.isEmpty && report.quiet.isEmpty)
    }

    @Test func missingSilentUnreadableAndDuplicateFilesAreFlagged() throws {
        let savee = try Corpus.load(kind: .savee, root: TestSupport.corpus("savee"))
        let folder = TestSupport.temporaryDirectory("odd-savee")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A flat copy lacking KL's surprise files, with one file present twice under two names,
        // one silent generated WAV and one that is not audio at all.
        for utterance in savee.utterances where !(utterance.speaker == "KL" && utterance.label == "surprise") {
            let stem = utterance.path.split(separator: "/").last!.split(separator: ".")[0]
            let link = folder.appendingPathComponent("\(utterance.speaker)_\(stem).flac")
            if utterance.speaker == "DC" && stem == "n01" {
                try writeWAV(samples: [Int16](repeating: 0, count: 4410), to: link.deletingPathExtension().appendingPathExtension("wav"))
            } else if utterance.speaker == "DC" && stem == "n02" {
                try Data("this is not audio".utf8).write(to: link.deletingPathExtension().appendingPathExtension("wav"))
            } else {
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: utterance.url)
            }
        }
        let twin = savee.utterances.first { $0.speaker == "JE" && $0.path.hasSuffix("h01.flac") }!
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("JE_h16.flac"), withDestinationURL: twin.url)
        let corpus = try Corpus.load(kind: .savee, root: folder)
        let report = CorpusInspector.inspect(corpus)
        #expect(report.missingOfficial == (1...15).map { "KL/su" + ($0 < 10 ? "0\($0)" : "\($0)") })
        #expect(report.silent.map(\.path) == ["DC_n01.wav"])
        #expect(report.unreadable.map(\.path) == ["DC_n02.wav"])
        #expect(report.duplicates == [["JE_h01.flac", "JE_h16.flac"]])
        let text = report.render()
        #expect(text.contains("15 official files missing: KL/su01"))
        #expect(text.contains("1 unreadable: DC_n02.wav"))
        #expect(text.contains("1 silent files (all samples 0): DC_n01.wav"))
        #expect(CorpusLocator.missingParts(of: corpus).isEmpty)
    }

    /// A 16-bit mono 44.1 kHz WAV.
    func writeWAV(samples: [Int16], to url: URL) throws {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + samples.count * 2))
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
        append(UInt32(44100)); append(UInt32(88200)); append(UInt16(2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(UInt32(samples.count * 2))
        for sample in samples { append(sample) }
        try data.write(to: url)
    }
}
