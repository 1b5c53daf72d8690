import Foundation
import SERAudio
import SERTestSupport
import Testing
@testable import SERCorpus

/// Every adapter against the answer key in `$SERLAB_CORPORA/expected`, and the official counts.
@Suite(.realCorpora) struct PublishedCorpusTests {
    struct Triple: Hashable, CustomStringConvertible {
        var path: String, speaker: String, emotion: String
        var description: String { "\(path) \(speaker) \(emotion)" }
    }

    func compare(_ kind: CorpusKind, key name: String) throws -> Corpus {
        let root = try TestSupport.corpus(name)
        let corpus = try Corpus.load(kind: kind, root: root)
        let key = try AnswerKeyRow.load(name)
        let expected = Set(key.map { Triple(path: $0.path, speaker: $0.speaker, emotion: $0.emotion) })
        let found = Set(corpus.utterances.map { Triple(path: $0.path, speaker: $0.speaker, emotion: $0.label) })
        let missing = expected.subtracting(found).sorted { $0.path < $1.path }
        let extra = found.subtracting(expected).sorted { $0.path < $1.path }
        #expect(missing.isEmpty, "\(name): \(missing.count) answer-key rows not produced, e.g. \(missing.prefix(5))")
        #expect(extra.isEmpty, "\(name): \(extra.count) rows not in the answer key, e.g. \(extra.prefix(5))")
        #expect(corpus.utterances.count == key.count)
        #expect(corpus.ignored.isEmpty, "\(corpus.ignored.prefix(5))")
        #expect(Corpus.detect(root: root) == kind)
        // Header facts from the files themselves.
        let byPath = Dictionary(uniqueKeysWithValues: corpus.utterances.map { ($0.path, $0.url) })
        for row in key {
            guard let url = byPath[row.path] else { continue }
            let info = try AudioFile.info(url)
            #expect(info.sampleRate == row.sampleRate && info.channels == row.channels && info.frames == row.frames,
                    "\(row.path): \(info.sampleRate) Hz \(info.channels) ch \(info.frames) frames, key says \(row.sampleRate) \(row.channels) \(row.frames)")
        }
        return corpus
    }

    @Test func ravdessMatchesAnswerKeyAndOfficialCounts() throws {
        let corpus = try compare(.ravdess, key: "ravdess")
        #expect(corpus.utterances.count == 1440)
        #expect(corpus.speakers.count == 24)
        #expect(corpus.speakerCounts.values.allSatisfy { $0 == 60 })
        #expect(corpus.labels == ["neutral", "calm", "happy", "sad", "angry", "fear", "disgust", "surprise"])
        for label in corpus.labels { #expect(corpus.count(label: label) == (label == "neutral" ? 96 : 192), "\(label)") }
        #expect(CorpusLocator.missingParts(of: corpus).isEmpty)
        let sample = try #require(corpus.utterances.first { $0.path == "Actor_05/03-01-08-02-01-02-05.flac" })
        #expect(sample.speaker == "Actor_05")
        #expect(sample.metadata == ["intensity": "strong", "statement": "kids", "repetition": "2", "gender": "male", "actor": "05"])
        #expect(corpus.utterances.filter { $0.metadata["gender"] == "female" }.count == 720)
        #expect(corpus.utterances.filter { $0.label == "neutral" }.allSatisfy { $0.metadata["intensity"] == "normal" })
        // The five stereo files are read as two channels.
        let stereo = ["Actor_01/03-01-02-01-01-02-01.flac", "Actor_01/03-01-08-01-02-02-01.flac", "Actor_05/03-01-02-01-02-02-05.flac",
                      "Actor_20/03-01-03-01-02-01-20.flac", "Actor_20/03-01-06-01-01-02-20.flac"]
        for path in stereo {
            let url = try #require(corpus.utterances.first { $0.path == path }?.url)
            #expect(try AudioFile.info(url).channels == 2, "\(path)")
        }
    }

    @Test func saveeMatchesAnswerKeyAndOfficialCounts() throws {
        let corpus = try compare(.savee, key: "savee")
        #expect(corpus.utterances.count == 480)
        #expect(corpus.speakers == ["DC", "JE", "JK", "KL"])
        #expect(corpus.speakerCounts.values.allSatisfy { $0 == 120 })
        #expect(corpus.labels == ["neutral", "happy", "sad", "angry", "fear", "disgust", "surprise"])
        for label in corpus.labels { #expect(corpus.count(label: label) == (label == "neutral" ? 120 : 60), "\(label)") }
        #expect(corpus.utterances.first { $0.path == "AudioData/JK/sa07.flac" }?.metadata["sentence"] == "07")
    }

    @Test func tessMatchesAnswerKeyAndItsQuirks() throws {
        let corpus = try compare(.tess, key: "tess")
        let key = try AnswerKeyRow.load("tess")
        // Counts as the answer key gives them (the subset will grow: nothing hard-coded).
        var keyCounts: [String: Int] = [:]
        for row in key { keyCounts["\(row.speaker)/\(row.emotion)", default: 0] += 1 }
        var counts: [String: Int] = [:]
        for utterance in corpus.utterances { counts["\(utterance.speaker)/\(utterance.label)", default: 0] += 1 }
        #expect(counts == keyCounts)
        #expect(corpus.speakers == ["OAF", "YAF"])
        #expect(corpus.labels.count == 7)
        #expect(CorpusLocator.missingParts(of: corpus).isEmpty)
        let folder = "TESS Toronto emotional speech set data"
        // Misnamed file: speaker and emotion from its folder.
        let misnamed = try #require(corpus.utterances.first { $0.path == "\(folder)/OAF_neutral/OA_bite_neutral.flac" })
        #expect(misnamed.speaker == "OAF" && misnamed.label == "neutral" && misnamed.metadata["word"] == "bite")
        #expect(misnamed.metadata["note"] != nil)
        // AIFF named .wav: found by extension, decoded by content.
        for path in ["YAF_angry/YAF_germ_angry.wav", "YAF_fear/YAF_neat_fear.wav"] {
            let url = try #require(corpus.utterances.first { $0.path == "\(folder)/\(path)" }?.url)
            #expect(try AudioFile.info(url).container == "AIFF", "\(path)")
        }
        // The 96 kHz file.
        let fast = try #require(corpus.utterances.first { $0.path.hasSuffix("OAF_Fear/OAF_food_fear.flac") })
        #expect(try AudioFile.info(fast.url).sampleRate == 96000)
        // Mixed-case and misspelled folders all map to surprise.
        #expect(corpus.utterances.filter { $0.path.contains("YAF_pleasant_surprised/") }.allSatisfy { $0.label == "surprise" && $0.speaker == "YAF" })
        #expect(corpus.utterances.filter { $0.path.contains("OAF_Pleasant_surprise/") }.allSatisfy { $0.label == "surprise" && $0.speaker == "OAF" })
        #expect(Set(corpus.utterances.compactMap { $0.metadata["word"] }).count * 14 == corpus.utterances.count)
    }

    @Test func ravdessIdenticalTakesCanBeDropped() throws {
        let corpus = try Corpus.load(kind: .ravdess, root: TestSupport.corpus("ravdess"))
        let unique = corpus.droppingIdenticalFiles()
        #expect(unique.utterances.count == 1439)
        #expect(unique.ignored == [IgnoredFile(path: "Actor_07/03-01-03-01-02-02-07.flac", reason: "identical bytes to Actor_07/03-01-03-01-02-01-07.flac")])
    }

    @Test func aSecondCopyOfTheCorpusIsIgnoredByName() throws {
        let tess = try Corpus.load(kind: .tess, root: TestSupport.corpus("tess"))
        let folder = TestSupport.temporaryDirectory("tess-twice")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Copies that circulate hold the data twice, under a lower-case folder name.
        for copy in ["TESS Toronto emotional speech set data", "tess toronto emotional speech set data"] {
            for utterance in tess.utterances {
                let relative = copy + "/" + utterance.path.split(separator: "/").dropFirst().joined(separator: "/")
                let link = folder.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: utterance.url)
            }
        }
        let corpus = try Corpus.load(kind: .tess, root: folder)
        #expect(corpus.utterances.map(\.path) == tess.utterances.map(\.path))
        #expect(corpus.ignored.count == tess.utterances.count)
        #expect(corpus.ignored.allSatisfy { $0.path.hasPrefix("tess ") && $0.reason.contains("second copy of TESS ") })
    }

    @Test func saveeFlatLayoutFromSymlinks() throws {
        let root = try TestSupport.corpus("savee")
        let original = try Corpus.load(kind: .savee, root: root)
        let flat = TestSupport.temporaryDirectory("savee-flat")
        defer { try? FileManager.default.removeItem(at: flat) }
        for utterance in original.utterances {
            let parts = utterance.path.split(separator: "/")
            let stem = (parts.last!).split(separator: ".")[0]
            let link = flat.appendingPathComponent("\(parts[parts.count - 2])_\(stem).wav")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: utterance.url)
        }
        #expect(Corpus.detect(root: flat) == .savee)
        let corpus = try Corpus.load(kind: .savee, root: flat)
        #expect(corpus.utterances.count == 480)
        let expected = Set(original.utterances.map { "\($0.speaker)_\($0.path.split(separator: "/").last!.split(separator: ".")[0]).wav \($0.speaker) \($0.label)" })
        let found = Set(corpus.utterances.map { "\($0.path) \($0.speaker) \($0.label)" })
        #expect(found == expected)
    }
}
