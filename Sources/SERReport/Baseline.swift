import Foundation
import SERCore

/// A committed accuracy baseline, `results/baselines/<name>.json`: what one config scored on
/// given folds and labels, and how far a later run may fall below it before `serlab check` fails.
///
/// Tolerance per metric: `max(fixedMargin, foldStdMultiplier * foldStd / sqrt(foldCount))`, where
/// foldStd is the sample standard deviation of the baseline's fold scores: a fixed floor for
/// harmless numeric drift (thread count, library versions), widened by the standard error of the
/// fold mean where the folds disagree a lot. Defaults 0.02 (2 points) and 2.
public struct Baseline: Codable, Equatable, Sendable {
    public struct TolerancePolicy: Codable, Equatable, Sendable {
        /// Smallest allowed drop, as a fraction (0.02 = 2 percentage points).
        public var fixedMargin: Double
        /// k in k * foldStd / sqrt(foldCount).
        public var foldStdMultiplier: Double
        public static let standard = TolerancePolicy(fixedMargin: 0.02, foldStdMultiplier: 2)

        public init(fixedMargin: Double, foldStdMultiplier: Double) {
            self.fixedMargin = fixedMargin; self.foldStdMultiplier = foldStdMultiplier
        }

        public func tolerance(foldStd: Double, foldCount: Int) -> Double {
            max(fixedMargin, foldStdMultiplier * foldStd / Double(max(1, foldCount)).squareRoot())
        }
    }

    public struct MetricBaseline: Codable, Equatable, Sendable {
        /// Mean over folds.
        public var mean: Double
        /// Sample standard deviation over folds.
        public var foldStd: Double
        public var foldValues: [Double]
        /// The allowed drop below `mean`, from the policy (stored so the file says it plainly).
        public var tolerance: Double
    }

    /// The metrics the gate checks.
    public static let checkedMetrics: [Metric] = [.uar, .accuracy]

    public var schemaVersion: Int
    public var configName: String
    public var corpus: String
    public var labels: [String]
    public var protocolKind: String
    public var foldCount: Int
    public var foldsHash: String
    public var syntheticData: Bool
    /// The run folder the baseline was taken from, as given on the command line.
    public var createdFromRun: String
    public var createdAt: String
    public var serlabVersion: String
    /// The git commit environment.json recorded for that run, when it did.
    public var gitCommit: String?
    public var tolerancePolicy: TolerancePolicy
    /// By metric raw value: `uar`, `accuracy`.
    public var metrics: [String: MetricBaseline]

    /// A baseline from a run; throws when the run recorded no folds hash (it could never be matched).
    /// `runPath` is recorded as given (keep it relative for committed baselines); default the folder's path.
    public init(run: RunFolder, policy: TolerancePolicy, runPath: String? = nil, createdAt: Date = Date()) throws {
        let m = run.metrics
        guard let hash = m.protocol.foldsHash else {
            throw ReportError.unreadableJSON(path: run.url.appendingPathComponent("metrics.json").path, jsonPath: "protocol.foldsHash",
                                             problem: "expected the folds hash a baseline is tied to, found none")
        }
        guard !m.folds.isEmpty else {
            throw ReportError.unreadableJSON(path: run.url.appendingPathComponent("metrics.json").path, jsonPath: "folds", problem: "expected at least one fold, found none")
        }
        schemaVersion = 1
        configName = m.name
        corpus = m.corpus
        labels = m.labels
        protocolKind = m.protocol.kind
        foldCount = m.folds.count
        foldsHash = hash
        syntheticData = m.syntheticData ?? false
        createdFromRun = runPath ?? run.url.path
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
        serlabVersion = SERCore.serlabVersion
        gitCommit = Baseline.gitCommit(run.environment)
        tolerancePolicy = policy
        var metrics: [String: MetricBaseline] = [:]
        for metric in Baseline.checkedMetrics {
            let values = run.foldValues(metric)
            let summary = Summary(values)
            metrics[metric.rawValue] = MetricBaseline(mean: summary.mean, foldStd: summary.standardDeviation, foldValues: values,
                                                      tolerance: policy.tolerance(foldStd: summary.standardDeviation, foldCount: values.count))
        }
        self.metrics = metrics
    }

    static func gitCommit(_ environment: JSONValue?) -> String? {
        guard let environment else { return nil }
        for key in ["gitCommit", "commit", "git"] {
            if let value = environment[key]?.string { return value }
            if let value = environment[key]?["commit"]?.string { return value }
        }
        return environment["serlab"]?["gitCommit"]?.string
    }

    public static func read(_ url: URL) throws -> Baseline {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReportError.missingFile(path: url.path, expected: "a baseline written by `serlab check <run> --baseline \(url.path) --update`")
        }
        return try JSONFile.read(Baseline.self, from: url)
    }

    public func write(to url: URL) throws { try JSONFile.write(self, to: url) }
}

/// The outcome of checking one run against one baseline.
public struct RegressionCheck: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var metric: Metric
        public var baseline: Double
        public var observed: Double
        public var tolerance: Double
        /// observed - baseline (negative: a drop).
        public var change: Double { observed - baseline }
        /// Passes unless the drop exceeds the tolerance (1e-12 slack for rounding in the JSON).
        public var passed: Bool { -change <= tolerance + 1e-12 }
    }

    public var baselinePath: String
    public var runName: String
    public var outcomes: [Outcome]
    /// Differences that are allowed but worth saying (e.g. another config name).
    public var notes: [String]

    public var passed: Bool { outcomes.allSatisfy(\.passed) }

    /// Compares `run` with `baseline`; throws `baselineMismatch` when the run is on other folds,
    /// labels or corpus (its numbers would not be comparable).
    public init(run: RunFolder, baseline: Baseline, baselinePath: String) throws {
        let m = run.metrics
        func mismatch(_ reason: String) -> ReportError { .baselineMismatch(baseline: baselinePath, run: run.displayName, reason: reason) }
        if m.corpus != baseline.corpus { throw mismatch("the baseline is on corpus \(baseline.corpus), the run on \(m.corpus)") }
        if Set(m.labels) != Set(baseline.labels) {
            throw mismatch("the baseline's label set is \(baseline.labels.sorted().joined(separator: ",")), the run's is \(m.labels.sorted().joined(separator: ","))")
        }
        guard let hash = m.protocol.foldsHash else { throw mismatch("the run recorded no folds hash (metrics.json protocol.foldsHash)") }
        if hash != baseline.foldsHash {
            throw mismatch("the run was tested on different folds (hash \(hash.prefix(12)), \(m.protocol.kind) \(m.folds.count) folds) than the baseline (hash \(baseline.foldsHash.prefix(12)), \(baseline.protocolKind) \(baseline.foldCount) folds)")
        }
        if (m.syntheticData ?? false) != baseline.syntheticData {
            throw mismatch("the baseline is on \(baseline.syntheticData ? "synthetic" : "real") data, the run on \(m.syntheticData ?? false ? "synthetic" : "real") data")
        }
        var notes: [String] = []
        if m.name != baseline.configName { notes.append("note: the run's config is \(m.name), the baseline's \(baseline.configName) (same folds and labels, so it is checked)") }
        var outcomes: [Outcome] = []
        for metric in Baseline.checkedMetrics {
            guard let reference = baseline.metrics[metric.rawValue] else {
                throw ReportError.unreadableJSON(path: baselinePath, jsonPath: "metrics.\(metric.rawValue)", problem: "expected the baseline of \(metric.rawValue), found none")
            }
            outcomes.append(Outcome(metric: metric, baseline: reference.mean, observed: Summary.mean(run.foldValues(metric)), tolerance: reference.tolerance))
        }
        self.baselinePath = baselinePath
        self.runName = run.displayName
        self.outcomes = outcomes
        self.notes = notes
    }

    /// One line per metric: `PASS uar: ...` or `FAIL uar: ...`, naming baseline, observed value and tolerance.
    public func lines() -> [String] {
        outcomes.map { outcome in
            let name = outcome.metric == .accuracy ? "accuracy" : outcome.metric.title
            let observed = Comparison.percent(outcome.observed) + "%", reference = Comparison.percent(outcome.baseline) + "%"
            let tolerance = String(format: "%.2f", outcome.tolerance * 100) + " points"
            let change = String(format: "%+.2f", outcome.change * 100) + " points"
            if outcome.passed {
                return "PASS \(name): observed \(observed) vs baseline \(reference) (\(change); tolerance \(tolerance))"
            }
            return "FAIL \(name): observed \(observed) vs baseline \(reference) in \(baselinePath): dropped \(String(format: "%.2f", -outcome.change * 100)) points, more than the tolerance of \(tolerance)"
        } + notes
    }
}
