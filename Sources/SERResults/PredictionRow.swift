import Foundation

/// One test utterance's outcome, a row of `predictions.csv`:
/// `path,fold,speaker,true,predicted,p_<label>...`.
public struct PredictionRow: Codable, Equatable, Sendable {
    public var path: String
    public var fold: Int
    public var speaker: String
    public var trueLabel: String
    public var predictedLabel: String
    /// Class probabilities in label order, rounded to 6 decimals as written.
    public var probabilities: [Double]

    public init(path: String, fold: Int, speaker: String, trueLabel: String, predictedLabel: String, probabilities: [Double]) {
        self.path = path; self.fold = fold; self.speaker = speaker; self.trueLabel = trueLabel
        self.predictedLabel = predictedLabel; self.probabilities = probabilities
    }

    public var isCorrect: Bool { trueLabel == predictedLabel }

    static let leadingColumns = ["path", "fold", "speaker", "true", "predicted"]

    /// The file's text: the header, then one row per prediction.
    public static func csv(_ rows: [PredictionRow], labels: [String]) -> String {
        ResultsTable.text([leadingColumns + labels.map { "p_\($0)" }] + rows.map { row in
            [row.path, String(row.fold), row.speaker, row.trueLabel, row.predictedLabel] + row.probabilities.map { String(format: "%.6f", $0) }
        })
    }

    /// Reads `predictions.csv`: the labels (from the `p_<label>` columns) and the rows.
    public static func read(_ url: URL) throws(ResultsFileError) -> (labels: [String], rows: [PredictionRow]) {
        let table = try ResultsTable(contentsOf: url)
        guard Array(table.header.prefix(leadingColumns.count)) == leadingColumns,
              table.header.dropFirst(leadingColumns.count).allSatisfy({ $0.hasPrefix("p_") }) else {
            throw .badCSV(path: url.path, line: 1, problem: "expected the columns \((leadingColumns + ["p_<label>..."]).joined(separator: ",")), found \(table.header.joined(separator: ","))")
        }
        let labels = table.header.dropFirst(leadingColumns.count).map { String($0.dropFirst(2)) }
        var rows: [PredictionRow] = []
        for (index, fields) in table.rows.enumerated() {
            var probabilities: [Double] = []
            for column in leadingColumns.count..<fields.count { probabilities.append(try table.double(row: index, column: column)) }
            rows.append(PredictionRow(path: fields[0], fold: try table.integer(row: index, column: 1), speaker: fields[2], trueLabel: fields[3],
                                      predictedLabel: fields[4], probabilities: probabilities))
        }
        return (labels, rows)
    }
}
