import Foundation
import SERCore
import SERCorpus
import SERFeatures
import SERResults
import Testing
import SERTestSupport
@testable import SERExperiment

/// A corpus of `speakers` x `labels` x 2 utterances with made-up paths (no audio): enough for
/// label policies and fold plans.
struct StubCorpusSource: DatasetSource {
    var name: String
    var speakers: [String]
    var labels: [String]

    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
        var items: [ExperimentItem] = []
        for speaker in speakers {
            for label in labels {
                for take in 0..<2 {
                    let path = "\(speaker)/\(label)_\(take).wav"
                    items.append(ExperimentItem(path: path, url: URL(fileURLWithPath: "/\(name)/\(path)"), speaker: speaker, label: label))
                }
            }
        }
        let (kept, labels) = try dataset.labelPolicy.apply(to: items)
        return LoadedDataset(corpusName: name, root: URL(fileURLWithPath: "/corpora/\(name)"), items: kept, labels: labels, synthetic: false)
    }
}

/// RAVDESS-like (calm, no surprise) and SAVEE-like (surprise, no calm) stubs; both have a speaker "01".
let stubSources: @Sendable (DatasetConfig) -> DatasetSource = { dataset in
    switch dataset.corpus {
    case .ravdess: return StubCorpusSource(name: "ravdess", speakers: ["01", "02", "03", "04"], labels: ["neutral", "calm", "happy", "sad", "angry"])
    case .savee: return StubCorpusSource(name: "savee", speakers: ["01", "DC", "JE", "KL"], labels: ["neutral", "happy", "sad", "angry", "surprise"])
    default: return StubCorpusSource(name: "tess", speakers: ["OAF", "YAF"], labels: ["neutral", "happy", "sad", "surprise"])
    }
}

let twoCorpora = #"dataset.corpora=[{"corpus": "ravdess"}, {"corpus": "savee"}]"#

func pooled(_ overrides: [String]) throws -> (ExperimentConfig, LoadedDataset) {
    let config = try ConfigLoader.resolve(nil, overrides: overrides).config
    let dataset = try PooledDatasetSource(sourceFor: stubSources).load(config.dataset, cacheDirectory: URL(fileURLWithPath: "/tmp"))
    return (config, dataset)
}

@Suite struct MultiCorpusConfigTests {
    @Test func singleCorpusConfigsResolveWithoutTheNewKeys() throws {
        let tree = try ConfigLoader.resolve(nil, overrides: ["dataset.corpus=savee"]).json
        #expect(tree["dataset"]?["corpora"] == nil)
        #expect(tree["dataset"]?["sharedLabels"] == nil)
        #expect(tree["protocol"]?["directions"] == nil)
        #expect(tree["dataset"]?.objectPairs?.map(\.key) == ["corpus", "root", "manifest", "labels", "merge", "synthetic"])
    }

    @Test func theListFormResolvesEveryKeyOfEachCorpus() throws {
        let resolved = try ConfigLoader.resolve(nil, overrides: [#"dataset.corpora=[{"corpus": "ravdess", "merge": {"calm": "neutral"}}, {"corpus": "savee", "root": "/data/savee", "drop": ["surprise"]}]"#,
                                                                 "dataset.sharedLabels=true", "protocol.kind=crossCorpus",
                                                                 #"protocol.directions=[{"train": ["ravdess"], "test": ["savee"]}]"#])
        #expect(resolved.config.dataset.corpora == [CorpusEntry(corpus: .ravdess, merge: ["calm": "neutral"]),
                                                    CorpusEntry(corpus: .savee, root: "/data/savee", drop: ["surprise"])])
        #expect(resolved.config.protocol.directions == [CorpusDirection(train: ["ravdess"], test: ["savee"])])
        let second = try #require(resolved.json["dataset"]?["corpora"].flatMap { if case .array(let a) = $0 { a[1] } else { nil } })
        #expect(second.objectPairs?.map(\.key) == ["corpus", "name", "root", "manifest", "merge", "drop"])
        #expect(second["name"] == .null && second["root"] == .string("/data/savee"))
        #expect(resolved.json["dataset"]?["sharedLabels"] == .bool(true))
        // What is written reads back to the same config (a resumed run decodes config.resolved.json).
        #expect(try resolved.json["dataset"]!.decode(DatasetConfig.self) == resolved.config.dataset)
    }

    @Test func mistakesNameTheirJSONPath() throws {
        func message(_ overrides: [String]) -> String {
            do { _ = try ConfigLoader.resolve(nil, overrides: overrides); return "no error" } catch { return error.localizedDescription }
        }
        #expect(message([#"dataset.corpora=[{"corpus": "ravdess"}, {"corpus": "savee", "roots": "/x"}]"#])
                    .contains(#"unknown key "dataset.corpora[1].roots"; did you mean "dataset.corpora[1].root"?"#))
        #expect(message([#"dataset.corpora=[{"corpus": "ravdes"}]"#]).contains(#""dataset.corpora[0].corpus": expected one of"#))
        #expect(message([#"dataset.corpora=[{"corpus": "savee"}, {"corpus": "savee"}]"#]).contains(#""dataset.corpora[1].name": expected a name no other corpus has"#))
        #expect(message([twoCorpora, "dataset.corpus=tess"]).contains(#""dataset.corpus": expected no dataset.corpus beside dataset.corpora"#))
        #expect(message(["protocol.kind=leaveOneCorpusOut"]).contains(#""protocol.kind": expected a dataset.corpora list of at least 2 corpora"#))
        #expect(message([twoCorpora, "protocol.kind=crossCorpus"]).contains(#""protocol.directions": expected at least one direction"#))
        #expect(message([twoCorpora, "protocol.kind=crossCorpus", #"protocol.directions=[{"train": ["ravdess"], "test": ["savey"]}]"#])
                    .contains(#""protocol.directions[0].test[0]": expected one of the dataset.corpora names "ravdess", "savee", found "savey"; did you mean "savee"?"#))
        #expect(message([twoCorpora, "protocol.kind=crossCorpus", #"protocol.directions=[{"train": ["ravdess", "savee"], "test": ["savee"]}]"#])
                    .contains("disjoint train and test corpora"))
        #expect(message([twoCorpora, #"protocol.directions=[{"train": ["ravdess"], "test": ["savee"]}]"#]).contains(#""protocol.directions": expected [] unless"#))
        #expect(message(["normalization=corpus"]).contains(#""normalization": expected "corpus" only with dataset.corpora"#))
        #expect(message(["dataset.sharedLabels=true"]).contains(#""dataset.sharedLabels""#))
        #expect(message([#"protocol.directions=[{"train": ["a"], "tset": ["b"]}]"#]).contains(#"did you mean "protocol.directions[0].test"?"#))
    }

    @Test func defaultsAndSchemaCoverTheNewKeys() {
        let listing = ConfigLoader.defaultsListing()
        for key in ["dataset.corpora = []", "dataset.sharedLabels = false", "protocol.directions = []"] { #expect(listing.contains(key), "\(key)") }
        let schema = ConfigField.jsonSchema()
        let entry = schema["properties"]?["dataset"]?["properties"]?["corpora"]?["items"]
        #expect(entry?["properties"]?.objectPairs?.map(\.key) == ["corpus", "name", "root", "manifest", "merge", "drop"])
        #expect(entry?["additionalProperties"] == .bool(false))
        guard case .array(let kinds)? = schema["properties"]?["protocol"]?["properties"]?["kind"]?["enum"] else { Issue.record("no kinds"); return }
        #expect(kinds.contains(.string("crossCorpus")) && kinds.contains(.string("leaveOneCorpusOut")))
    }
}

@Suite struct MultiCorpusDatasetTests {
    @Test func speakersAndPathsAreNamespacedByCorpus() throws {
        let (_, dataset) = try pooled([twoCorpora])
        #expect(dataset.corpusName == "ravdess+savee")
        #expect(dataset.corpusNames == ["ravdess", "savee"])
        #expect(dataset.root.path == "/corpora")
        let speakers = Set(dataset.items.map(\.speaker))
        #expect(speakers.contains("ravdess/01") && speakers.contains("savee/01") && !speakers.contains("01"))
        #expect(dataset.items.allSatisfy { $0.path.hasPrefix($0.corpus! + "/") && $0.speaker.hasPrefix($0.corpus! + "/") })
        // Without a label policy every label of either corpus stays, in canonical order.
        #expect(dataset.labels == ["neutral", "calm", "happy", "sad", "angry", "surprise"])
    }

    @Test func sharedLabelsKeepWhatEveryCorpusHasAfterItsMerges() throws {
        #expect(try pooled([twoCorpora, "dataset.sharedLabels=true"]).1.labels == ["neutral", "happy", "sad", "angry"])
        // RAVDESS calm merged into neutral: its calm utterances count as neutral.
        let (_, merged) = try pooled([#"dataset.corpora=[{"corpus": "ravdess", "merge": {"calm": "neutral"}}, {"corpus": "savee", "drop": ["angry"]}]"#,
                                      "dataset.sharedLabels=true"])
        #expect(merged.labels == ["neutral", "happy", "sad"])
        #expect(merged.items.filter { $0.corpus == "ravdess" && $0.label == "neutral" }.count == 16)
        #expect(!merged.items.contains { $0.label == "angry" })
        // Three corpora (TESS has no angry): the order of dataset.labels is kept.
        let (_, three) = try pooled([#"dataset.corpora=[{"corpus": "ravdess"}, {"corpus": "savee"}, {"corpus": "tess"}]"#,
                                     "dataset.sharedLabels=true", #"dataset.labels=["sad", "neutral"]"#])
        #expect(three.labels == ["sad", "neutral"])
        #expect(Set(three.items.compactMap(\.corpus)) == ["ravdess", "savee", "tess"])
    }

    @Test func unsharedOrUnknownLabelsAreErrorsNamingThePath() throws {
        #expect(throws: DatasetError.corpus(path: "dataset.labels[1]", reason: "\"calm\" is not shared (none in savee); shared labels: neutral, happy, sad, angry")) {
            try pooled([twoCorpora, "dataset.sharedLabels=true", #"dataset.labels=["neutral", "calm"]"#])
        }
        #expect(throws: DatasetError.self) { try pooled([#"dataset.corpora=[{"corpus": "ravdess", "drop": ["surprise"]}, {"corpus": "savee"}]"#]) }
    }
}

@Suite struct CorpusProtocolTests {
    func plan(_ overrides: [String]) throws -> (LoadedDataset, ProtocolPlan) {
        let (config, dataset) = try pooled(overrides)
        return (dataset, try FoldPlanner.plan(items: dataset.items, config: config.protocol, seed: 7))
    }

    @Test func speakerFoldsOverPooledCorporaNeverSplitASpeaker() throws {
        let (dataset, plan) = try plan([twoCorpora, "protocol.kind=speakerKFold", "protocol.folds=4"])
        #expect(!plan.speakerOverlap)
        for fold in plan.folds {
            let test = Set(fold.test.map { dataset.items[$0].speaker })
            #expect(!(fold.train + fold.validation).contains { test.contains(dataset.items[$0].speaker) }, "fold \(fold.index)")
        }
        // The two speakers "01" are different people: they may land in different folds.
        #expect(Set(dataset.items.map(\.speaker)).count == 8)
    }

    @Test func crossCorpusTrainsAndValidatesOnTrainingCorporaOnly() throws {
        let (dataset, plan) = try plan([#"dataset.corpora=[{"corpus": "ravdess"}, {"corpus": "savee"}, {"corpus": "tess"}]"#, "dataset.sharedLabels=true",
                                        "protocol.kind=crossCorpus",
                                        #"protocol.directions=[{"train": ["ravdess"], "test": ["savee"]}, {"train": ["savee", "tess"], "test": ["ravdess"]}]"#])
        #expect(plan.folds.count == 2 && plan.foldsPerRepeat == 2 && !plan.speakerOverlap)
        let expected: [(train: Set<String>, test: Set<String>)] = [(["ravdess"], ["savee"]), (["savee", "tess"], ["ravdess"])]
        for (fold, want) in zip(plan.folds, expected) {
            #expect(Set(fold.test.compactMap { dataset.items[$0].corpus }) == want.test)
            #expect(Set(fold.train.compactMap { dataset.items[$0].corpus }) == want.train)
            #expect(Set(fold.validation.compactMap { dataset.items[$0].corpus }).isSubset(of: want.train))
            #expect(!fold.validation.isEmpty)
            // Every utterance of the test corpora is tested; TESS is unused in the first direction.
            #expect(fold.test.count == dataset.items.filter { want.test.contains($0.corpus!) }.count)
            let trainSpeakers = Set(fold.train.map { dataset.items[$0].speaker })
            #expect(!fold.validation.contains { trainSpeakers.contains(dataset.items[$0].speaker) }, "validation is speaker-disjoint")
        }
    }

    @Test func leaveOneCorpusOutTestsEachCorpusOnce() throws {
        let (dataset, plan) = try plan([#"dataset.corpora=[{"corpus": "ravdess"}, {"corpus": "savee"}, {"corpus": "tess"}]"#, "dataset.sharedLabels=true",
                                        "protocol.kind=leaveOneCorpusOut"])
        #expect(plan.folds.count == 3)
        for (fold, corpus) in zip(plan.folds, ["ravdess", "savee", "tess"]) {
            #expect(Set(fold.test.compactMap { dataset.items[$0].corpus }) == [corpus])
            #expect(!(fold.train + fold.validation).contains { dataset.items[$0].corpus == corpus })
            #expect(fold.train.count + fold.validation.count + fold.test.count == dataset.items.count)
        }
        #expect(Set(plan.folds.flatMap(\.test)).count == dataset.items.count)
    }

    @Test func aDirectionNamingAnAbsentCorpusIsAnError() throws {
        let (_, dataset) = try pooled([twoCorpora])
        var config = try ConfigLoader.resolve(nil, overrides: [twoCorpora]).config.protocol
        config.kind = .crossCorpus
        config.directions = [CorpusDirection(train: ["ravdess"], test: ["savey"])]
        #expect(throws: ProtocolError.corpus(path: "protocol.directions[0].test[0]", reason: "unknown corpus \"savey\"; did you mean \"savee\"? Corpora: ravdess, savee.")) {
            try FoldPlanner.plan(items: dataset.items, config: config, seed: 1)
        }
    }
}

@Suite struct CorpusNormalizationTests {
    /// Two corpora of one-column features at different offsets.
    func data(testLabels: [String]) -> (LoadedDataset, [FeatureMatrix]) {
        var items: [ExperimentItem] = []
        var features: [FeatureMatrix] = []
        for index in 0..<8 {
            let corpus = index < 4 ? "a" : "b"
            let label = index < 4 ? ["x", "y"][index % 2] : testLabels[index - 4]
            items.append(ExperimentItem(path: "\(corpus)/\(index).wav", url: URL(fileURLWithPath: "/\(index).wav"), speaker: "\(corpus)/s\(index % 2)",
                                        label: label, corpus: corpus))
            let offset: Float = corpus == "a" ? 0 : 100
            features.append(FeatureMatrix(frameCount: 2, columnNames: ["v"], values: [offset + Float(index), offset + Float(index) * 2]))
        }
        return (LoadedDataset(corpusName: "a+b", root: URL(fileURLWithPath: "/"), items: items, labels: ["x", "y"], synthetic: false), features)
    }

    @Test func eachCorpusIsScaledByItsOwnStatisticsWithoutTestLabels() {
        let train = [0, 1, 2, 3], test = [4, 5, 6, 7]
        var outputs: [[Float]] = []
        for labels in [["x", "x", "y", "y"], ["y", "x", "x", "y"]] {
            let (dataset, features) = data(testLabels: labels)
            let normalized = NormalizedFeatures(dataset: dataset, features: features, kind: .corpus, fitIndices: train, allIndices: train + test)
            #expect(Set(normalized.normalizer.perCorpus.keys) == ["a", "b"])
            let testPart = normalized.set(test).features.flatMap(\.values)
            // The test corpus is centred on its own mean (the training corpus's would leave it near +100 / sd).
            #expect(abs(testPart.reduce(0, +) / Float(testPart.count)) < 1e-5)
            outputs.append(testPart)
        }
        #expect(outputs[0] == outputs[1], "the test part's labels do not move its normalisation")
        // normalization.json keeps the per-corpus statistics and reads back.
        let (dataset, features) = data(testLabels: ["x", "x", "y", "y"])
        let normalizer = NormalizedFeatures(dataset: dataset, features: features, kind: .corpus, fitIndices: train, allIndices: train + test).normalizer
        let read = try? Normalizer(json: normalizer.json, path: "normalization.json")
        #expect(read?.perCorpus["b"]?.mean == normalizer.perCorpus["b"]?.mean)
    }
}

@Suite struct PerCorpusMetricsTests {
    @Test func figuresArePerCorpusInCorpusOrder() {
        func row(_ corpus: String, _ truth: String, _ predicted: String) -> PredictionRow {
            PredictionRow(path: "\(corpus)/f", fold: 0, speaker: "\(corpus)/s", corpus: corpus, trueLabel: truth, predictedLabel: predicted, probabilities: [0.5, 0.5])
        }
        let rows = [row("b", "x", "x"), row("b", "y", "x"), row("a", "x", "x"), row("a", "x", "x"), row("a", "y", "y"), row("b", "y", "y")]
        let figures = ResultsWriter.perCorpus(rows, labels: ["x", "y"], corpora: ["a", "b", "c"])
        #expect(figures.keys == ["a", "b"])
        #expect(figures["a"] == RunMetrics.CorpusFigures(testCount: 3, accuracy: 1, uar: 1))
        #expect(figures["b"] == RunMetrics.CorpusFigures(testCount: 3, accuracy: 0.666667, uar: 0.75))
    }

    @Test func predictionsWithACorpusColumnReadBack() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-predictions-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let rows = [PredictionRow(path: "savee/DC/a01.wav", fold: 1, speaker: "savee/DC", corpus: "savee", trueLabel: "angry", predictedLabel: "sad", probabilities: [0.25, 0.75])]
        let text = PredictionRow.csv(rows, labels: ["angry", "sad"])
        #expect(text.hasPrefix("path,fold,speaker,corpus,true,predicted,p_angry,p_sad\n"))
        try Data(text.utf8).write(to: url)
        #expect(try PredictionRow.read(url).rows == rows)
        var single = rows[0]
        single.corpus = nil
        #expect(PredictionRow.csv([single], labels: ["angry", "sad"]).hasPrefix("path,fold,speaker,true,predicted,p_angry"))
    }
}

@Suite(.serialized) struct MultiCorpusRunTests {
    /// The synthetic corpus twice, as "a" and "b" (the same audio under two names), through the runner with the test components.
    func run(_ overrides: [String]) throws -> URL {
        let folder = TestSupport.temporaryDirectory("serlab-multicorpus")
        let all = [#"dataset.corpora=[{"corpus": "synthetic", "name": "a"}, {"corpus": "synthetic", "name": "b"}]"#,
                   "dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=3", "training.epochs=3",
                   "output.bootstrapResamples=100"] + overrides
        let resolved = try ConfigLoader.resolve(nil, overrides: all)
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.hashData = false
        return try ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options, components: .test(),
                                    progress: SilentProgress()).run().directory
    }

    @Test func crossCorpusRunWritesTheCorpusColumnAndPerCorpusFigures() throws {
        let directory = try run(["protocol.kind=crossCorpus", "normalization=corpus",
                                 #"protocol.directions=[{"train": ["a"], "test": ["b"]}, {"train": ["b"], "test": ["a"]}]"#])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()) }
        let predictions = try PredictionRow.read(directory.appendingPathComponent("predictions.csv")).rows
        #expect(predictions.count == 2 * 4 * 4 * 3)
        #expect(predictions.allSatisfy { $0.corpus == ($0.fold == 0 ? "b" : "a") && $0.path.hasPrefix($0.corpus! + "/") })
        let metrics = try ResultsFile.read(RunMetrics.self, from: directory.appendingPathComponent("metrics.json"))
        #expect(metrics.corpus == "a+b" && metrics.corpora == ["a", "b"] && metrics.isCrossCorpus)
        // The file keeps corpus order; decoding (Foundation's keyed container) does not promise any order.
        let raw = try JSONParser.parse(Data(contentsOf: directory.appendingPathComponent("metrics.json")), source: "metrics.json")
        #expect(raw["perCorpus"]?.objectPairs?.map(\.key) == ["a", "b"])
        #expect(Set(metrics.perCorpus?.keys ?? []) == ["a", "b"])
        #expect(metrics.perCorpus?["b"]?.testCount == 48)
        #expect(metrics.folds.map(\.trainCorpora) == [["a"], ["b"]] && metrics.folds.map(\.testCorpora) == [["b"], ["a"]])
        // One corpus per test part: its figures are the fold's own, so no fold-level perCorpus.
        #expect(metrics.folds.allSatisfy { $0.perCorpus == nil })
        #expect(metrics.perCorpus?["b"]?.uar == metrics.folds[0].uar)
    }

    @Test func pooledSpeakerFoldsReportEachCorpusOfATestPart() throws {
        let directory = try run(["protocol.kind=speakerKFold", "protocol.folds=2"])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()) }
        let metrics = try ResultsFile.read(RunMetrics.self, from: directory.appendingPathComponent("metrics.json"))
        #expect(metrics.speakerOverlap == false && !metrics.isCrossCorpus)
        #expect(metrics.perCorpus.map { $0.entries.map(\.value.testCount).reduce(0, +) } == 96)
        let spanning = metrics.folds.filter { ($0.testCorpora?.count ?? 0) > 1 }
        #expect(!spanning.isEmpty)
        #expect(spanning.allSatisfy { $0.perCorpus?.entries.map(\.value.testCount).reduce(0, +) == $0.testCount })
    }
}
