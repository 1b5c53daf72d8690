import Foundation
import Testing
import SERCore

@Suite struct CSVTests {
    @Test func quotedFieldsHoldCommasQuotesAndNewlines() throws {
        let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nplain,\"\",3\n"
        let table = try CSVTable(text: text, path: "t.csv")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows == [["x, y", "say \"hi\"", "two\nlines"], ["plain", "", "3"]])
        // The second row starts on line 4: the quoted newline of row one counts.
        #expect(table.lines == [2, 4])
    }

    @Test func byteOrderMarkBlankLinesAndLineEnds() throws {
        let table = try CSVTable(text: "\u{FEFF} path , fold\r\n\r\na.wav,0\rb.wav,1\n\n", path: "t.csv")
        #expect(table.header == ["path", "fold"])
        #expect(table.rows == [["a.wav", "0"], ["b.wav", "1"]])
        #expect(table.lines == [3, 4])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsACharacter() {
        #expect(CSV.parse("5\" disk,a\n") == [["5\" disk", "a"]])
    }

    @Test func errorsNameFileLineAndProblem() {
        #expect(throws: CSVError.malformed(path: "t.csv", line: 3, problem: "expected 2 fields like the header (a,b), found 3")) {
            try CSVTable(text: "a,b\n1,2\n1,2,3\n", path: "t.csv")
        }
        #expect(throws: CSVError.malformed(path: "t.csv", line: 2, problem: "expected a closing quote, found the end of the file")) {
            try CSVTable(text: "a,b\n\"1,2\n3,4\n", path: "t.csv")
        }
        #expect(throws: CSVError.malformed(path: "t.csv", line: 1, problem: "expected a header row, found an empty file")) {
            try CSVTable(text: "\n", path: "t.csv")
        }
        let error = CSVError.malformed(path: "t.csv", line: 3, problem: "expected a number")
        #expect(error.localizedDescription == "t.csv:3: expected a number")
        let table = CSVTable(header: ["a"], rows: [["1"], ["x"]], path: "t.csv")
        #expect(throws: CSVError.malformed(path: "t.csv", line: 1, problem: "expected a column 'b', found columns a")) { try table.column("b") }
        #expect(throws: CSVError.malformed(path: "t.csv", line: 3, problem: "expected a number in column 'a', found 'x'")) {
            try table.double(row: 1, column: 0)
        }
        #expect(throws: CSVError.self) { try CSVTable(contentsOf: URL(fileURLWithPath: "/nonexistent/t.csv")) }
    }

    /// "\r\n" is one Character in Swift, equal to neither "\r" nor "\n": escaping must look at scalars.
    @Test(arguments: ["plain", "a,b", "say \"hi\"", "two\nlines", "crlf\r\ninside", "lone\rcr", "", " spaced "])
    func writtenFieldsReadBackUnchanged(_ field: String) throws {
        let table = CSVTable(header: ["name", "value"], rows: [[field, "1"], ["next", field]], path: "t.csv")
        let read = try CSVTable(text: table.text, path: "t.csv")
        #expect(read.rows == table.rows)
    }

    @Test func escapeQuotesOnlyWhatNeedsIt() {
        #expect(CSV.escape("a,b") == "\"a,b\"")
        #expect(CSV.escape("lone\rcr") == "\"lone\rcr\"")
        #expect(CSV.escape("crlf\r\n") == "\"crlf\r\n\"")
        #expect(CSV.escape("mfcc_0") == "mfcc_0")
        #expect(CSV.line(["a", "b,c", "q\""]) == "a,\"b,c\",\"q\"\"\"")
    }

    @Test func writesAFileThatReadsBack() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let table = CSVTable(header: ["path", "fold"], rows: [["a b.wav", "0"], ["c,d.wav", "1"]], path: url.path)
        try table.write(to: url)
        #expect(try CSVTable(contentsOf: url) == table)
    }
}
