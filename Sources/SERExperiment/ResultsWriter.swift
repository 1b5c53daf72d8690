import Foundation
import SERCore
import SERPlot
import SERResults

/// Writes the files of docs/results.md, in SERResults' formats, and reads a finished fold back for resume.
public enum ResultsWriter {
    /// SYNTHETIC_DATA.txt, and what the runner prints on runs of serlab's generated corpus.
    public static let syntheticDataNote = "SYNTHETIC DATA: this experiment runs on sounds serlab generated itself; its numbers say nothing about real speech."

    // MARK: Per fold

    /// Writes a fold's files, then its `done` marker. Each file is atomic; the marker makes the set atomic.
    public static func writeFold(_ result: FoldResult, labels: [String], in run: RunDirectory) throws {
        let folder = "folds/fold-\(result.plan.index)/"
        try run.write(ResultsFile.jsonText(foldMetrics(result, labels: labels)), to: folder + "metrics.json")
        try run.write(ConfusionMatrix(labels: labels, counts: result.metrics.confusion).csv(), to: folder + "confusion.csv")
        try run.write(learningCurve(result.curve).csv(), to: folder + "curve.csv")
        try run.write(PredictionRow.csv(result.predictions, labels: labels), to: folder + "predictions.csv")
        try run.write("\(result.seconds)\n", to: folder + "seconds")
        TestKillPoint.reached("fold-\(result.plan.index)-files")
        try run.write("done\n", to: folder + "done")
    }

    /// Reads back a finished fold (for resume): predictions and curve are the source of truth.
    public static func readFold(_ plan: FoldPlan, labels: [String], in run: RunDirectory) throws -> FoldResult {
        let folder = run.foldURL(plan.index)
        func corrupt(_ reason: String) -> ResultsError { .corruptFold(path: folder.path, reason: reason) }
        let predictions: [PredictionRow], foldMetrics: RunMetrics.FoldMetrics, curve: LearningCurve
        do {
            let read = try PredictionRow.read(folder.appendingPathComponent("predictions.csv"))
            guard read.labels == labels else { throw corrupt("predictions.csv has the labels \(read.labels), the run \(labels)") }
            predictions = read.rows
            foldMetrics = try ResultsFile.read(RunMetrics.FoldMetrics.self, from: folder.appendingPathComponent("metrics.json"))
            curve = try LearningCurve(contentsOf: folder.appendingPathComponent("curve.csv"))
        } catch let error as ResultsFileError {
            throw corrupt(error.localizedDescription)
        }
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let truth = predictions.compactMap { index[$0.trueLabel] }
        let predicted = predictions.compactMap { index[$0.predictedLabel] }
        guard truth.count == predictions.count, predicted.count == predictions.count, predictions.count == plan.test.count else {
            throw corrupt("predictions do not match the planned test fold of \(plan.test.count) utterances")
        }
        guard let epochKept = foldMetrics.epochKept else { throw corrupt("metrics.json has no epochKept") }
        let epochs = curve.epochs.indices.map { i in
            TrainingEpoch(epoch: curve.epochs[i], trainLoss: curve.trainLoss[i], validationLoss: curve.validationLoss[i],
                          validationUAR: curve.validationUAR[i], learningRate: curve.learningRate[i])
        }
        let text = try? String(contentsOf: folder.appendingPathComponent("seconds"), encoding: .utf8)
        let seconds = Double(text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        return FoldResult(plan: plan, metrics: ClassificationMetrics(truth: truth, predicted: predicted, labels: labels),
                          epochKept: epochKept, curve: epochs, predictions: predictions, testSpeakers: Set(predictions.map(\.speaker)).sorted(),
                          seconds: seconds, trainCorpora: foldMetrics.trainCorpora, testCorpora: foldMetrics.testCorpora,
                          modelSelection: modelSelection(in: folder.appendingPathComponent("metrics.json")))
    }

    /// A fold metrics.json's `modelSelection` in its written key order (Codable decoding loses the order,
    /// and the run's metrics.json must come out byte-identical on resume).
    static func modelSelection(in url: URL) -> OrderedObject<Double>? {
        guard let data = try? Data(contentsOf: url), let pairs = (try? JSONParser.parse(data, source: url.path))?["modelSelection"]?.objectPairs else {
            return nil
        }
        return OrderedObject(pairs.compactMap { pair in
            switch pair.value {
            case .integer(let value): return (pair.key, Double(value))
            case .number(let value): return (pair.key, value)
            default: return nil
            }
        })
    }

    static func learningCurve(_ epochs: [TrainingEpoch]) -> LearningCurve {
        LearningCurve(epochs: epochs.map(\.epoch), trainLoss: epochs.map(\.trainLoss), validationLoss: epochs.map(\.validationLoss),
                      validationUAR: epochs.map(\.validationUAR), learningRate: epochs.map(\.learningRate))
    }

    static func foldMetrics(_ result: FoldResult, labels: [String]) -> RunMetrics.FoldMetrics {
        let plan = result.plan, metrics = result.metrics
        return RunMetrics.FoldMetrics(
            fold: plan.index, repeat: plan.repeatIndex, seed: plan.seed, trainCount: plan.train.count, validationCount: plan.validation.count,
            validationKind: plan.validationKind, testCount: plan.test.count, testSpeakers: result.testSpeakers,
            accuracy: ResultsFile.rounded(metrics.accuracy), uar: ResultsFile.rounded(metrics.uar), macroF1: ResultsFile.rounded(metrics.macroF1),
            perClass: perClass(metrics, labels: labels), epochKept: result.epochKept,
            trainCorpora: result.trainCorpora, testCorpora: result.testCorpora,
            perCorpus: (result.testCorpora?.count ?? 0) > 1 ? perCorpus(result.predictions, labels: labels, corpora: result.testCorpora!) : nil,
            modelSelection: result.modelSelection, validationUAR: validationUAR(result).map(ResultsFile.rounded))
    }

    /// The validation UAR of the model a fold kept: what its model selection recorded (an SVM's chosen
    /// pair, a seed ensemble's mean), else the kept epoch's.
    static func validationUAR(_ result: FoldResult) -> Double? {
        if let recorded = result.modelSelection?["validationUAR"] { return recorded }
        if let epoch = result.curve.first(where: { $0.epoch == result.epochKept }), epoch.validationUAR.isFinite { return epoch.validationUAR }
        return nil
    }

    /// UAR, accuracy and count of each of `corpora` over `predictions` (their `corpus` column); corpora
    /// without predictions are left out.
    static func perCorpus(_ predictions: [PredictionRow], labels: [String], corpora: [String]) -> OrderedObject<RunMetrics.CorpusFigures> {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return OrderedObject(corpora.compactMap { corpus in
            let rows = predictions.filter { $0.corpus == corpus }
            guard !rows.isEmpty else { return nil }
            let metrics = ClassificationMetrics(truth: rows.map { index[$0.trueLabel]! }, predicted: rows.map { index[$0.predictedLabel]! }, labels: labels)
            return (corpus, RunMetrics.CorpusFigures(testCount: metrics.count, accuracy: ResultsFile.rounded(metrics.accuracy), uar: ResultsFile.rounded(metrics.uar)))
        })
    }

    static func perClass(_ metrics: ClassificationMetrics, labels: [String]) -> OrderedObject<RunMetrics.ClassMetrics> {
        OrderedObject(zip(labels, metrics.perClass).map { label, value in
            (label, RunMetrics.ClassMetrics(precision: ResultsFile.rounded(value.precision), recall: ResultsFile.rounded(value.recall),
                                            f1: ResultsFile.rounded(value.f1), support: value.support))
        })
    }

    // MARK: Per run

    /// Written once per run folder, after the features step (see `ExperimentRunner`).
    static func writeEnvironment(_ environment: RunEnvironment, in run: RunDirectory) throws {
        try run.write(ResultsFile.jsonText(environment), to: "environment.json")
    }

    static func writeCorpusOverview(_ overview: CorpusOverview, in run: RunDirectory) throws {
        try RunDirectory.atomicWrite(overview.jsonData(), to: run.url.appendingPathComponent("corpusOverview.json"))
    }

    /// The run-level files from the finished folds: predictions, pooled confusion (CSV and SVG),
    /// metrics.csv, SYNTHETIC_DATA.txt, timings.json, and metrics.json last (it marks the run finished).
    static func writeRun(_ metrics: RunMetrics, folds: [FoldResult], pooled: ClassificationMetrics, synthetic: Bool, timings: RunTimings,
                         in run: RunDirectory) throws {
        let labels = metrics.labels
        try run.write(PredictionRow.csv(folds.flatMap(\.predictions), labels: labels), to: "predictions.csv")
        try run.write(ConfusionMatrix(labels: labels, counts: pooled.confusion).csv(), to: "confusion.csv")
        let title = "\(metrics.name): pooled over \(folds.count) folds" + (synthetic ? " (SYNTHETIC DATA)" : "")
        try run.write(Heatmap.confusionShares(labels: labels, counts: pooled.confusion, title: title).svg() + "\n", to: "confusion.svg")
        try run.write(metricsTable(folds: folds, pooled: pooled, labels: labels).csv(), to: "metrics.csv")
        if synthetic {
            try run.write(syntheticDataNote + "\n", to: "SYNTHETIC_DATA.txt")
        }
        try run.write(ResultsFile.jsonText(timings), to: "timings.json")
        try run.write(ResultsFile.jsonText(metrics), to: "metrics.json")
    }

    /// The run's metrics.json: deterministic for a config, seed and thread count (no times, no dates).
    public static func runMetrics(name: String, corpus: String, model: String, labels: [String], plan: ProtocolPlan,
                                  folds: [FoldResult], pooled: ClassificationMetrics, interval: BootstrapInterval,
                                  syntheticData: Bool, gateControl: String? = nil, corpora: [String]? = nil) -> RunMetrics {
        func headline(_ values: (FoldResult) -> Double) -> (mean: Double, std: Double) {
            let (mean, std) = meanAndStd(folds.map(values))
            return (ResultsFile.rounded(mean), ResultsFile.rounded(std))
        }
        let accuracy = headline(\.metrics.accuracy), uar = headline(\.metrics.uar), macroF1 = headline(\.metrics.macroF1)
        let repeated = folds.contains { $0.plan.repeatIndex > 0 }
        // Each fold's figure as its metrics.json holds it: a fold read back on resume (or by a Slurm finish job)
        // has only curve.csv's six decimals, and the mean must come out the same as in the run that trained it.
        let validation = folds.compactMap { validationUAR($0).map(ResultsFile.rounded) }
        return RunMetrics(
            name: name, corpus: corpus, model: model, labels: labels,
            protocol: .init(kind: plan.kind.rawValue, folds: plan.foldsPerRepeat,
                            repeats: repeated ? Set(folds.map(\.plan.repeatIndex)).count : nil, foldsHash: plan.foldsHash),
            speakerOverlap: plan.speakerOverlap, syntheticData: syntheticData, note: syntheticData ? RunMetrics.syntheticNote : nil,
            gateControl: gateControl,
            folds: folds.map { foldMetrics($0, labels: labels) },
            mean: .init(accuracy: accuracy.mean, uar: uar.mean, macroF1: macroF1.mean),
            validationUAR: validation.isEmpty ? nil : ResultsFile.rounded(validation.reduce(0, +) / Double(validation.count)),
            std: .init(accuracy: accuracy.std, uar: uar.std, macroF1: macroF1.std),
            pooled: .init(testCount: pooled.count, accuracy: ResultsFile.rounded(pooled.accuracy), uar: ResultsFile.rounded(pooled.uar),
                          macroF1: ResultsFile.rounded(pooled.macroF1), perClass: perClass(pooled, labels: labels)),
            confidence95: .init(accuracy: [interval.accuracy.lowerBound, interval.accuracy.upperBound].map(ResultsFile.rounded),
                                uar: [interval.uar.lowerBound, interval.uar.upperBound].map(ResultsFile.rounded),
                                method: "bootstrap over utterances, \(interval.resamples) resamples"),
            corpora: corpora, perCorpus: corpora.map { perCorpus(folds.flatMap(\.predictions), labels: labels, corpora: $0) })
    }

    /// metrics.csv: one row per fold plus mean, std and pooled rows.
    public static func metricsTable(folds: [FoldResult], pooled: ClassificationMetrics, labels: [String]) -> MetricsTable {
        func row(_ name: String, _ m: ClassificationMetrics) -> MetricsTable.Row {
            MetricsTable.Row(name: name, accuracy: m.accuracy, uar: m.uar, macroF1: m.macroF1, recalls: m.perClass.map(\.recall))
        }
        let columns = (0..<3 + labels.count).map { column -> (Double, Double) in
            meanAndStd(folds.map { fold in
                switch column {
                case 0: return fold.metrics.accuracy
                case 1: return fold.metrics.uar
                case 2: return fold.metrics.macroF1
                default: return fold.metrics.perClass[column - 3].recall
                }
            })
        }
        func summary(_ name: String, _ values: [Double]) -> MetricsTable.Row {
            MetricsTable.Row(name: name, accuracy: values[0], uar: values[1], macroF1: values[2], recalls: Array(values.dropFirst(3)))
        }
        return MetricsTable(labels: labels, rows: folds.map { row(String($0.plan.index), $0.metrics) }
                            + [summary("mean", columns.map(\.0)), summary("std", columns.map(\.1)), row("pooled", pooled)])
    }
}
