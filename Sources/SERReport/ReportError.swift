import Foundation
import SERCore

/// Everything that can be wrong with the files `compare`, `report` and `check` read, or with how
/// they are asked to combine them. Each message names the file (and JSON path or CSV line), what was
/// expected and what was found.
public enum ReportError: LocalizedError, Equatable {
    case missingFile(path: String, expected: String)
    case unreadableJSON(path: String, jsonPath: String, problem: String)
    case badCSV(path: String, line: Int, problem: String)
    case notARunFolder(path: String)
    case noRuns(path: String)
    case incompatibleRuns(first: String, second: String, reason: String)
    case unknownRun(name: String, available: [String])
    case baselineMismatch(baseline: String, run: String, reason: String)
    case invalidArgument(String)

    public var errorDescription: String? {
        switch self {
        case let .missingFile(path, expected):
            return "\(path): file not found (expected \(expected))"
        case let .unreadableJSON(path, jsonPath, problem):
            return "\(path): at \(jsonPath.isEmpty ? "the top level" : jsonPath): \(problem)"
        case let .badCSV(path, line, problem):
            return "\(path):\(line): \(problem)"
        case let .notARunFolder(path):
            return "\(path) is not a run folder: expected metrics.json in it (a folder that `serlab run` wrote), or a results folder holding run folders"
        case let .noRuns(path):
            return "\(path): no run folders found (looked for */metrics.json up to three levels down)"
        case let .incompatibleRuns(first, second, reason):
            return "cannot compare \(first) with \(second) head to head: \(reason)"
        case let .unknownRun(name, available):
            return "no run named '\(name)'; runs found: \(available.joined(separator: ", "))"
        case let .baselineMismatch(baseline, run, reason):
            return "run \(run) cannot be checked against baseline \(baseline): \(reason)"
        case let .invalidArgument(message):
            return message
        }
    }
}

extension ReportError {
    /// A DecodingError turned into a message naming the file and the JSON path.
    static func from(_ error: Error, path: String) -> ReportError {
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

extension ReportError {
    /// SERCore's CSV errors as report errors (the same `path:line: problem` text; a file that cannot be
    /// read is a missing one), so the commands treat them as unusable input like every other.
    init(_ error: CSVError) {
        switch error {
        case let .unreadable(path, _): self = .missingFile(path: path, expected: "a UTF-8 CSV file")
        case let .malformed(path, line, problem): self = .badCSV(path: path, line: line, problem: problem)
        }
    }

    /// `url` read as a CSV table by SERCore's reader.
    static func readingCSV(_ url: URL) throws(ReportError) -> CSVTable {
        do { return try CSVTable(contentsOf: url) } catch { throw ReportError(error) }
    }

    /// `body`'s result, its CSV errors (column lookups, numbers) turned into report errors.
    static func convertingCSV<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CSVError { throw ReportError(error) }
    }
}
