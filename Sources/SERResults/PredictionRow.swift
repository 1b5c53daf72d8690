import Foundation

/// One test utterance's outcome, a row of `predictions.csv`:
/// `path,fold,speaker,true,predicted,p_<label>...`; a multi-corpus run adds `corpus` after `speaker`
/// (single-corpus files keep the old columns, byte for byte).
public struct PredictionRow: Codable, Equatable, Sendable {
    public var path: String
    public var fold: Int
    public var speaker: String
    /// The utterance's corpus in a multi-corpus run (its namespace, e.g. "savee"); nil otherwise.
    public var corpus: String?
    public var trueLabel: String
    public var predictedLabel: String
    /// Class probabilities in label order, rounded to 6 decimals as written.
    public var probabilities: [Double]

    public init(path: String, fold: Int, speaker: String, corpus: String? = nil, trueLabel: String, predictedLabel: String, probabilities: [Double]) {
        self.path = path; self.fold = fold; self.speaker = speaker; self.corpus = corpus; self.trueLabel = trueLabel
        self.predictedLabel = predictedLabel; self.probabilities = probabilities
    }

    public var isCorrect: Bool { trueLabel == predictedLabel }

    static let leadingColumns = ["path", "fold", "speaker", "true", "predicted"]
    static let corpusLeadingColumns = ["path", "fold", "speaker", "corpus", "true", "predicted"]

    /// The file's text: the header, then one row per prediction. The `corpus` column is written when
    /// any row has a corpus.
    public static func csv(_ rows: [PredictionRow], labels: [String]) -> String {
        let withCorpus = rows.contains { $0.corpus != nil }
        return ResultsTable.text([(withCorpus ? corpusLeadingColumns : leadingColumns) + labels.map { "p_\($0)" }] + rows.map { row in
            [row.path, String(row.fold), row.speaker] + (withCorpus ? [row.corpus ?? ""] : [])
                + [row.trueLabel, row.predictedLabel] + row.probabilities.map { String(format: "%.6f", $0) }
        })
    }

    /// Reads `predictions.csv` (with or without the `corpus` column): the labels (from the `p_<label>` columns) and the rows.
    public static func read(_ url: URL) throws(ResultsFileError) -> (labels: [String], rows: [PredictionRow]) {
        let table = try ResultsTable(contentsOf: url)
        let withCorpus = table.header.count > 3 && table.header[3] == "corpus"
        let leading = withCorpus ? corpusLeadingColumns : leadingColumns
        guard Array(table.header.prefix(leading.count)) == leading,
              table.header.dropFirst(leading.count).allSatisfy({ $0.hasPrefix("p_") }) else {
            throw .badCSV(path: url.path, line: 1, problem: "expected the columns \((leadingColumns + ["p_<label>..."]).joined(separator: ",")) (corpus after speaker in multi-corpus runs), found \(table.header.joined(separator: ","))")
        }
        let labels = table.header.dropFirst(leading.count).map { String($0.dropFirst(2)) }
        let shift = withCorpus ? 1 : 0
        var rows: [PredictionRow] = []
        for (index, fields) in table.rows.enumerated() {
            var probabilities: [Double] = []
            for column in leading.count..<fields.count { probabilities.append(try table.double(row: index, column: column)) }
            rows.append(PredictionRow(path: fields[0], fold: try table.integer(row: index, column: 1), speaker: fields[2],
                                      corpus: withCorpus ? fields[3] : nil, trueLabel: fields[3 + shift],
                                      predictedLabel: fields[4 + shift], probabilities: probabilities))
        }
        return (labels, rows)
    }
}
