import Foundation
import SERCore

/// A results file that cannot be read: names the file and the JSON path or CSV line, what was
/// expected and what was found. SERReport turns it into its own `ReportError` one to one.
public enum ResultsFileError: LocalizedError, Equatable {
    case missingFile(path: String, expected: String)
    case unreadableJSON(path: String, jsonPath: String, problem: String)
    case badCSV(path: String, line: Int, problem: String)

    public var errorDescription: String? {
        switch self {
        case let .missingFile(path, expected):
            return "\(path): file not found (expected \(expected))"
        case let .unreadableJSON(path, jsonPath, problem):
            return "\(path): at \(jsonPath.isEmpty ? "the top level" : jsonPath): \(problem)"
        case let .badCSV(path, line, problem):
            return "\(path):\(line): \(problem)"
        }
    }

    /// SERCore's CSV errors with the same text; a file that cannot be read is a missing one.
    public init(_ error: CSVError) {
        switch error {
        case let .unreadable(path, _): self = .missingFile(path: path, expected: "a UTF-8 CSV file")
        case let .malformed(path, line, problem): self = .badCSV(path: path, line: line, problem: problem)
        }
    }

    /// A DecodingError turned into a message naming the file and the JSON path.
    public static func from(_ error: Error, path: String) -> ResultsFileError {
        guard let decoding = error as? DecodingError else {
            return .unreadableJSON(path: path, jsonPath: "", problem: "not valid JSON (\(error.localizedDescription))")
        }
        func render(_ codingPath: [CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch decoding {
        case let .keyNotFound(key, context):
            return .unreadableJSON(path: path, jsonPath: render(context.codingPath), problem: "expected key '\(key.stringValue)', found none")
        case let .typeMismatch(type, context):
            return .unreadableJSON(path: path, jsonPath: render(context.codingPath), problem: "expected \(type), found something else (\(context.debugDescription))")
        case let .valueNotFound(type, context):
            return .unreadableJSON(path: path, jsonPath: render(context.codingPath), problem: "expected \(type), found null")
        case let .dataCorrupted(context):
            return .unreadableJSON(path: path, jsonPath: render(context.codingPath), problem: "not valid JSON: \(context.debugDescription)")
        @unknown default:
            return .unreadableJSON(path: path, jsonPath: "", problem: "\(decoding)")
        }
    }
}

/// How the results files are written and read: the JSON layouts and the number format every
/// file shares.
public enum ResultsFile {
    /// The runner's JSON files (metrics.json, environment.json, timings.json): keys in the order
    /// the type declares them, two-space indent, trailing newline. The same value gives the same bytes.
    public static func jsonText<T: Encodable>(_ value: T) throws -> String {
        try JSONValueEncoder().encode(value).prettyPrinted() + "\n"
    }

    /// JSONEncoder's pretty layout with sorted keys and a trailing newline (corpusOverview.json, baselines).
    public static func sortedJSONData<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Decodes a JSON file; errors name the file and the JSON path.
    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws(ResultsFileError) -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .missingFile(path: url.path, expected: "a JSON file")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch { throw ResultsFileError.from(error, path: url.path) }
    }

    /// The text of a UTF-8 file, or `missingFile` naming what was expected.
    public static func text(of url: URL, expected: String) throws(ResultsFileError) -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw .missingFile(path: url.path, expected: expected) }
        return text
    }

    /// Six decimals: enough for any table, and stable against the last-bit noise of summation order.
    public static func rounded(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }

    /// A CSV number: six decimals, `nan` for anything not finite.
    public static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "nan" }
        return String(format: "%.6f", value)
    }
}

/// A CSV results file as a header and rows of strings: SERCore's `CSVTable` (every row as long as the
/// header, errors naming the line each row starts on), with errors as `ResultsFileError`.
public struct ResultsTable: Sendable {
    var table: CSVTable

    public var header: [String] { table.header }
    public var rows: [[String]] { table.rows }
    /// Where it was read from, for error messages.
    public var path: String { table.path }

    public init(contentsOf url: URL) throws(ResultsFileError) {
        try self.init(text: ResultsFile.text(of: url, expected: "a UTF-8 CSV file"), path: url.path)
    }

    public init(text: String, path: String) throws(ResultsFileError) {
        do { table = try CSVTable(text: text, path: path) } catch { throw ResultsFileError(error) }
    }

    /// The 1-based line `rows[row]` starts on, for error messages.
    public func line(ofRow row: Int) -> Int { table.lines[row] }

    /// Column index of `name`, or an error naming the file and the columns it has.
    public func column(_ name: String) throws(ResultsFileError) -> Int {
        do { return try table.column(name) } catch { throw ResultsFileError(error) }
    }

    /// The field as a Double (`nan` and empty read as NaN), or an error naming line and column.
    public func double(row: Int, column: Int) throws(ResultsFileError) -> Double {
        do { return try table.double(row: row, column: column) } catch { throw ResultsFileError(error) }
    }

    /// The field as an Int, or an error naming line and column.
    public func integer(row: Int, column: Int) throws(ResultsFileError) -> Int {
        let text = rows[row][column].trimmingCharacters(in: .whitespaces)
        guard let value = Int(text) else {
            throw .badCSV(path: path, line: line(ofRow: row), problem: "expected an integer in column '\(header[column])', found '\(text)'")
        }
        return value
    }

    /// Lines joined with "\n" and a trailing newline, each of escaped fields.
    static func text(_ lines: [[String]]) -> String {
        lines.map(CSV.line).joined(separator: "\n") + "\n"
    }
}

/// A JSON object whose keys keep the order they were written in (per-class metrics in label
/// order, library versions). Two objects with the same keys and values are equal whatever the order,
/// as with `JSONValue`; decoding keeps the order the decoder gives.
public struct OrderedObject<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var entries: [(key: String, value: Value)]

    public init(_ entries: [(key: String, value: Value)]) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, Value)...) { entries = elements.map { ($0.0, $0.1) } }

    public subscript(key: String) -> Value? { entries.first { $0.key == key }?.value }
    public var keys: [String] { entries.map(\.key) }

    public static func == (lhs: OrderedObject, rhs: OrderedObject) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    struct EntryKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: EntryKey.self)
        entries = try container.allKeys.map { ($0.stringValue, try container.decode(Value.self, forKey: $0)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: EntryKey.self)
        for (key, value) in entries { try container.encode(value, forKey: EntryKey(stringValue: key)) }
    }
}
