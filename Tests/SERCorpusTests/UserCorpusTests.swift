import Foundation
import SERTestSupport
import Testing
@testable import SERCorpus

/// Manifests and label folders, on temporary folders of symlinks to real corpus files.
@Suite struct UserCorpusTests {
    /// A folder with `audio/<name>.wav` links to the first `count` SAVEE files; returns (folder, SAVEE utterances used).
    func linkedFolder(_ label: String, count: Int) throws -> (URL, [Utterance]) {
        let savee = try Corpus.load(kind: .savee, root: TestSupport.corpus("savee"))
        let folder = TestSupport.temporaryDirectory(label)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("audio"), withIntermediateDirectories: true)
        let chosen = Array(savee.utterances.prefix(count))
        for (index, utterance) in chosen.enumerated() {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("audio/clip \(index).wav"), withDestinationURL: utterance.url)
        }
        return (folder, chosen)
    }

    @Test(.realCorpora) func csvManifestWithQuotesSplitsAndFolds() throws {
        let (folder, _) = try linkedFolder("manifest-csv", count: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = [
            "path,label,speaker,split,fold,note",
            "audio/clip 0.wav,Anger,s1,train,0,\"quoted, with comma\"",
            "./audio/clip 1.wav,frustrated,s2,test,1,",
            "\"audio/clip 2.wav\",Neutral,s1,train,2,\"say \"\"hi\"\"\"",
            "",
        ].joined(separator: "\r\n")
        try csv.write(to: folder.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        #expect(Corpus.detect(root: folder) == .manifest)
        let corpus = try Corpus.load(kind: .manifest, root: folder)
        #expect(corpus.utterances.map(\.path) == ["audio/clip 0.wav", "audio/clip 1.wav", "audio/clip 2.wav"])
        #expect(corpus.utterances.map(\.label) == ["angry", "frustrated", "neutral"])
        #expect(corpus.utterances.map(\.speaker) == ["s1", "s2", "s1"])
        #expect(corpus.utterances[0].metadata == ["split": "train", "fold": "0", "note": "quoted, with comma"])
        #expect(corpus.utterances[1].metadata == ["split": "test", "fold": "1"])
        #expect(corpus.utterances[2].metadata["note"] == "say \"hi\"")
        #expect(corpus.labels == ["neutral", "angry", "frustrated"])
        #expect(corpus.name == folder.lastPathComponent)
    }

    @Test(.realCorpora) func jsonManifestInAnotherFolder() throws {
        let (folder, _) = try linkedFolder("manifest-json", count: 2)
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = #"{"utterances": [{"path": "clip 0.wav", "label": "happy", "speaker": "a", "fold": 3}, {"path": "clip 1.wav", "emotion": "sad", "speaker": "b"}]}"#
        let manifest = folder.appendingPathComponent("audio/list.json")
        try json.write(to: manifest, atomically: true, encoding: .utf8)
        let corpus = try Corpus.load(kind: .manifest, root: folder, manifest: manifest)
        #expect(corpus.name == "list")
        #expect(Corpus.detect(root: manifest) == .manifest)
        #expect(try Corpus.load(root: manifest).utterances == corpus.utterances)
        #expect(corpus.root.standardizedFileURL.path == folder.appendingPathComponent("audio").standardizedFileURL.path)
        #expect(corpus.utterances.map(\.path) == ["clip 0.wav", "clip 1.wav"])
        #expect(corpus.utterances.map(\.label) == ["happy", "sad"])
        #expect(corpus.utterances[0].metadata["fold"] == "3")
    }

    @Test(.realCorpora) func manifestErrorsNameFileLineAndProblem() throws {
        let (folder, _) = try linkedFolder("manifest-bad", count: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("manifest.csv")
        func load(_ text: String) -> String {
            try? text.write(to: manifest, atomically: true, encoding: .utf8)
            do { _ = try Corpus.load(kind: .manifest, root: folder); return "no error" } catch { return error.localizedDescription }
        }
        let noSpeaker = load("path,label\naudio/clip 0.wav,happy\n")
        #expect(noSpeaker.contains("manifest.csv") && noSpeaker.contains("'speaker' column"), "\(noSpeaker)")
        let missing = load("path,label,speaker\naudio/clip 0.wav,happy,a\naudio/nothing.wav,sad,a\n")
        #expect(missing.contains("manifest.csv:3") && missing.contains("nothing.wav"), "\(missing)")
        let fold = load("path,label,speaker,fold\naudio/clip 0.wav,happy,a,first\n")
        #expect(fold.contains(":2") && fold.contains("integer fold") && fold.contains("first"), "\(fold)")
        let ragged = load("path,label,speaker\naudio/clip 0.wav,happy\n")
        #expect(ragged.contains(":2") && ragged.contains("expected 3 fields"), "\(ragged)")
        let quote = load("path,label,speaker\n\"audio/clip 0.wav,happy,a\n")
        #expect(quote.contains("closing quote"), "\(quote)")
        let twice = load("path,label,speaker\naudio/clip 0.wav,happy,a\n./audio/clip 0.wav,sad,a\n")
        #expect(twice.contains("listed twice"), "\(twice)")
        try FileManager.default.removeItem(at: manifest)
        #expect(throws: CorpusError.self) { try Corpus.load(kind: .manifest, root: folder) }
    }

    @Test(.realCorpora) func labelFoldersWithAndWithoutSpeakers() throws {
        let savee = try Corpus.load(kind: .savee, root: TestSupport.corpus("savee"))
        let folder = TestSupport.temporaryDirectory("folders")
        defer { try? FileManager.default.removeItem(at: folder) }
        var expected: Set<String> = []
        for utterance in savee.utterances where utterance.metadata["sentence"] == "01" {
            // Anger/DC/x.wav with speakers for the first two speakers, Anger/x.wav without for the others.
            let labelFolder = utterance.label == "angry" ? "Anger" : utterance.label
            let withSpeaker = ["DC", "JE"].contains(utterance.speaker)
            let relative = withSpeaker ? "\(labelFolder)/\(utterance.speaker)/x.wav" : "\(labelFolder)/\(utterance.speaker)-x.wav"
            let link = folder.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: utterance.url)
            expected.insert("\(relative) \(withSpeaker ? utterance.speaker : "unknown") \(utterance.label)")
        }
        try Data("not audio".utf8).write(to: folder.appendingPathComponent("README.txt"))
        #expect(Corpus.detect(root: folder) == .folders)
        let corpus = try Corpus.load(kind: .folders, root: folder)
        #expect(Set(corpus.utterances.map { "\($0.path) \($0.speaker) \($0.label)" }) == expected)
        #expect(corpus.utterances.count == 28)
    }

    @Test(.realCorpora) func audioIsFoundByContentWhenTheExtensionIsUnknown() throws {
        let savee = try Corpus.load(kind: .savee, root: TestSupport.corpus("savee"))
        let folder = TestSupport.temporaryDirectory("sniff")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = savee.utterances[0].url
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("DC_a01.snd"))
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("DC_a02"))
        try Data("RIFF but not audio".utf8).write(to: folder.appendingPathComponent("DC_a03.dat"))
        try Data("notes".utf8).write(to: folder.appendingPathComponent("DC_a04.txt"))
        let found = try AudioFileScanner.scan(folder).map(\.path)
        #expect(found == ["DC_a01.snd", "DC_a02"])
        #expect(AudioFileScanner.sniff(source) == "FLAC")
    }

    @Test(.realCorpora) func theWrongKindSaysWhatItFound() throws {
        do {
            _ = try Corpus.load(kind: .tess, root: TestSupport.corpus("savee"))
            Issue.record("expected an error")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains("expected TESS files") && message.contains("found 480 audio files") && message.contains("AudioData/DC/a01.flac"), "\(message)")
        }
    }

    @Test(.realCorpora) func theFolderOfAllCorporaIsNotOneCorpus() throws {
        let root = try TestSupport.corpus("ravdess").deletingLastPathComponent()
        #expect(Corpus.detect(root: root) == nil)
        do {
            _ = try Corpus.load(root: root)
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("ravdess/, savee/, tess/"), "\(error.localizedDescription)")
        }
    }

    @Test(.realCorpora) func ravdessSongFilesAreIgnoredNotMistaken() throws {
        let ravdess = try Corpus.load(kind: .ravdess, root: TestSupport.corpus("ravdess"))
        let folder = TestSupport.temporaryDirectory("ravdess-song")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Speech of Actor_01 plus as many files named as song (vocal channel 02): detected as RAVDESS, song ignored.
        for utterance in ravdess.utterances where utterance.speaker == "Actor_01" {
            let name = utterance.path.split(separator: "/").last!
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(String(name)), withDestinationURL: utterance.url)
            let song = "03-02" + name.dropFirst(5)
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(String(song)), withDestinationURL: utterance.url)
        }
        #expect(Corpus.detect(root: folder) == .ravdess)
        let corpus = try Corpus.load(kind: .ravdess, root: folder)
        #expect(corpus.utterances.count == 60)
        #expect(corpus.ignored.count == 60 && corpus.ignored.allSatisfy { $0.reason.contains("song") })
    }

    @Test func detectionRefusesAFolderWithoutACorpus() throws {
        let folder = TestSupport.temporaryDirectory("empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(Corpus.detect(root: folder) == nil)
        #expect(Corpus.detect(root: folder.appendingPathComponent("absent")) == nil)
        #expect(throws: CorpusError.self) { try Corpus.load(root: folder) }
        #expect(throws: CorpusError.self) { try Corpus.load(kind: .ravdess, root: folder) }
    }
}
