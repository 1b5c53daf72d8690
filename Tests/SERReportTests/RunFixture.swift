import Foundation
import SERCore
@testable import SERReport
import SERResults

/// Writes realistic run folders (every file of docs/results.md, through SERResults' types as the
/// runner does) for tests, from a simulated
/// classifier: each utterance draws u ~ U(0,1) from a stream that depends only on the utterance, and
/// is predicted correctly when u < skill(label). Runs on the same folds therefore share their draws,
/// so a run with more skill is right on a superset of utterances (a clear McNemar signal).
struct RunFixture {
    var name: String
    var runID: String
    var corpus = "fixture"
    var model = "lstm"
    var labels = ["angry", "happy", "neutral", "sad"]
    var speakers = ["s01", "s02", "s03", "s04", "s05"]
    /// Utterances per speaker and label.
    var utterancesPerCell = 15
    /// Probability of a correct prediction, per label (missing labels use `skill`).
    var skill = 0.7
    var skillPerLabel: [String: Double] = [:]
    /// Rotates which speaker lands in which fold: a different layout gives a different folds hash.
    var foldLayout = 0
    var epochs = 12
    var syntheticData = false
    var withOverview = false
    var withPredictions = true
    var totalSeconds = 93.5
    /// Changes which utterances the simulated classifier gets right (like a training seed).
    var seed: UInt64 = 42
    /// Marks the run as a deliberately weakened gate control (metrics.json `gateControl`).
    var gateControl: String? = nil

    /// Stands in for the runner's sha256 of the sorted `path,fold` lines: 64 hex digits that
    /// change with the corpus, speakers, layout and labels.
    var foldsHash: String {
        let key = "\(corpus)|\(speakers.joined(separator: ","))|\(foldLayout)|\(labels.sorted().joined(separator: ","))"
        return (0..<4).map { String(format: "%016llx", SeededGenerator.fnv1a("\($0):" + key)) }.joined()
    }

    func fold(ofSpeaker index: Int) -> Int { (index + foldLayout) % speakers.count }

    struct Utterance { var path: String; var speaker: String; var label: String; var fold: Int }

    var utterances: [Utterance] {
        var list: [Utterance] = []
        for (speakerIndex, speaker) in speakers.enumerated() {
            for label in labels {
                for k in 0..<utterancesPerCell {
                    list.append(Utterance(path: "\(speaker)/\(label)_\(k).wav", speaker: speaker, label: label, fold: fold(ofSpeaker: speakerIndex)))
                }
            }
        }
        return list
    }

    func predict(_ utterance: Utterance) -> String {
        var generator = SeededGenerator(seed: 7 &+ seed, stream: utterance.path)
        let u = generator.nextDouble()
        if u < (skillPerLabel[utterance.label] ?? skill) { return utterance.label }
        let others = labels.filter { $0 != utterance.label }
        return others[Int(generator.next() % UInt64(others.count))]
    }

    static func metrics(_ labels: [String], _ pairs: [(String, String)]) -> (RunMetrics.Headline, ConfusionMatrix) {
        var counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        for (truth, predicted) in pairs { counts[labels.firstIndex(of: truth)!][labels.firstIndex(of: predicted)!] += 1 }
        var perClass: OrderedObject<RunMetrics.ClassMetrics> = [:]
        for (i, label) in labels.enumerated() {
            let support = counts[i].reduce(0, +)
            let predicted = counts.map { $0[i] }.reduce(0, +)
            let recall = support == 0 ? 0 : Double(counts[i][i]) / Double(support)
            let precision = predicted == 0 ? 0 : Double(counts[i][i]) / Double(predicted)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            perClass.entries.append((label, .init(precision: precision, recall: recall, f1: f1, support: support)))
        }
        let accuracy = Double(labels.indices.map { counts[$0][$0] }.reduce(0, +)) / Double(max(1, pairs.count))
        let uar = labels.map { perClass[$0]!.recall }.reduce(0, +) / Double(labels.count)
        let macroF1 = labels.map { perClass[$0]!.f1 }.reduce(0, +) / Double(labels.count)
        return (.init(testCount: pairs.count, accuracy: accuracy, uar: uar, macroF1: macroF1, perClass: perClass), ConfusionMatrix(labels: labels, counts: counts))
    }

    /// Writes `<root>/<name>/<runID>/` and returns its URL.
    @discardableResult
    func write(under root: URL) throws -> URL {
        let folder = root.appendingPathComponent(name).appendingPathComponent(runID)
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let all = utterances
        var predictions: [PredictionRow] = []
        var foldMetrics: [RunMetrics.FoldMetrics] = []
        var pooledPairs: [(String, String)] = []
        for fold in 0..<speakers.count {
            let members = all.filter { $0.fold == fold }
            let pairs = members.map { ($0.label, predict($0)) }
            pooledPairs += pairs
            for (utterance, pair) in zip(members, pairs) {
                let probabilities = labels.map { $0 == pair.1 ? 0.7 : 0.3 / Double(labels.count - 1) }
                predictions.append(PredictionRow(path: utterance.path, fold: fold, speaker: utterance.speaker, trueLabel: pair.0, predictedLabel: pair.1,
                                                 probabilities: probabilities))
            }
            let (headline, confusion) = RunFixture.metrics(labels, pairs)
            let epochKept = max(1, epochs - 3 - fold % 3)
            foldMetrics.append(.init(fold: fold, testCount: members.count, accuracy: headline.accuracy, uar: headline.uar, macroF1: headline.macroF1,
                                     perClass: headline.perClass, epochKept: epochKept))
            let foldFolder = folder.appendingPathComponent("folds/fold-\(fold)")
            try manager.createDirectory(at: foldFolder, withIntermediateDirectories: true)
            try write(confusion.csv(), to: foldFolder.appendingPathComponent("confusion.csv"))
            try write(curve(fold: fold, finalUAR: headline.uar).csv(), to: foldFolder.appendingPathComponent("curve.csv"))
            try write(ResultsFile.jsonText(foldMetrics.last!), to: foldFolder.appendingPathComponent("metrics.json"))
            try write("done\n", to: foldFolder.appendingPathComponent("done"))
        }
        let (pooled, pooledConfusion) = RunFixture.metrics(labels, pooledPairs)
        let summaries = Metric.allCases.map { metric in Summary(foldMetrics.map { metric.value(in: $0) }) }
        let metrics = RunMetrics(
            name: name, corpus: corpus, model: model, labels: labels,
            protocol: .init(kind: "speakerKFold", folds: speakers.count, foldsHash: foldsHash),
            speakerOverlap: false, syntheticData: syntheticData, gateControl: gateControl, folds: foldMetrics,
            mean: .init(accuracy: summaries[0].mean, uar: summaries[1].mean, macroF1: summaries[2].mean),
            std: .init(accuracy: summaries[0].standardDeviation, uar: summaries[1].standardDeviation, macroF1: summaries[2].standardDeviation),
            pooled: pooled,
            confidence95: .init(accuracy: [pooled.accuracy - 0.05, pooled.accuracy + 0.05], uar: [pooled.uar - 0.05, pooled.uar + 0.05],
                                method: "bootstrap over utterances, 1000 resamples"))
        try write(ResultsFile.jsonText(metrics), to: folder.appendingPathComponent("metrics.json"))
        try write(pooledConfusion.csv(), to: folder.appendingPathComponent("confusion.csv"))
        if withPredictions {
            try write(PredictionRow.csv(predictions, labels: labels), to: folder.appendingPathComponent("predictions.csv"))
        }
        let config: JSONValue = .object([
            ("name", .string(name)),
            ("dataset", .object([("corpus", .string(corpus))])),
            ("features", .object([("features", .array([.string("mfcc"), .string("deltaMFCC")])), ("level", .string("frame")), ("mfccCount", .integer(40)),
                                  ("melBandCount", .integer(128)), ("hopLength", .integer(512)), ("fftLength", .integer(2048)), ("sampleRate", .integer(16000))])),
            ("model", .object([("kind", .string(model)), ("hiddenSize", .integer(128)), ("layerCount", .integer(2))])),
            ("training", .object([("epochs", .integer(epochs)), ("seed", .integer(42))])),
        ])
        try write(config.prettyPrinted() + "\n", to: folder.appendingPathComponent("config.resolved.json"))
        let files = all.map { RunEnvironment.DataFile(path: $0.path, size: 44_144, sha256: String(repeating: "0", count: 64)) }
        let environment = RunEnvironment(
            serlabVersion: "0.1.0", gitCommit: "abc1234", featureCodeVersion: 3, swift: "6.3 or later", libraries: ["libsndfile1": "1.2.0-1"],
            os: "Linux", cpu: "fixture CPU", cores: 2, threads: 2, seed: Int(seed),
            data: .init(corpus: corpus, root: "/corpora/\(corpus)", synthetic: syntheticData, fileCount: files.count, totalBytes: 44_144 * files.count,
                        fingerprint: foldsHash, fingerprintMethod: "sha256 of the sorted lines path,size,sha256 of every file used", files: files))
        try write(ResultsFile.jsonText(environment), to: folder.appendingPathComponent("environment.json"))
        let timings = RunTimings(featureExtractionSeconds: 10, folds: [.init(fold: 0, seconds: 16), .init(fold: 1, seconds: 17)], resumedFolds: 0,
                                 totalSeconds: totalSeconds, threads: 2)
        try write(ResultsFile.jsonText(timings), to: folder.appendingPathComponent("timings.json"))
        if withOverview { try RunFixture.overview(corpus: corpus, labels: labels, speakers: speakers).write(to: folder.appendingPathComponent("corpusOverview.json")) }
        return folder
    }

    func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }

    /// A plausible training curve ending near `finalUAR`.
    func curve(fold: Int, finalUAR: Double) -> LearningCurve {
        let e = Array(1...epochs)
        let train = e.map { 1.4 * exp(-Double($0) / 4) + 0.15 + 0.01 * Double(fold) }
        let validation = e.map { 1.5 * exp(-Double($0) / 5) + 0.35 + 0.004 * Double($0) + 0.02 * Double(fold) }
        let uar = e.map { 0.25 + (finalUAR - 0.25) * (1 - exp(-Double($0) / 3)) }
        let rate = e.map { 0.001 * pow(0.9, Double($0 - 1)) }
        return LearningCurve(epochs: e, trainLoss: train, validationLoss: validation, validationUAR: uar, learningRate: rate)
    }

    /// A corpus overview with sines for waveforms and smooth synthetic spectrograms and MFCCs.
    static func overview(corpus: String, labels: [String], speakers: [String]) -> CorpusOverview {
        var generator = SeededGenerator(seed: 11, stream: "overview")
        let durations = (0..<240).map { _ in 1.2 + 2.3 * generator.nextDouble() * generator.nextDouble() + 0.4 * generator.nextDouble() }
        let examples = labels.enumerated().map { (index, label) -> CorpusOverview.Example in
            let points = 500, frames = 150, bands = 64
            let duration = 1.6 + 0.2 * Double(index)
            let envelope = (0..<points).map { i -> Double in
                let t = Double(i) / Double(points)
                return 0.8 * sin(Double.pi * t) * (0.6 + 0.4 * sin(Double(index + 3) * 9 * t))
            }
            let spectrogram = (0..<bands).map { band in
                (0..<frames).map { frame -> Double in
                    let t = Double(frame) / Double(frames)
                    let formant = exp(-pow(Double(band) - 12 - 6 * Double(index) - 8 * sin(6 * t), 2) / 30)
                    return -80 + 70 * sin(Double.pi * t) * (0.3 + formant) - 0.4 * Double(band)
                }
            }
            let mfcc = (0..<13).map { c in (0..<frames).map { frame in 60 / Double(c + 1) * cos(Double(frame) / 12 + Double(c * (index + 1))) } }
            return CorpusOverview.Example(label: label, path: "\(speakers[index % speakers.count])/\(label)_0.wav", speaker: speakers[index % speakers.count],
                                          durationSeconds: duration, waveformMinimum: envelope.map { -$0 }, waveformMaximum: envelope,
                                          spectrogramDB: spectrogram, spectrogramMaxFrequency: 8000, spectrogramScale: "mel", mfcc: mfcc,
                                          frameDuration: duration / Double(frames))
        }
        return CorpusOverview(corpus: corpus, filesPerLabel: Dictionary(uniqueKeysWithValues: labels.map { ($0, 60) }),
                              filesPerSpeaker: Dictionary(uniqueKeysWithValues: speakers.enumerated().map { ($1, 40 + 4 * $0) }),
                              durationsSeconds: durations, examples: examples)
    }

    /// The standard scene: three runs on the same folds (lstm best, cnn, mlp), one on other folds,
    /// one on another label set; all under `root` like a results folder.
    @discardableResult
    static func standardResults(under root: URL) throws -> [URL] {
        var lstm = RunFixture(name: "lstm_fixture", runID: "20261126-100000-42"); lstm.skill = 0.8; lstm.withOverview = true
        var cnn = RunFixture(name: "cnn_fixture", runID: "20261126-101000-42"); cnn.model = "cnn"; cnn.skill = 0.62
        var mlp = RunFixture(name: "mlp_fixture", runID: "20261126-102000-42"); mlp.model = "mlp"; mlp.skill = 0.5; mlp.totalSeconds = 12
        var otherFolds = RunFixture(name: "lstm_fixture_otherfolds", runID: "20261126-103000-42"); otherFolds.foldLayout = 2; otherFolds.skill = 0.75
        var otherLabels = RunFixture(name: "lstm_fixture_3class", runID: "20261126-104000-42"); otherLabels.labels = ["angry", "neutral", "sad"]
        return try [lstm, cnn, mlp, otherFolds, otherLabels].map { try $0.write(under: root) }
    }
}
