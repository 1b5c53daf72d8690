import Foundation
import SERCore
import SERResults

/// What `serlab predict --output` writes: one row per input, in input order, with its prediction or
/// the reason it failed. CSV columns `path,label,p_<label>...,duration,error` (probabilities with six
/// decimals as predictions.csv, duration in seconds with three; a failed row has empty label,
/// probabilities and duration and the error message); JSON: `{"labels": [...], "predictions": [{"path",
/// "label", "probabilities": {label: p}, "duration", "error"}]}` with the same values.
public struct PredictionTable: PredictionOutput, Sendable {
    public struct Row: Sendable {
        public var path: String
        public var prediction: Prediction?
        /// Why the input could not be predicted (the error's message, naming the file).
        public var error: String?

        public init(path: String, prediction: Prediction?, error: String?) {
            self.path = path
            self.prediction = prediction
            self.error = error
        }

        public init(path: String, result: Result<Prediction, any Error>) {
            switch result {
            case .success(let prediction): self.init(path: path, prediction: prediction, error: nil)
            case .failure(let error): self.init(path: path, prediction: nil, error: error.localizedDescription)
            }
        }
    }

    public var labels: [String]
    public var rows: [Row]

    public init(labels: [String], rows: [Row] = []) {
        self.labels = labels
        self.rows = rows
    }

    public var failureCount: Int { rows.filter { $0.error != nil }.count }

    public var csv: String {
        let header = ["path", "label"] + labels.map { "p_\($0)" } + ["duration", "error"]
        let lines = rows.map { row -> [String] in
            guard let prediction = row.prediction else {
                return [row.path, ""] + labels.map { _ in "" } + ["", row.error ?? ""]
            }
            return [row.path, prediction.label] + prediction.probabilities.map(ResultsFile.decimal)
                + [Self.seconds(prediction.duration), row.error ?? ""]
        }
        return ([header] + lines).map(CSV.line).joined(separator: "\n") + "\n"
    }

    public var json: JSONValue {
        let predictions = rows.map { row -> JSONValue in
            var pairs: [(key: String, value: JSONValue)] = [("path", .string(row.path))]
            if let prediction = row.prediction {
                pairs.append(("label", .string(prediction.label)))
                pairs.append(("probabilities", Self.probabilities(labels, prediction.probabilities)))
                pairs.append(("duration", .number((prediction.duration * 1000).rounded() / 1000)))
            } else {
                pairs += [("label", .null), ("probabilities", .null), ("duration", .null)]
            }
            pairs.append(("error", row.error.map(JSONValue.string) ?? .null))
            return .object(pairs)
        }
        return .object([("labels", .array(labels.map(JSONValue.string))), ("predictions", .array(predictions))])
    }

}

/// What `serlab predict --output` writes, per file (`PredictionTable`) or per segment (`TimelineTable`):
/// the shared conventions and the writer, once.
public protocol PredictionOutput {
    var csv: String { get }
    var json: JSONValue { get }
}

extension PredictionOutput {
    /// Writes CSV, or JSON when `url` ends in `.json`.
    public func write(to url: URL) throws {
        let text = url.pathExtension.lowercased() == "json" ? json.prettyPrinted() + "\n" : csv
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    /// Seconds as the CSV prints them (three decimals).
    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
    /// The value the CSV prints, as a number (the same rounding in both tables).
    static func milliseconds(_ value: Double) -> Double { Double(seconds(value)) ?? value }
    /// `{label: p}` with predictions.csv's six decimals.
    static func probabilities(_ labels: [String], _ values: [Double]) -> JSONValue {
        .object(zip(labels, values).map { ($0, .number(ResultsFile.rounded($1))) })
    }
}
