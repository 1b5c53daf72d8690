import Foundation
import SERCore

/// A CSV file as a header and rows of strings (RFC 4180: quoted fields may hold commas, quotes as "").
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Where it was read from, for error messages.
    public var path: String

    public init(header: [String], rows: [[String]], path: String) {
        self.header = header; self.rows = rows; self.path = path
    }

    /// Reads and parses `url`; every row must have as many fields as the header.
    public init(contentsOf url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ReportError.missingFile(path: url.path, expected: "a UTF-8 CSV file")
        }
        try self.init(text: text, path: url.path)
    }

    public init(text: String, path: String) throws {
        let records = CSV.parse(text)
        guard let first = records.first else { throw ReportError.badCSV(path: path, line: 1, problem: "expected a header row, found an empty file") }
        header = first
        rows = []
        self.path = path
        for (index, record) in records.dropFirst().enumerated() {
            if record.count == 1 && record[0].isEmpty { continue }
            guard record.count == header.count else {
                throw ReportError.badCSV(path: path, line: index + 2, problem: "expected \(header.count) fields like the header, found \(record.count)")
            }
            rows.append(record)
        }
    }

    /// Column index of `name`, or an error naming the file and the columns it has.
    public func column(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw ReportError.badCSV(path: path, line: 1, problem: "expected a column '\(name)', found columns \(header.joined(separator: ","))")
        }
        return index
    }

    /// The field as a Double, or an error naming line and column.
    public func double(row: Int, column: Int) throws -> Double {
        let text = rows[row][column].trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.lowercased() == "nan" { return .nan }
        guard let value = Double(text) else {
            throw ReportError.badCSV(path: path, line: row + 2, problem: "expected a number in column '\(header[column])', found '\(text)'")
        }
        return value
    }

    /// One CSV field, quoted when it holds a comma, quote, carriage return or newline (SERCore's `CSV.escape`).
    public static func escape(_ field: String) -> String { CSV.escape(field) }
}
