import Foundation

/// A confusion matrix, `confusion.csv`: `counts[true][predicted]` over `labels` (rows = true label).
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public var labels: [String]
    public var counts: [[Int]]

    public init(labels: [String], counts: [[Int]]) {
        precondition(counts.count == labels.count && counts.allSatisfy { $0.count == labels.count },
                     "confusion counts must be \(labels.count)x\(labels.count), got \(counts.map(\.count))")
        self.labels = labels; self.counts = counts
    }

    /// The first header cell: the row labels are the true labels, the columns the predicted ones.
    public static let corner = "true\\predicted"

    /// Reads `confusion.csv`: first row `true\predicted,<label>...` (predicted), then `<true label>,<count>...`.
    public init(contentsOf url: URL) throws(ResultsFileError) {
        let table = try ResultsTable(contentsOf: url)
        let columnLabels = Array(table.header.dropFirst())
        let rowLabels = table.rows.map { $0[0] }
        guard rowLabels == columnLabels else {
            throw .badCSV(path: url.path, line: 1, problem: "expected the row labels to equal the column labels \(columnLabels), found \(rowLabels)")
        }
        var counts: [[Int]] = []
        for (rowIndex, row) in table.rows.enumerated() {
            var line: [Int] = []
            for (columnIndex, field) in row.dropFirst().enumerated() {
                guard let value = Int(field.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                    throw .badCSV(path: url.path, line: table.line(ofRow: rowIndex), problem: "expected a count in column '\(columnLabels[columnIndex])', found '\(field)'")
                }
                line.append(value)
            }
            counts.append(line)
        }
        self.init(labels: columnLabels, counts: counts)
    }

    /// The file's text.
    public func csv() -> String {
        ResultsTable.text([[Self.corner] + labels] + zip(labels, counts).map { [$0] + $1.map(String.init) })
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

    /// Precision, recall, F1 and support of each class, in label order, as the runner computes them
    /// for metrics.json: precision = diagonal / column sum, recall = diagonal / row sum, F1 their
    /// harmonic mean; 0 where a denominator is 0 (a class never predicted, or never present).
    public var classMetrics: [RunMetrics.ClassMetrics] {
        counts.indices.map { i in
            let support = counts[i].reduce(0, +)
            let predicted = counts.reduce(0) { $0 + $1[i] }
            let hits = Double(counts[i][i])
            let precision = predicted > 0 ? hits / Double(predicted) : 0
            let recall = support > 0 ? hits / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return RunMetrics.ClassMetrics(precision: precision, recall: recall, f1: f1, support: support)
        }
    }

    /// Element-wise sum (pooling folds); labels must agree.
    public static func + (lhs: ConfusionMatrix, rhs: ConfusionMatrix) -> ConfusionMatrix {
        precondition(lhs.labels == rhs.labels, "adding confusion matrices over different labels: \(lhs.labels) vs \(rhs.labels)")
        return ConfusionMatrix(labels: lhs.labels, counts: zip(lhs.counts, rhs.counts).map { zip($0, $1).map(+) })
    }
}
