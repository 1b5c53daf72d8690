/// A minimal RFC 4180 CSV reader: comma-separated, `"` quoting with `""` escapes, CRLF or LF lines.
struct CSVTable {
    var header: [String]
    /// Rows with the 1-based line number each starts on.
    var rows: [(line: Int, fields: [String])]

    enum ParseError: Error { case unterminatedQuote(line: Int) }

    init(parsing text: String) throws {
        var records: [(Int, [String])] = []
        var field = ""
        var record: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        func endRecord() {
            record.append(field)
            field = ""
            if !(record.count == 1 && record[0].isEmpty) { records.append((recordLine, record)) }
            record = []
        }
        while let scalar = pending {
            pending = iterator.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = iterator.next() } else { inQuotes = false }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": record.append(field); field = ""
            case "\r": if pending == "\n" { continue } else { endRecord(); line += 1; recordLine = line }
            case "\n": endRecord(); line += 1; recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError.unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        guard let first = records.first else { header = []; rows = []; return }
        var names = first.1.map { $0.trimmingCharacters(in: .whitespaces) }
        if let bom = names.first, bom.hasPrefix("\u{FEFF}") { names[0] = String(bom.dropFirst()) }
        header = names
        rows = records.dropFirst().map { (line: $0.0, fields: $0.1) }
    }
}

import Foundation
