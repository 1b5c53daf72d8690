import Foundation

/// serlab's one CSV reader and writer (RFC 4180): corpus manifests, folds files, results and reports.
///
/// Reading: a UTF-8 byte-order mark is dropped; a field that starts with `"` is quoted and may hold
/// commas, newlines and `""` (one quote); a `"` inside an unquoted field is an ordinary character;
/// records end at LF, CRLF or a lone CR (as Python's csv module reads them); blank lines are skipped.
/// Each record keeps the 1-based line it starts on (newlines inside quotes count), for error messages.
/// Writing: `escape` quotes a field holding a comma, quote, CR or LF; lines end with LF.
public enum CSV {
    /// One record and the line it starts on.
    public struct Record: Equatable, Sendable {
        public var line: Int
        public var fields: [String]
    }

    /// Every record of `text`; a quote still open at the end is an error naming the line its record starts on.
    public static func records(_ text: String, path: String) throws(CSVError) -> [Record] {
        let (records, unterminatedLine) = scan(text)
        if let line = unterminatedLine {
            throw .malformed(path: path, line: line, problem: "expected a closing quote, found the end of the file")
        }
        return records
    }

    /// Every record's fields, leniently: a quote still open at the end closes there. For files serlab
    /// wrote itself; read other files with `records(_:path:)` or `CSVTable`, which report bad quoting.
    public static func parse(_ text: String) -> [[String]] { scan(text).records.map(\.fields) }

    /// The scanner behind both: records, and the line of a quoted field left open at the end (if any).
    private static func scan(_ text: String) -> (records: [Record], unterminatedLine: Int?) {
        var records: [Record] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        if next == "\u{FEFF}" { next = scalars.next() }
        func endRecord() {
            record.append(field)
            field = ""
            if !(record.count == 1 && record[0].isEmpty) { records.append(Record(line: recordLine, fields: record)) }
            record = []
        }
        while let scalar = next {
            next = scalars.next()
            if quoted {
                if scalar == "\"" {
                    if next == "\"" { field.unicodeScalars.append("\""); next = scalars.next() } else { quoted = false }
                } else {
                    if scalar == "\n" || (scalar == "\r" && next != "\n") { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",": record.append(field); field = ""
            case "\r" where next == "\n": continue
            case "\r", "\n": endRecord(); line += 1; recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        let unterminated = quoted ? recordLine : nil
        if quoted || !field.isEmpty || !record.isEmpty { endRecord() }
        return (records, unterminated)
    }

    /// One CSV field, quoted when it holds a comma, quote, carriage return or newline. Checked by
    /// scalar: Swift reads "\r\n" as one Character, equal to neither "\r" nor "\n".
    public static func escape(_ field: String) -> String {
        if field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }

    /// One CSV line of escaped fields (no line end).
    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") }
}

/// A CSV file that could not be read, or whose text is not the CSV expected. The message names the
/// file and line: `path:line: problem`.
public enum CSVError: LocalizedError, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case malformed(path: String, line: Int, problem: String)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(path, reason): return "\(path): \(reason)"
        case let .malformed(path, line, problem): return "\(path):\(line): \(problem)"
        }
    }
}

/// A CSV file as a header and rows of strings, every row as long as the header.
public struct CSVTable: Equatable, Sendable {
    /// Column names, with surrounding spaces trimmed.
    public var header: [String]
    public var rows: [[String]]
    /// The 1-based line each row starts on (`lines[i]` for `rows[i]`).
    public var lines: [Int]
    /// Where it was read from (or will be written to), for error messages.
    public var path: String

    /// A table to write; rows are numbered 2, 3, ... (as `text` writes them when no field holds a newline).
    public init(header: [String], rows: [[String]], path: String) {
        self.header = header
        self.rows = rows
        self.lines = rows.indices.map { $0 + 2 }
        self.path = path
    }

    /// Reads and parses `url` (UTF-8).
    public init(contentsOf url: URL) throws(CSVError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(path: url.path, reason: FileManager.default.fileExists(atPath: url.path)
                              ? "expected a UTF-8 CSV file, found one that cannot be read as UTF-8 text"
                              : "expected a UTF-8 CSV file, found no file")
        }
        try self.init(text: text, path: url.path)
    }

    /// Parses `text`: the first record is the header, every later one must have as many fields.
    public init(text: String, path: String) throws(CSVError) {
        let records = try CSV.records(text, path: path)
        guard let first = records.first else {
            throw .malformed(path: path, line: 1, problem: "expected a header row, found an empty file")
        }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        self.path = path
        for record in records.dropFirst() where record.fields.count != header.count {
            throw .malformed(path: path, line: record.line,
                             problem: "expected \(header.count) fields like the header (\(header.joined(separator: ","))), found \(record.fields.count)")
        }
        rows = records.dropFirst().map(\.fields)
        lines = records.dropFirst().map(\.line)
    }

    /// Index of the column `name`, or an error listing the columns there are.
    public func column(_ name: String) throws(CSVError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw .malformed(path: path, line: 1, problem: "expected a column '\(name)', found columns \(header.joined(separator: ","))")
        }
        return index
    }

    /// The field as a Double (empty or "nan" is NaN), or an error naming the line and column.
    public func double(row: Int, column: Int) throws(CSVError) -> Double {
        let text = rows[row][column].trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.lowercased() == "nan" { return .nan }
        guard let value = Double(text) else {
            throw .malformed(path: path, line: lines[row], problem: "expected a number in column '\(header[column])', found '\(text)'")
        }
        return value
    }

    /// The table as CSV text: escaped header and rows, each line ending in LF.
    public var text: String {
        ([header] + rows).map { CSV.line($0) + "\n" }.joined()
    }

    /// Writes `text` to `url` atomically.
    public func write(to url: URL) throws {
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
