import Foundation

/// `metrics.csv`: one row per fold, then `mean`, `std` and `pooled` rows:
/// `fold,accuracy,uar,macroF1,recall_<label>...`, values with six decimals.
public struct MetricsTable: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        /// The fold number, or "mean", "std", "pooled".
        public var name: String
        public var accuracy: Double
        public var uar: Double
        public var macroF1: Double
        /// Per label, in label order.
        public var recalls: [Double]

        public init(name: String, accuracy: Double, uar: Double, macroF1: Double, recalls: [Double]) {
            self.name = name; self.accuracy = accuracy; self.uar = uar; self.macroF1 = macroF1; self.recalls = recalls
        }

        var values: [Double] { [accuracy, uar, macroF1] + recalls }
    }

    public var labels: [String]
    public var rows: [Row]

    public init(labels: [String], rows: [Row]) {
        precondition(rows.allSatisfy { $0.recalls.count == labels.count }, "metrics table rows need one recall per label \(labels)")
        self.labels = labels; self.rows = rows
    }

    public func csv() -> String {
        ResultsTable.text([["fold", "accuracy", "uar", "macroF1"] + labels.map { "recall_\($0)" }]
                          + rows.map { [$0.name] + $0.values.map(ResultsFile.decimal) })
    }

    public init(contentsOf url: URL) throws(ResultsFileError) {
        let table = try ResultsTable(contentsOf: url)
        guard Array(table.header.prefix(4)) == ["fold", "accuracy", "uar", "macroF1"],
              table.header.dropFirst(4).allSatisfy({ $0.hasPrefix("recall_") }) else {
            throw .badCSV(path: url.path, line: 1, problem: "expected the columns fold,accuracy,uar,macroF1,recall_<label>..., found \(table.header.joined(separator: ","))")
        }
        var rows: [Row] = []
        for (index, fields) in table.rows.enumerated() {
            var values: [Double] = []
            for column in 1..<fields.count { values.append(try table.double(row: index, column: column)) }
            rows.append(Row(name: fields[0], accuracy: values[0], uar: values[1], macroF1: values[2], recalls: Array(values.dropFirst(3))))
        }
        self.init(labels: table.header.dropFirst(4).map { String($0.dropFirst(7)) }, rows: rows)
    }
}
