import Foundation
import SERCore

/// A confusion matrix: `counts[true][predicted]` over `labels` (rows = true label).
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public var labels: [String]
    public var counts: [[Int]]

    public init(labels: [String], counts: [[Int]]) {
        precondition(counts.count == labels.count && counts.allSatisfy { $0.count == labels.count },
                     "confusion counts must be \(labels.count)x\(labels.count), got \(counts.map(\.count))")
        self.labels = labels; self.counts = counts
    }

    /// Reads `confusion.csv`: first row `,<label>...` (predicted), then `<true label>,<count>...`.
    public init(contentsOf url: URL) throws {
        let table = try ReportError.readingCSV(url)
        let columnLabels = Array(table.header.dropFirst())
        let rowLabels = table.rows.map { $0[0] }
        guard rowLabels == columnLabels else {
            throw ReportError.badCSV(path: url.path, line: 1,
                                     problem: "expected the row labels to equal the column labels \(columnLabels), found \(rowLabels)")
        }
        var counts: [[Int]] = []
        for (rowIndex, row) in table.rows.enumerated() {
            var line: [Int] = []
            for (columnIndex, field) in row.dropFirst().enumerated() {
                guard let value = Int(field.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                    throw ReportError.badCSV(path: url.path, line: table.lines[rowIndex],
                                             problem: "expected a count in column '\(columnLabels[columnIndex])', found '\(field)'")
                }
                line.append(value)
            }
            counts.append(line)
        }
        self.init(labels: columnLabels, counts: counts)
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Each row divided by its sum (a row with no utterances stays all zero).
    public var rowNormalised: [[Double]] {
        counts.map { row in
            let sum = row.reduce(0, +)
            return row.map { sum == 0 ? 0 : Double($0) / Double(sum) }
        }
    }

    /// Recall of each class, the diagonal of the row-normalised matrix (nil for a class with no utterances).
    public var recalls: [Double?] {
        counts.indices.map { i in
            let sum = counts[i].reduce(0, +)
            return sum == 0 ? nil : Double(counts[i][i]) / Double(sum)
        }
    }

    /// Element-wise sum (pooling folds); labels must agree.
    public static func + (lhs: ConfusionMatrix, rhs: ConfusionMatrix) -> ConfusionMatrix {
        precondition(lhs.labels == rhs.labels, "adding confusion matrices over different labels: \(lhs.labels) vs \(rhs.labels)")
        return ConfusionMatrix(labels: lhs.labels, counts: zip(lhs.counts, rhs.counts).map { zip($0, $1).map(+) })
    }

    public func csv() -> String {
        var lines = [CSV.line([""] + labels)]
        for (label, row) in zip(labels, counts) { lines.append(CSV.line([label] + row.map(String.init))) }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One fold's training curve, `curve.csv`: `epoch,trainLoss,validationLoss,validationUAR,learningRate`.
public struct LearningCurve: Codable, Equatable, Sendable {
    public var epochs: [Int]
    public var trainLoss: [Double]
    public var validationLoss: [Double]
    public var validationUAR: [Double]
    public var learningRate: [Double]

    public init(epochs: [Int], trainLoss: [Double], validationLoss: [Double], validationUAR: [Double], learningRate: [Double]) {
        self.epochs = epochs; self.trainLoss = trainLoss; self.validationLoss = validationLoss
        self.validationUAR = validationUAR; self.learningRate = learningRate
    }

    public init(contentsOf url: URL) throws {
        let table = try ReportError.readingCSV(url)
        var values: [[Double]] = Array(repeating: [], count: 5)
        try ReportError.convertingCSV {
            let columns = try ["epoch", "trainLoss", "validationLoss", "validationUAR", "learningRate"].map(table.column)
            for row in table.rows.indices {
                for (slot, column) in columns.enumerated() { values[slot].append(try table.double(row: row, column: column)) }
            }
        }
        self.init(epochs: values[0].map { Int($0) }, trainLoss: values[1], validationLoss: values[2],
                  validationUAR: values[3], learningRate: values[4])
    }

    public static let header = "epoch,trainLoss,validationLoss,validationUAR,learningRate"

    public func csv() -> String {
        var lines = [LearningCurve.header]
        for i in epochs.indices {
            lines.append("\(epochs[i]),\(trainLoss[i]),\(validationLoss[i]),\(validationUAR[i]),\(learningRate[i])")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One row of `predictions.csv` (the class probabilities are not needed by the report and are skipped).
public struct Prediction: Codable, Equatable, Sendable {
    public var path: String
    public var fold: String
    public var speaker: String
    public var trueLabel: String
    public var predictedLabel: String

    public init(path: String, fold: String, speaker: String, trueLabel: String, predictedLabel: String) {
        self.path = path; self.fold = fold; self.speaker = speaker; self.trueLabel = trueLabel; self.predictedLabel = predictedLabel
    }

    public var isCorrect: Bool { trueLabel == predictedLabel }

    /// Reads `predictions.csv` (`path,fold,speaker,true,predicted,p_<label>...`).
    public static func read(_ url: URL) throws -> [Prediction] {
        let table = try ReportError.readingCSV(url)
        let (path, fold, speaker, trueColumn, predicted) = try ReportError.convertingCSV {
            (try table.column("path"), try table.column("fold"), try table.column("speaker"), try table.column("true"), try table.column("predicted"))
        }
        return table.rows.map { Prediction(path: $0[path], fold: $0[fold], speaker: $0[speaker], trueLabel: $0[trueColumn], predictedLabel: $0[predicted]) }
    }
}
