import Foundation
import SERCore
import SERResults

/// A CSV file as a header and rows of strings (RFC 4180: quoted fields may hold commas, quotes as ""):
/// SERResults' `ResultsTable`, with errors as `ReportError`.
public struct CSVTable: Sendable {
    var table: ResultsTable

    public var header: [String] { table.header }
    public var rows: [[String]] { table.rows }
    /// Where it was read from, for error messages.
    public var path: String { table.path }

    /// Reads and parses `url`; every row must have as many fields as the header.
    public init(contentsOf url: URL) throws {
        table = try results { try ResultsTable(contentsOf: url) }
    }

    public init(text: String, path: String) throws {
        table = try results { try ResultsTable(text: text, path: path) }
    }

    /// Column index of `name`, or an error naming the file and the columns it has.
    public func column(_ name: String) throws -> Int { try results { try table.column(name) } }

    /// The field as a Double, or an error naming line and column.
    public func double(row: Int, column: Int) throws -> Double { try results { try table.double(row: row, column: column) } }

    /// One CSV field, quoted when it holds a comma, quote, carriage return or newline (SERCore's `CSV.escape`).
    public static func escape(_ field: String) -> String { CSV.escape(field) }
}
