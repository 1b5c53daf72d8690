import Foundation
import SERCore
import SERResults

/// Why `serlab train` could not take its epoch count from a cross-validation run. Every case names the run folder.
public enum RunEpochsError: LocalizedError, Equatable {
    /// No readable config.resolved.json: not a `serlab run` results folder.
    case notARun(path: String, reason: String)
    /// The run was made with another config; `differences` lists the JSON paths with both values.
    case configMismatch(path: String, differences: [String])
    /// No metrics.json (the run is unfinished), or no fold with an `epochKept`.
    case noFolds(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .notARun(path, reason):
            return "\(path): expected the results folder of a finished `serlab run` (with config.resolved.json), \(reason)"
        case let .configMismatch(path, differences):
            let shown = differences.prefix(5).joined(separator: "; ") + (differences.count > 5 ? "; and \(differences.count - 5) more" : "")
            return "\(path): the run was made with a different config, so its kept epochs do not apply: \(shown)"
        case let .noFolds(path, reason):
            return "\(path): expected a finished cross-validation run with at least one fold, \(reason)"
        }
    }
}

/// The epochs the folds of a finished cross-validation run kept (`metrics.json`, `folds[].epochKept`),
/// and the count `serlab train --from-run` trains: their median.
public struct RunEpochs: Sendable, Equatable {
    public var run: URL
    /// In fold order.
    public var foldEpochsKept: [Int]
    /// The run's data fingerprint (environment.json), when it has one.
    public var dataFingerprint: String?

    /// The median kept epoch; with an even number of folds the mean of the middle two, halves rounded up.
    public var median: Int {
        let sorted = foldEpochsKept.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle] + 1) / 2
    }

    /// Top-level keys (and `training.epochs`) that do not change what a fold learns: where results go,
    /// the names, and the epoch budget (`serlab train` replaces it by the kept epochs).
    static let ignoredPaths: Set<String> = ["name", "description", "output", "training.epochs"]

    /// Reads `run`, checking that its config.resolved.json equals `resolvedConfig` apart from `ignoredPaths`.
    public static func read(run: URL, resolvedConfig: JSONValue) throws -> RunEpochs {
        let path = run.path
        let configURL = run.appendingPathComponent("config.resolved.json")
        guard let text = try? String(contentsOf: configURL, encoding: .utf8) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw RunEpochsError.notARun(path: path, reason: exists ? "found no readable config.resolved.json in it" : "found no such folder")
        }
        let runConfig: JSONValue
        do {
            runConfig = try JSONParser.parse(text, source: configURL.path)
        } catch {
            throw RunEpochsError.notARun(path: path, reason: "its config.resolved.json is not JSON: \(error.localizedDescription)")
        }
        let differences = differences(run: runConfig, here: resolvedConfig, path: "")
        if !differences.isEmpty { throw RunEpochsError.configMismatch(path: path, differences: differences) }

        let metricsURL = run.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw RunEpochsError.noFolds(path: path, reason: "found no metrics.json (the run is unfinished: finish it with the same `serlab run` command)")
        }
        let metrics: RunMetrics
        do {
            metrics = try ResultsFile.read(RunMetrics.self, from: metricsURL)
        } catch {
            throw RunEpochsError.noFolds(path: path, reason: "its metrics.json cannot be read: \(error.localizedDescription)")
        }
        let kept = metrics.folds.compactMap(\.epochKept)
        guard !kept.isEmpty else {
            throw RunEpochsError.noFolds(path: path, reason: "found \(metrics.folds.count) folds in metrics.json, none with an epochKept")
        }
        let environment = try? ResultsFile.read(RunEnvironment.self, from: run.appendingPathComponent("environment.json"))
        return RunEpochs(run: run, foldEpochsKept: kept, dataFingerprint: environment?.data.fingerprint)
    }

    /// "`path`: `run value` in the run, `value here` here" for every leaf that differs, `ignoredPaths` skipped.
    static func differences(run: JSONValue, here: JSONValue, path: String) -> [String] {
        if ignoredPaths.contains(path) { return [] }
        if let runPairs = run.objectPairs, let herePairs = here.objectPairs {
            var keys = herePairs.map(\.key)
            keys += runPairs.map(\.key).filter { !keys.contains($0) }
            return keys.flatMap { key in
                let child = path.isEmpty ? key : path + "." + key
                guard let left = run[key], let right = here[key] else {
                    return ignoredPaths.contains(child) ? [] : ["\(child) is \(run[key]?.compact ?? "absent") in the run, \(here[key]?.compact ?? "absent") here"]
                }
                return differences(run: left, here: right, path: child)
            }
        }
        return run == here ? [] : ["\(path) is \(run.compact) in the run, \(here.compact) here"]
    }
}
