import Foundation
import SERResults

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
    /// A baseline whose stored figures do not follow from its own fold scores under the documented
    /// policy (hand-edited, or written by other code), or whose policy is wider than the documented limits.
    case untrustedBaseline(path: String, jsonPath: String, expected: String, found: String)
    case invalidArgument(String)

    public var errorDescription: String? {
        switch self {
        case let .missingFile(path, expected):
            return ResultsFileError.missingFile(path: path, expected: expected).errorDescription
        case let .unreadableJSON(path, jsonPath, problem):
            return ResultsFileError.unreadableJSON(path: path, jsonPath: jsonPath, problem: problem).errorDescription
        case let .badCSV(path, line, problem):
            return ResultsFileError.badCSV(path: path, line: line, problem: problem).errorDescription
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
        case let .untrustedBaseline(path, jsonPath, expected, found):
            return "baseline \(path): \(jsonPath): expected \(expected), found \(found); the gate does not trust it"
                + " (a baseline is written by `serlab check <runs> --baseline ... --update` under the policy of results/baselines/README.md, never by hand)"
        case let .invalidArgument(message):
            return message
        }
    }
}

extension ReportError {
    /// A results file the report could not read, with the same message.
    init(_ error: ResultsFileError) {
        switch error {
        case let .missingFile(path, expected): self = .missingFile(path: path, expected: expected)
        case let .unreadableJSON(path, jsonPath, problem): self = .unreadableJSON(path: path, jsonPath: jsonPath, problem: problem)
        case let .badCSV(path, line, problem): self = .badCSV(path: path, line: line, problem: problem)
        }
    }
}
