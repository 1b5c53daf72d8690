import Foundation
import SERCore
import SERPlot

/// A committed accuracy baseline, `results/baselines/<name>.json`: what one config scored on
/// given folds and labels (from one run, or several runs that differ only in their seed), and how
/// far a later run may fall below it before `serlab check` fails.
///
/// Tolerance per metric (fractions):
///
///     max(fixedMargin, seedStdMultiplier * seedStd, foldStdMultiplier * foldStd / sqrt(foldCount))
///
/// - fixedMargin (default 0.02, 2 points): drift that is not a regression (thread count, library
///   versions, summation order). A check reruns the same folds and seed, so this is the main term.
/// - seedStd: the sample sd of the per-run means when the baseline was made from several seeds
///   (nil for one run). A code change that reorders random draws acts like a new seed, so
///   2 seed sds (default) is the honest "same model, different luck" band.
/// - foldStd / sqrt(foldCount): the standard error of the fold mean. Off by default (k = 0): fold
///   scores differ mostly by speaker difficulty, which a rerun on the same folds shares, so this
///   term is far wider than the rerun noise (on SAVEE leave-one-speaker-out, sd 10 points: k = 2
///   would let a one-epoch model 6 points worse pass). Available for configs that want it.
public struct Baseline: Codable, Equatable, Sendable {
    public struct TolerancePolicy: Codable, Equatable, Sendable {
        /// Smallest allowed drop, as a fraction (0.02 = 2 percentage points).
        public var fixedMargin: Double
        /// Multiplier of the sd of per-seed run means (used when the baseline has several runs).
        public var seedStdMultiplier: Double
        /// k in k * foldStd / sqrt(foldCount).
        public var foldStdMultiplier: Double
        public static let standard = TolerancePolicy(fixedMargin: 0.02, seedStdMultiplier: 2, foldStdMultiplier: 0)

        /// The documented limits (results/baselines/README.md): a policy or tolerance wider than these
        /// lets a drop of a few points through, so neither `--update` writes nor `check` accepts one.
        /// A config whose seeds spread more needs more repeats or less variance, not a wider band.
        public static let maximumFixedMargin = 0.03
        public static let maximumSeedStdMultiplier = 3.0
        public static let maximumFoldStdMultiplier = 2.0
        public static let maximumTolerance = 0.04

        public init(fixedMargin: Double, seedStdMultiplier: Double, foldStdMultiplier: Double) {
            self.fixedMargin = fixedMargin; self.seedStdMultiplier = seedStdMultiplier; self.foldStdMultiplier = foldStdMultiplier
        }

        public func tolerance(foldStd: Double, foldCount: Int, seedStd: Double?) -> Double {
            max(fixedMargin, seedStdMultiplier * (seedStd ?? 0), foldStdMultiplier * foldStd / Double(max(1, foldCount)).squareRoot())
        }

        /// Which term set the tolerance, for messages: "fixed margin", "2 x seed sd", "2 x fold sd / sqrt(4)".
        public func dominantTerm(foldStd: Double, foldCount: Int, seedStd: Double?) -> String {
            let seed = seedStdMultiplier * (seedStd ?? 0)
            let fold = foldStdMultiplier * foldStd / Double(max(1, foldCount)).squareRoot()
            if seed > fixedMargin && seed >= fold { return "\(SVGCanvas.f(seedStdMultiplier)) x seed sd" }
            if fold > fixedMargin { return "\(SVGCanvas.f(foldStdMultiplier)) x fold sd / sqrt(\(foldCount))" }
            return "fixed margin"
        }
    }

    public struct MetricBaseline: Codable, Equatable, Sendable {
        /// Mean over folds (and over runs, for a several-seed baseline).
        public var mean: Double
        /// Sample sd over folds (averaged over runs).
        public var foldStd: Double
        /// Sample sd of the per-run means; nil for a one-run baseline.
        public var seedStd: Double?
        /// Per run, the fold scores in fold order.
        public var runFoldValues: [[Double]]
        /// The allowed drop below `mean`, from the policy (stored so the file says it plainly; `check`
        /// recomputes it and refuses the file when they differ).
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
    /// The run folders the baseline was taken from, as given on the command line.
    public var createdFromRuns: [String]
    /// Their seeds, from environment.json, when recorded.
    public var seeds: [Int]
    public var createdAt: String
    public var serlabVersion: String
    /// The git commit environment.json recorded for the first run, when it did.
    public var gitCommit: String?
    public var tolerancePolicy: TolerancePolicy
    /// By metric raw value: `uar`, `accuracy`.
    public var metrics: [String: MetricBaseline]

    /// A baseline from one run; see `init(runs:...)`.
    public init(run: RunFolder, policy: TolerancePolicy, runPath: String? = nil, createdAt: Date = Date()) throws {
        try self.init(runs: [run], policy: policy, runPaths: runPath.map { [$0] }, createdAt: createdAt)
    }

    /// A baseline from runs of one config that differ only in their seed (same corpus, labels and
    /// folds hash; otherwise `baselineMismatch`). Throws when a run recorded no folds hash or no folds.
    /// `runPaths` are recorded as given (keep them relative for committed baselines).
    public init(runs: [RunFolder], policy: TolerancePolicy, runPaths: [String]? = nil, createdAt: Date = Date()) throws {
        precondition(!runs.isEmpty, "a baseline needs at least one run")
        let first = runs[0]
        for run in runs {
            let path = run.url.appendingPathComponent("metrics.json").path
            if run.metrics.protocol.foldsHash == nil {
                throw ReportError.unreadableJSON(path: path, jsonPath: "protocol.foldsHash", problem: "expected the folds hash a baseline is tied to, found none")
            }
            if run.metrics.folds.isEmpty { throw ReportError.unreadableJSON(path: path, jsonPath: "folds", problem: "expected at least one fold, found none") }
            if let control = run.metrics.gateControl {
                throw ReportError.unreadableJSON(path: path, jsonPath: "gateControl",
                                                 problem: "expected a real run, found a deliberately weakened gate control ('\(control)'), which can never be a baseline")
            }
        }
        for run in runs.dropFirst() {
            if let reason = Comparison.incompatibility(first, run) {
                throw ReportError.baselineMismatch(baseline: "(new)", run: run.displayName, reason: "runs of one baseline must share corpus, labels and folds: \(reason)")
            }
            if run.metrics.name != first.metrics.name {
                throw ReportError.baselineMismatch(baseline: "(new)", run: run.displayName,
                                                   reason: "runs of one baseline must be of one config, found \(first.metrics.name) and \(run.metrics.name)")
            }
        }
        let m = first.metrics
        schemaVersion = 2
        configName = m.name
        corpus = m.corpus
        labels = m.labels
        protocolKind = m.protocol.kind
        foldCount = m.folds.count
        foldsHash = m.protocol.foldsHash!
        syntheticData = m.syntheticData ?? false
        createdFromRuns = runPaths ?? runs.map(\.url.path)
        seeds = runs.compactMap { $0.environment?.seed }
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
        serlabVersion = SERCore.serlabVersion
        gitCommit = first.environment?.gitCommit
        tolerancePolicy = policy
        var metrics: [String: MetricBaseline] = [:]
        for metric in Baseline.checkedMetrics {
            let values = runs.map { $0.foldValues(metric) }
            let runMeans = values.map(Summary.mean)
            let foldStd = Summary.mean(values.map(Summary.standardDeviation))
            let seedStd = runs.count > 1 ? Summary.standardDeviation(runMeans) : nil
            metrics[metric.rawValue] = MetricBaseline(mean: Summary.mean(runMeans), foldStd: foldStd, seedStd: seedStd, runFoldValues: values,
                                                      tolerance: policy.tolerance(foldStd: foldStd, foldCount: foldCount, seedStd: seedStd))
        }
        self.metrics = metrics
    }

    public static func read(_ url: URL) throws -> Baseline {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReportError.missingFile(path: url.path, expected: "a baseline written by `serlab check <run> --baseline \(url.path) --update`")
        }
        return try JSONFile.read(Baseline.self, from: url)
    }

    public func write(to url: URL) throws { try JSONFile.write(self, to: url) }

    /// Recomputes every stored figure from `runFoldValues` and the policy, and checks the policy against the
    /// documented limits; throws `untrustedBaseline` (naming `path` and the JSON path) at the first that
    /// disagrees. `serlab check` runs this before comparing and uses the tolerance it recomputes, so a
    /// hand-edited tolerance, mean or policy cannot open the gate.
    public func verify(path: String) throws {
        func untrusted(_ jsonPath: String, _ expected: String, _ found: String) -> ReportError {
            .untrustedBaseline(path: path, jsonPath: jsonPath, expected: expected, found: found)
        }
        func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 }
        func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "null" }
        if schemaVersion != 2 { throw untrusted("schemaVersion", "2", "\(schemaVersion)") }
        if foldCount < 1 { throw untrusted("foldCount", "at least 1", "\(foldCount)") }
        let p = tolerancePolicy
        for (key, value, limit) in [("fixedMargin", p.fixedMargin, TolerancePolicy.maximumFixedMargin),
                                    ("seedStdMultiplier", p.seedStdMultiplier, TolerancePolicy.maximumSeedStdMultiplier),
                                    ("foldStdMultiplier", p.foldStdMultiplier, TolerancePolicy.maximumFoldStdMultiplier)]
        where !(value >= 0 && value <= limit) {
            throw untrusted("tolerancePolicy.\(key)", "a value in [0, \(limit)] (the documented limit)", "\(value)")
        }
        for metric in Baseline.checkedMetrics {
            let at = "metrics.\(metric.rawValue)"
            guard let stored = metrics[metric.rawValue] else { throw untrusted(at, "the baseline of \(metric.rawValue)", "none") }
            let runs = stored.runFoldValues
            if runs.isEmpty { throw untrusted("\(at).runFoldValues", "the fold scores of at least one run", "[]") }
            for (index, folds) in runs.enumerated() {
                if folds.count != foldCount { throw untrusted("\(at).runFoldValues[\(index)]", "\(foldCount) fold scores (foldCount)", "\(folds.count)") }
                if let bad = folds.first(where: { !($0 >= 0 && $0 <= 1) }) {
                    throw untrusted("\(at).runFoldValues[\(index)]", "scores in [0, 1]", "\(bad)")
                }
            }
            if !seeds.isEmpty && seeds.count != runs.count { throw untrusted("seeds", "one seed per run (\(runs.count))", "\(seeds.count)") }
            let means = runs.map(Summary.mean)
            let mean = Summary.mean(means)
            let foldStd = Summary.mean(runs.map(Summary.standardDeviation))
            let seedStd = runs.count > 1 ? Summary.standardDeviation(means) : nil
            if !same(stored.mean, mean) { throw untrusted("\(at).mean", "\(mean) (the mean of runFoldValues)", "\(stored.mean)") }
            if !same(stored.foldStd, foldStd) { throw untrusted("\(at).foldStd", "\(foldStd) (from runFoldValues)", "\(stored.foldStd)") }
            if (stored.seedStd == nil) != (seedStd == nil) || !same(stored.seedStd ?? 0, seedStd ?? 0) {
                throw untrusted("\(at).seedStd", "\(text(seedStd)) (the sd of the \(runs.count) runs' means)", text(stored.seedStd))
            }
            let tolerance = p.tolerance(foldStd: foldStd, foldCount: foldCount, seedStd: seedStd)
            if !same(stored.tolerance, tolerance) {
                throw untrusted("\(at).tolerance", "\(tolerance) (the policy applied to runFoldValues)", "\(stored.tolerance)")
            }
            if tolerance > TolerancePolicy.maximumTolerance + 1e-12 {
                throw untrusted("\(at).tolerance", String(format: "at most %.2f points (the documented limit: use more repeats or a config with less seed-to-seed spread)",
                                                            TolerancePolicy.maximumTolerance * 100), String(format: "%.2f points", tolerance * 100))
            }
        }
    }
}

/// The outcome of checking one run against one baseline.
public struct RegressionCheck: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var metric: Metric
        public var baseline: Double
        public var observed: Double
        public var tolerance: Double
        /// Which policy term set the tolerance ("fixed margin", "2 x seed sd", ...).
        public var toleranceSource: String
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
    /// Throws `untrustedBaseline` first when the baseline's stored figures do not follow from its fold scores (`verify`).
    public init(run: RunFolder, baseline: Baseline, baselinePath: String) throws {
        try baseline.verify(path: baselinePath)
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
        if let control = m.gateControl { notes.append("note: this run is a deliberately weakened gate control (\(control)); it must fail") }
        var outcomes: [Outcome] = []
        for metric in Baseline.checkedMetrics {
            guard let reference = baseline.metrics[metric.rawValue] else {
                throw ReportError.unreadableJSON(path: baselinePath, jsonPath: "metrics.\(metric.rawValue)", problem: "expected the baseline of \(metric.rawValue), found none")
            }
            let source = baseline.tolerancePolicy.dominantTerm(foldStd: reference.foldStd, foldCount: baseline.foldCount, seedStd: reference.seedStd)
            outcomes.append(Outcome(metric: metric, baseline: reference.mean, observed: Summary.mean(run.foldValues(metric)),
                                    tolerance: baseline.tolerancePolicy.tolerance(foldStd: reference.foldStd, foldCount: baseline.foldCount, seedStd: reference.seedStd),
                                    toleranceSource: source))
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
            let tolerance = String(format: "%.2f", outcome.tolerance * 100) + " points (\(outcome.toleranceSource))"
            let change = String(format: "%+.2f", outcome.change * 100) + " points"
            if outcome.passed {
                return "PASS \(name): observed \(observed) vs baseline \(reference) (\(change); tolerance " + String(format: "%.2f", outcome.tolerance * 100)
                    + " points: \(outcome.toleranceSource))"
            }
            return "FAIL \(name): observed \(observed) vs baseline \(reference) in \(baselinePath): dropped \(String(format: "%.2f", -outcome.change * 100)) points, more than the tolerance of \(tolerance)"
        } + notes
    }
}
