import Foundation
import SERTestSupport
import Testing
@testable import SERCorpus

@Suite struct LabelPolicyTests {
    func ravdess() throws -> Corpus { try Corpus.load(kind: .ravdess, root: TestSupport.corpus("ravdess")) }

    @Test(.realCorpora) func fourClassMergesCalmIntoNeutral() throws {
        let (corpus, labels) = try LabelPolicy.fourClass.apply(to: ravdess())
        #expect(labels == ["neutral", "happy", "sad", "angry"])
        #expect(corpus.count(label: "neutral") == 96 + 192)
        #expect(corpus.utterances.count == 96 + 4 * 192)
        #expect(corpus.utterances.filter { $0.metadata["originalLabel"] == "calm" }.count == 192)
    }

    @Test(.realCorpora) func keepOrderAndRenameAreHonoured() throws {
        let policy = LabelPolicy(keep: ["sad", "negative", "happy"], merge: ["angry": "negative", "disgust": "negative"],
                                 rename: ["happy": "joy"])
        let (corpus, labels) = try policy.apply(to: ravdess())
        #expect(labels == ["sad", "negative", "joy"])
        #expect(corpus.labels.sorted() == labels.sorted())
        #expect(corpus.count(label: "negative") == 384)
        #expect(corpus.count(label: "joy") == 192)
    }

    @Test(.realCorpora) func defaultOrderIsCanonical() throws {
        let savee = try Corpus.load(kind: .savee, root: TestSupport.corpus("savee"))
        let (corpus, labels) = try LabelPolicy.all.apply(to: savee)
        #expect(labels == ["neutral", "happy", "sad", "angry", "fear", "disgust", "surprise"])
        #expect(corpus.utterances == savee.utterances)
        // A canonical merge source absent from this corpus is a no-op, not an error.
        #expect(try LabelPolicy.fourClass.apply(to: savee).labels == ["neutral", "happy", "sad", "angry"])
    }

    @Test(.realCorpora) func unknownLabelsNameTheLabelAndListValidOnes() throws {
        let corpus = try ravdess()
        for (policy, label) in [(LabelPolicy(keep: ["angry", "hapy"]), "hapy"), (LabelPolicy(merge: ["clam": "neutral"]), "clam"),
                                (LabelPolicy(keep: ["angry"], rename: ["sad": "down"]), "sad")] {
            do {
                _ = try policy.apply(to: corpus)
                Issue.record("expected an error for \(label)")
            } catch {
                let message = error.localizedDescription
                #expect(message.contains("'\(label)'") && message.contains("valid labels are"), "\(message)")
            }
        }
        #expect(throws: CorpusError.self) { try LabelPolicy(keep: ["happy", "sad"], rename: ["happy": "sad"]).apply(to: corpus) }
        #expect(throws: CorpusError.self) { try LabelPolicy(keep: []).apply(to: corpus) }
    }

    @Test func corpusCodeTablesAgreeWithTheAdapters() throws {
        #expect(Emotion.ravdessCodes["06"] == "fear" && Emotion.ravdessCodes["08"] == "surprise" && Emotion.ravdessCodes.count == 8)
        #expect(Emotion.saveeCodes == ["a": "angry", "d": "disgust", "f": "fear", "h": "happy", "n": "neutral", "sa": "sad", "su": "surprise"])
        for (word, emotion) in Emotion.tessWords { #expect(Emotion.canonical(word) == emotion, "\(word)") }
        #expect(Emotion.canonical("Pleasant_Surprised") == "surprise")
        #expect(Emotion.canonicalOrder.prefix(8) == ["neutral", "calm", "happy", "sad", "angry", "fear", "disgust", "surprise"])
    }

    @Test func decodesFromJSONAndRejectsUnknownKeys() throws {
        let policy = try JSONDecoder().decode(LabelPolicy.self, from: Data(#"{"keep": ["angry", "sad"], "merge": {"calm": "neutral"}}"#.utf8))
        #expect(policy == LabelPolicy(keep: ["angry", "sad"], merge: ["calm": "neutral"]))
        let roundTrip = try JSONDecoder().decode(LabelPolicy.self, from: JSONEncoder().encode(LabelPolicy.fourClass))
        #expect(roundTrip == LabelPolicy.fourClass)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LabelPolicy.self, from: Data(#"{"kept": ["angry"]}"#.utf8)) }
    }
}
