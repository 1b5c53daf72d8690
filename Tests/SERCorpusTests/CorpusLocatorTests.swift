import Foundation
import SERTestSupport
import Testing
@testable import SERCorpus

@Suite struct CorpusLocatorTests {
    @Test(.realCorpora) func priorityIsCommandLineThenEnvironmentThenConfig() throws {
        let corpora = TestSupport.corporaRoot
        let elsewhere = URL(fileURLWithPath: "/nonexistent-serlab")
        let commandLine = CorpusLocator(commandLineRoot: corpora, environment: ["SERLAB_CORPORA": elsewhere.path], configRoot: elsewhere)
        #expect(try commandLine.resolve(.savee).source == .commandLine)
        #expect(try commandLine.resolve(.savee).root.lastPathComponent == "savee")
        let environment = CorpusLocator(environment: ["SERLAB_CORPORA": corpora.path], configRoot: elsewhere)
        #expect(try environment.resolve(.tess).source == .environment)
        #expect(try environment.load(.tess).kind == .tess)
        let config = CorpusLocator(environment: [:], configRoot: try TestSupport.corpus("ravdess"))
        #expect(try config.resolve(.ravdess).source == .config)
        #expect(try config.load(.ravdess).utterances.count == 1440)
        #expect(throws: CorpusError.noRootConfigured(kind: .tess)) { try CorpusLocator(environment: [:]).resolve(.tess) }
    }

    /// The message names the option serlab really has (it once said --corpus-root, which no command takes).
    @Test func noRootNamesTheCorporaOption() {
        let message = CorpusError.noRootConfigured(kind: .savee).localizedDescription
        #expect(message.contains("--corpora <dir>") && message.contains("SERLAB_CORPORA") && message.contains("dataset.root"), "\(message)")
        #expect(!message.contains("--corpus-root"), "\(message)")
    }

    @Test func missingCorpusSaysWhereAndHow() throws {
        let locator = CorpusLocator(environment: ["SERLAB_CORPORA": "/nonexistent-serlab"])
        do {
            _ = try locator.load(.ravdess)
            Issue.record("expected an error")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains("/nonexistent-serlab/ravdess") && message.contains("serlab corpus download ravdess") && message.contains("docs/corpora.md"), "\(message)")
        }
    }

    @Test(.realCorpora) func aCorpusLackingASpeakerIsIncomplete() throws {
        let ravdess = try Corpus.load(kind: .ravdess, root: TestSupport.corpus("ravdess"))
        let folder = TestSupport.temporaryDirectory("partial")
        defer { try? FileManager.default.removeItem(at: folder) }
        for utterance in ravdess.utterances where utterance.speaker != "Actor_24" {
            let link = folder.appendingPathComponent("ravdess/" + utterance.path)
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: utterance.url)
        }
        do {
            _ = try CorpusLocator(environment: ["SERLAB_CORPORA": folder.path]).load(.ravdess)
            Issue.record("expected an error")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains("incomplete") && message.contains("Actor_24"), "\(message)")
        }
    }
}
