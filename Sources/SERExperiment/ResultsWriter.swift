import Foundation
import SERCore

/// Writes and reads the files of docs/results.md.
public enum ResultsWriter {
    // MARK: Per fold

    /// Writes a fold's files, then its `done` marker. Each file is atomic; the marker makes the set atomic.
    public static func writeFold(_ result: FoldResult, labels: [String], in run: RunDirectory) throws {
        let folder = "folds/fold-\(result.plan.index)/"
        try run.write(foldMetricsJSON(result, labels: labels).prettyPrinted() + "\n", to: folder + "metrics.json")
        try run.write(confusionCSV(result.metrics.confusion, labels: labels), to: folder + "confusion.csv")
        var curve = "epoch,trainLoss,validationLoss,validationUAR,learningRate\n"
        for record in result.curve {
            curve += "\(record.epoch),\(number(record.trainLoss)),\(number(record.validationLoss)),\(number(record.validationUAR)),\(number(record.learningRate))\n"
        }
        try run.write(curve, to: folder + "curve.csv")
        try run.write(predictionsCSV(result.predictions, labels: labels), to: folder + "predictions.csv")
        try run.write("\(result.seconds)\n", to: folder + "seconds")
        try run.write("done\n", to: folder + "done")
    }

    /// Reads back a finished fold (for resume): predictions and curve are the source of truth.
    public static func readFold(_ plan: FoldPlan, labels: [String], in run: RunDirectory) throws -> FoldResult {
        let folder = run.foldURL(plan.index)
        func text(_ name: String) throws -> String {
            do { return try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) } catch {
                throw ResultsError.corruptFold(path: folder.appendingPathComponent(name).path, reason: "missing or unreadable")
            }
        }
        let rows = CSV.parse(try text("predictions.csv"))
        guard let header = rows.first, header.count == 5 + labels.count else {
            throw ResultsError.corruptFold(path: folder.path, reason: "predictions.csv header does not match labels \(labels)")
        }
        var predictions: [PredictionRow] = []
        for row in rows.dropFirst() where row.count == header.count {
            predictions.append(PredictionRow(path: row[0], fold: Int(row[1]) ?? plan.index, speaker: row[2], trueLabel: row[3],
                                             predictedLabel: row[4], probabilities: row[5...].map { Double($0) ?? 0 }))
        }
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let truth = predictions.compactMap { index[$0.trueLabel] }
        let predicted = predictions.compactMap { index[$0.predictedLabel] }
        guard truth.count == predictions.count, predicted.count == predictions.count, predictions.count == plan.test.count else {
            throw ResultsError.corruptFold(path: folder.path, reason: "predictions do not match the planned test fold of \(plan.test.count) utterances")
        }
        let metricsTree = try JSONParser.parse(try text("metrics.json"), source: folder.appendingPathComponent("metrics.json").path)
        guard case .integer(let epochKept)? = metricsTree["epochKept"] else {
            throw ResultsError.corruptFold(path: folder.path, reason: "metrics.json has no epochKept")
        }
        var curve: [TrainingEpoch] = []
        for row in CSV.parse(try text("curve.csv")).dropFirst() where row.count == 5 {
            let values = row.map { Double($0) ?? .nan }
            curve.append(TrainingEpoch(epoch: Int(values[0]), trainLoss: values[1], validationLoss: values[2], validationUAR: values[3], learningRate: values[4]))
        }
        let seconds = Double((try? text("seconds"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        let speakers = Set(predictions.map(\.speaker)).sorted()
        return FoldResult(plan: plan, metrics: ClassificationMetrics(truth: truth, predicted: predicted, labels: labels),
                          epochKept: epochKept, curve: curve, predictions: predictions, testSpeakers: speakers, seconds: seconds)
    }

    static func foldMetricsJSON(_ result: FoldResult, labels: [String]) -> JSONValue {
        var pairs = metricPairs(result.metrics, labels: labels, includePerClass: true)
        pairs.insert(("fold", .integer(result.plan.index)), at: 0)
        pairs.insert(("repeat", .integer(result.plan.repeatIndex)), at: 1)
        pairs.insert(("seed", .integer(result.plan.seed)), at: 2)
        pairs.insert(("trainCount", .integer(result.plan.train.count)), at: 3)
        pairs.insert(("validationCount", .integer(result.plan.validation.count)), at: 4)
        pairs.insert(("validationKind", .string(result.plan.validationKind)), at: 5)
        pairs.insert(("testCount", .integer(result.plan.test.count)), at: 6)
        pairs.insert(("testSpeakers", .array(result.testSpeakers.map { .string($0) })), at: 7)
        pairs.append(("epochKept", .integer(result.epochKept)))
        return .object(pairs)
    }

    static func metricPairs(_ metrics: ClassificationMetrics, labels: [String], includePerClass: Bool) -> [(key: String, value: JSONValue)] {
        var pairs: [(key: String, value: JSONValue)] = [
            ("accuracy", .number(round6(metrics.accuracy))),
            ("uar", .number(round6(metrics.uar))),
            ("macroF1", .number(round6(metrics.macroF1))),
        ]
        if includePerClass {
            pairs.append(("perClass", .object(zip(labels, metrics.perClass).map { label, value in
                (label, .object([
                    ("precision", .number(round6(value.precision))), ("recall", .number(round6(value.recall))),
                    ("f1", .number(round6(value.f1))), ("support", .integer(value.support)),
                ]))
            })))
        }
        return pairs
    }

    // MARK: Per run

    /// The run's metrics.json: deterministic for a config, seed and thread count (no times, no dates).
    public static func runMetricsJSON(name: String, corpus: String, model: String, labels: [String], plan: ProtocolPlan,
                                      folds: [FoldResult], pooled: ClassificationMetrics, interval: BootstrapInterval,
                                      syntheticData: Bool) -> JSONValue {
        let accuracies = folds.map(\.metrics.accuracy), uars = folds.map(\.metrics.uar), f1s = folds.map(\.metrics.macroF1)
        let (meanAccuracy, stdAccuracy) = meanAndStd(accuracies)
        let (meanUAR, stdUAR) = meanAndStd(uars)
        let (meanF1, stdF1) = meanAndStd(f1s)
        var protocolPairs: [(key: String, value: JSONValue)] = [
            ("kind", .string(plan.kind.rawValue)), ("folds", .integer(plan.foldsPerRepeat)),
        ]
        if folds.contains(where: { $0.plan.repeatIndex > 0 }) {
            protocolPairs.append(("repeats", .integer(Set(folds.map(\.plan.repeatIndex)).count)))
        }
        protocolPairs.append(("foldsHash", .string(plan.foldsHash)))
        var pairs: [(key: String, value: JSONValue)] = [
            ("name", .string(name)), ("corpus", .string(corpus)), ("model", .string(model)),
            ("labels", .array(labels.map { .string($0) })),
            ("protocol", .object(protocolPairs)),
            ("speakerOverlap", .bool(plan.speakerOverlap)),
            ("syntheticData", .bool(syntheticData)),
        ]
        if syntheticData {
            pairs.append(("note", .string("SYNTHETIC DATA: generated by serlab for the quickstart; these numbers say nothing about real speech")))
        }
        pairs.append(("folds", .array(folds.map { foldMetricsJSON($0, labels: labels) })))
        pairs.append(("mean", .object([("accuracy", .number(round6(meanAccuracy))), ("uar", .number(round6(meanUAR))), ("macroF1", .number(round6(meanF1)))])))
        pairs.append(("std", .object([("accuracy", .number(round6(stdAccuracy))), ("uar", .number(round6(stdUAR))), ("macroF1", .number(round6(stdF1)))])))
        var pooledPairs = metricPairs(pooled, labels: labels, includePerClass: true)
        pooledPairs.insert(("testCount", .integer(pooled.count)), at: 0)
        pairs.append(("pooled", .object(pooledPairs)))
        pairs.append(("confidence95", .object([
            ("accuracy", .array([.number(round6(interval.accuracy.lowerBound)), .number(round6(interval.accuracy.upperBound))])),
            ("uar", .array([.number(round6(interval.uar.lowerBound)), .number(round6(interval.uar.upperBound))])),
            ("method", .string("bootstrap over utterances, \(interval.resamples) resamples")),
        ])))
        return .object(pairs)
    }

    /// One row per fold plus mean, std and pooled rows.
    public static func metricsCSV(folds: [FoldResult], pooled: ClassificationMetrics, labels: [String]) -> String {
        var lines = [CSV.line(["fold", "accuracy", "uar", "macroF1"] + labels.map { "recall_\($0)" })]
        func row(_ name: String, _ m: ClassificationMetrics) -> String {
            CSV.line([name, number(m.accuracy), number(m.uar), number(m.macroF1)] + m.perClass.map { number($0.recall) })
        }
        for fold in folds { lines.append(row(String(fold.plan.index), fold.metrics)) }
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
        lines.append(CSV.line(["mean"] + columns.map { number($0.0) }))
        lines.append(CSV.line(["std"] + columns.map { number($0.1) }))
        lines.append(row("pooled", pooled))
        return lines.joined(separator: "\n") + "\n"
    }

    public static func confusionCSV(_ confusion: [[Int]], labels: [String]) -> String {
        var lines = [CSV.line(["true\\predicted"] + labels)]
        for (label, row) in zip(labels, confusion) { lines.append(CSV.line([label] + row.map(String.init))) }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func predictionsCSV(_ rows: [PredictionRow], labels: [String]) -> String {
        var lines = [CSV.line(["path", "fold", "speaker", "true", "predicted"] + labels.map { "p_\($0)" })]
        for row in rows {
            lines.append(CSV.line([row.path, String(row.fold), row.speaker, row.trueLabel, row.predictedLabel]
                                  + row.probabilities.map { String(format: "%.6f", $0) }))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Six decimals: enough for any table, and stable against the last-bit noise of summation order.
    static func round6(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "nan" }
        return String(format: "%.6f", value)
    }
}
