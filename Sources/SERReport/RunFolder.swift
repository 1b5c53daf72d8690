import Foundation
import SERCore
import SERResults

/// One results folder written by `serlab run` (docs/results.md), loaded for comparison and reports.
/// Only `metrics.json` is required; the other files are optional and their absence is reported
/// where they would be shown.
public struct RunFolder: Sendable {
    public var url: URL
    /// The folder name, `<UTC yyyyMMdd-HHmmss>-<seed>` or the `--run-id` given.
    public var runID: String
    public var metrics: RunMetrics
    /// `config.resolved.json`, unpinned (its schema belongs to the runner's config system).
    public var config: JSONValue?
    public var environment: RunEnvironment?
    public var timings: RunTimings?
    /// Pooled `confusion.csv`, or the sum of the fold matrices when it is absent.
    public var pooledConfusion: ConfusionMatrix?
    /// Fold number -> `folds/fold-<k>/confusion.csv`.
    public var foldConfusions: [Int: ConfusionMatrix]
    /// Fold number -> `folds/fold-<k>/curve.csv`.
    public var foldCurves: [Int: LearningCurve]
    /// `corpusOverview.json`, when the runner wrote one.
    public var corpusOverview: CorpusOverview?

    /// `<config name>/<run id>`: how runs are named in tables and on the command line.
    public var displayName: String { "\(metrics.name)/\(runID)" }

    public init(url: URL, runID: String, metrics: RunMetrics, config: JSONValue? = nil, environment: RunEnvironment? = nil, timings: RunTimings? = nil,
                pooledConfusion: ConfusionMatrix? = nil, foldConfusions: [Int: ConfusionMatrix] = [:], foldCurves: [Int: LearningCurve] = [:],
                corpusOverview: CorpusOverview? = nil) {
        self.url = url; self.runID = runID; self.metrics = metrics; self.config = config; self.environment = environment
        self.timings = timings; self.pooledConfusion = pooledConfusion; self.foldConfusions = foldConfusions
        self.foldCurves = foldCurves; self.corpusOverview = corpusOverview
    }

    /// Loads a run folder; throws when `metrics.json` is missing or any present file is malformed.
    public init(url: URL) throws {
        let metricsURL = url.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else { throw ReportError.notARunFolder(path: url.path) }
        let metrics = try JSONFile.read(RunMetrics.self, from: metricsURL)
        func optional<T: Decodable>(_ name: String, _ type: T.Type) throws -> T? {
            let file = url.appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: file.path) ? try JSONFile.read(T.self, from: file) : nil
        }
        var foldConfusions: [Int: ConfusionMatrix] = [:]
        var foldCurves: [Int: LearningCurve] = [:]
        for fold in metrics.folds.map(\.fold) {
            let folder = url.appendingPathComponent("folds/fold-\(fold)")
            let confusion = folder.appendingPathComponent("confusion.csv")
            if FileManager.default.fileExists(atPath: confusion.path) { foldConfusions[fold] = try results { try ConfusionMatrix(contentsOf: confusion) } }
            let curve = folder.appendingPathComponent("curve.csv")
            if FileManager.default.fileExists(atPath: curve.path) { foldCurves[fold] = try results { try LearningCurve(contentsOf: curve) } }
        }
        var pooled: ConfusionMatrix? = nil
        let pooledURL = url.appendingPathComponent("confusion.csv")
        if FileManager.default.fileExists(atPath: pooledURL.path) {
            pooled = try results { try ConfusionMatrix(contentsOf: pooledURL) }
        } else if let first = foldConfusions.values.first, foldConfusions.values.allSatisfy({ $0.labels == first.labels }) {
            pooled = foldConfusions.keys.sorted().dropFirst().reduce(foldConfusions[foldConfusions.keys.min()!]!) { $0 + foldConfusions[$1]! }
        }
        self.init(url: url, runID: url.lastPathComponent, metrics: metrics,
                  config: try RunFolder.config(url.appendingPathComponent("config.resolved.json")),
                  environment: try optional("environment.json", RunEnvironment.self),
                  timings: try optional("timings.json", RunTimings.self),
                  pooledConfusion: pooled, foldConfusions: foldConfusions, foldCurves: foldCurves,
                  corpusOverview: try optional("corpusOverview.json", CorpusOverview.self))
    }

    /// `predictions.csv`, read on demand (it can be large); nil when the file is absent.
    public func predictions() throws -> [PredictionRow]? {
        let file = url.appendingPathComponent("predictions.csv")
        return FileManager.default.fileExists(atPath: file.path) ? try results { try PredictionRow.read(file).rows } : nil
    }

    /// `config.resolved.json` as written (key order kept), or nil when absent.
    static func config(_ file: URL) throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let text = try results { try ResultsFile.text(of: file, expected: "a JSON file") }
        do { return try JSONParser.parse(text, source: file.path) } catch {
            throw ReportError.unreadableJSON(path: file.path, jsonPath: "", problem: "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// Run folders at `urls`: each is either a run folder itself or a folder searched (three levels
    /// down, skipping `baselines/`) for folders holding `metrics.json`. Sorted by display name.
    public static func discover(_ urls: [URL]) throws -> [RunFolder] {
        var runs: [RunFolder] = []
        for url in urls {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ReportError.missingFile(path: url.path, expected: "a run folder or a results folder")
            }
            let found = runFolderURLs(under: url, depth: 3)
            if found.isEmpty { throw ReportError.noRuns(path: url.path) }
            runs += try found.map { try RunFolder(url: $0) }
        }
        return runs.sorted { $0.displayName < $1.displayName }
    }

    static func runFolderURLs(under url: URL, depth: Int) -> [URL] {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("metrics.json").path) { return [url] }
        guard depth > 0, let children = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
        return children
            .filter { $0.lastPathComponent != "baselines" && !$0.lastPathComponent.hasPrefix(".") }
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .flatMap { runFolderURLs(under: $0, depth: depth - 1) }
    }
}

extension RunFolder {
    /// Per-fold values of a metric, in fold order.
    public func foldValues(_ metric: Metric) -> [Double] {
        metrics.folds.sorted { $0.fold < $1.fold }.map { metric.value(in: $0) }
    }

    /// Test utterances of each fold, in fold order (as `foldValues`).
    public var foldTestCounts: [Int] { metrics.folds.sorted { $0.fold < $1.fold }.map(\.testCount) }

    /// Keys of the features config that say what a reader needs first, in this order; the rest
    /// (window, mel details...) stay in config.resolved.json.
    static let headlineFeatureKeys = ["features", "kind", "level", "mfccCount", "coefficientCount", "melBandCount", "deltas", "sampleRate", "functionals"]

    /// The features part of the config in one line (`features=[mfcc,deltaMFCC],level=frame,mfccCount=40,...`):
    /// the headline keys when the config has any of them, otherwise every key; "-" without a config.
    public var featuresSummary: String {
        guard let features = config?["features"] else { return "-" }
        if case .object = features {
            let headline = Self.headlineFeatureKeys.compactMap { key in features[key].map { $0.summary(prefix: key) } }.flatMap { $0 }
            if !headline.isEmpty { return headline.joined(separator: ",") }
        }
        return features.summary().joined(separator: ",")
    }

    /// The model part of the config without its kind (which is the model column); "-" without one.
    public var parametersSummary: String {
        var parts: [String] = []
        if case let .object(model)? = config?["model"] {
            parts = JSONValue.object(model.filter { !["kind", "type", "name"].contains($0.key) }).summary()
        }
        return parts.isEmpty ? "-" : parts.joined(separator: ",")
    }

    /// Total wall-clock seconds from `timings.json`.
    public var totalSeconds: Double? { timings?.totalSeconds }
}

/// The three headline metrics compare and check work on.
public enum Metric: String, CaseIterable, Codable, Sendable {
    case accuracy, uar, macroF1

    /// Column title: WA (weighted accuracy, i.e. plain accuracy), UAR, macro-F1.
    public var title: String {
        switch self {
        case .accuracy: return "WA"
        case .uar: return "UAR"
        case .macroF1: return "macro-F1"
        }
    }

    public func value(in fold: RunMetrics.FoldMetrics) -> Double {
        switch self {
        case .accuracy: return fold.accuracy
        case .uar: return fold.uar
        case .macroF1: return fold.macroF1
        }
    }
}

/// Runs a SERResults reader, its errors as `ReportError`.
func results<T>(_ read: () throws -> T) throws -> T {
    do { return try read() } catch let error as ResultsFileError { throw ReportError(error) }
}
