import Foundation

/// One run's row of a comparison table.
public struct ComparisonRow: Codable, Equatable, Sendable {
    /// `<config name>/<run id>`.
    public var run: String
    public var configName: String
    public var model: String
    public var features: String
    public var parameters: String
    /// Total wall-clock seconds from timings.json, when present.
    public var timeSeconds: Double?
    /// Mean, sample sd and 95% logit-scale t-interval over folds (`Summary`), by metric (`accuracy`, `uar`, `macroF1`).
    public var metrics: [String: Summary]
    /// Metrics (raw values of `Metric`) for which this row has the best mean in its group.
    public var best: [String]
    public var syntheticData: Bool
    public var speakerOverlap: Bool

    public func summary(_ metric: Metric) -> Summary { metrics[metric.rawValue]! }
}

/// A head-to-head of two runs on identical folds: `first - second`.
public struct PairComparison: Codable, Equatable, Sendable {
    public var first: String
    public var second: String
    /// Mean over folds of first minus second, per metric.
    public var meanDifference: [String: Double]
    /// Over folds, on UAR (the headline metric).
    public var wilcoxon: TestResult?
    public var pairedT: TestResult?
    /// On pooled predictions (correct or not per utterance), nil when predictions.csv is missing.
    public var mcnemar: TestResult?
    /// McNemar's discordant counts: first right and second wrong, and the reverse.
    public var onlyFirstCorrect: Int?
    public var onlySecondCorrect: Int?
    /// Why a test is missing (no predictions, all differences zero, ...).
    public var notes: [String]
}

/// Runs sharing corpus, label set and test folds: the only runs whose numbers may be compared.
public struct ComparisonGroup: Codable, Equatable, Sendable {
    public var corpus: String
    public var labels: [String]
    public var protocolKind: String
    public var foldCount: Int
    /// nil when the runs did not record one: such a run is always alone in its group.
    public var foldsHash: String?
    public var rows: [ComparisonRow]
    /// The run the others are tested against: the best mean UAR.
    public var reference: String?
    public var pairs: [PairComparison]
    /// true when the group's runs test on corpora they did not train on (`RunMetrics.isCrossCorpus`);
    /// such runs are never grouped or paired with within-corpus runs. nil (left out of JSON) otherwise.
    public var crossCorpus: Bool?

    /// "tess · 7 labels · speakerKFold, 5 folds · folds 1a2b3c4d" ("cross-corpus · " in front for cross-corpus runs).
    public var title: String {
        (crossCorpus == true ? "cross-corpus · " : "") + "\(corpus) · \(labels.count) labels (\(labels.joined(separator: ", "))) · \(protocolKind), \(foldCount) folds · folds \(foldsHash.map { String($0.prefix(12)) } ?? "unrecorded")"
    }
}

/// The whole comparison: groups of compatible runs.
public struct Comparison: Codable, Equatable, Sendable {
    public var groups: [ComparisonGroup]

    /// Groups `runs` by (corpus, label set, folds hash), fills every row and runs the paired
    /// tests: each run against its group's best-UAR run, or every pair when `allPairs`.
    public init(runs: [RunFolder], allPairs: Bool = false) throws {
        var buckets: [String: [RunFolder]] = [:]
        var order: [String] = []
        for run in runs {
            let key = Comparison.groupKey(run)
            if buckets[key] == nil { order.append(key) }
            buckets[key, default: []].append(run)
        }
        groups = try order.sorted().map { key in try Comparison.makeGroup(buckets[key]!, allPairs: allPairs) }
    }

    /// Only the head-to-head of `first` and `second`; throws `incompatibleRuns` saying why when
    /// they are not on the same corpus, label set and folds.
    public static func pair(_ first: RunFolder, _ second: RunFolder) throws -> PairComparison {
        if let reason = incompatibility(first, second) {
            throw ReportError.incompatibleRuns(first: first.displayName, second: second.displayName, reason: reason)
        }
        return try makePair(first, second, correctFirst: correctness(first), correctSecond: correctness(second))
    }

    /// Why two runs may not be compared head to head, or nil when they may.
    public static func incompatibility(_ a: RunFolder, _ b: RunFolder) -> String? {
        let x = a.metrics, y = b.metrics
        if x.isCrossCorpus != y.isCrossCorpus {
            return "\(x.isCrossCorpus ? a.displayName : b.displayName) is a cross-corpus run (\(x.isCrossCorpus ? x.protocol.kind : y.protocol.kind)) and the other a within-corpus run"
        }
        if x.corpus != y.corpus { return "they use different corpora (\(x.corpus) vs \(y.corpus))" }
        if Set(x.labels) != Set(y.labels) {
            return "they use different label sets (\(x.labels.sorted().joined(separator: ",")) vs \(y.labels.sorted().joined(separator: ",")))"
        }
        guard let hashA = x.protocol.foldsHash, let hashB = y.protocol.foldsHash else {
            return "\(x.protocol.foldsHash == nil ? a.displayName : b.displayName) recorded no folds hash, so its test folds cannot be shown to be the same"
        }
        if hashA != hashB {
            return "they were tested on different folds (\(x.protocol.kind) \(x.protocol.folds) folds, hash \(hashA.prefix(12)) vs \(y.protocol.kind) \(y.protocol.folds) folds, hash \(hashB.prefix(12))): fold scores are not paired"
        }
        if Set(x.folds.map(\.fold)) != Set(y.folds.map(\.fold)) {
            return "they report different folds (\(x.folds.map(\.fold).sorted()) vs \(y.folds.map(\.fold).sorted()))"
        }
        return nil
    }

    static func groupKey(_ run: RunFolder) -> String {
        let m = run.metrics
        // A run without a folds hash gets a group of its own: it can never be paired.
        let folds = m.protocol.foldsHash ?? "unrecorded:\(run.url.path)"
        // Within-corpus groups sort first; cross-corpus runs never share a group with them.
        return "\(m.isCrossCorpus ? "1" : "0")\u{1}\(m.corpus)\u{1}\(m.labels.sorted().joined(separator: ","))\u{1}\(folds)"
    }

    static func makeGroup(_ runs: [RunFolder], allPairs: Bool) throws -> ComparisonGroup {
        var rows = runs.map(makeRow)
        for metric in Metric.allCases {
            // A run without fold values (NaN mean) is never best.
            guard let best = rows.map({ $0.summary(metric).mean }).filter(\.isFinite).max() else { continue }
            for index in rows.indices where rows[index].summary(metric).mean == best { rows[index].best.append(metric.rawValue) }
        }
        let byName = Dictionary(uniqueKeysWithValues: runs.map { ($0.displayName, $0) })
        rows.sort { a, b in
            let x = a.summary(.uar).mean, y = b.summary(.uar).mean
            if x.isFinite != y.isFinite { return x.isFinite }
            return x != y && x.isFinite ? x > y : a.run < b.run
        }
        let reference = rows.first!.run
        // Each run's predictions.csv is read once, when its first pair needs it.
        var correctnessByRun: [String: [String: Bool]?] = [:]
        func correct(_ name: String) throws -> [String: Bool]? {
            if let known = correctnessByRun[name] { return known }
            let loaded = try correctness(byName[name]!)
            correctnessByRun[name] = .some(loaded)
            return loaded
        }
        func comparePair(_ first: String, _ second: String) throws -> PairComparison {
            let correctFirst = try correct(first)
            return try makePair(byName[first]!, byName[second]!, correctFirst: correctFirst, correctSecond: try correct(second))
        }
        var pairs: [PairComparison] = []
        if allPairs {
            for i in rows.indices { for j in rows.indices where j > i { pairs.append(try comparePair(rows[i].run, rows[j].run)) } }
        } else {
            for row in rows.dropFirst() { pairs.append(try comparePair(row.run, reference)) }
        }
        adjustForMultipleComparisons(&pairs)
        let first = runs[0].metrics
        return ComparisonGroup(corpus: first.corpus, labels: first.labels, protocolKind: first.protocol.kind, foldCount: first.protocol.folds,
                               foldsHash: first.protocol.foldsHash, rows: rows, reference: rows.count > 1 ? reference : nil, pairs: pairs,
                               crossCorpus: first.isCrossCorpus ? true : nil)
    }

    /// With more than one pair, sets each test's `holmPValue`: Holm's adjustment over that test's
    /// p-values on all pairs of the group (each test kind is its own family).
    static func adjustForMultipleComparisons(_ pairs: inout [PairComparison]) {
        guard pairs.count > 1 else { return }
        for test in [\PairComparison.wilcoxon, \PairComparison.pairedT, \PairComparison.mcnemar] {
            let tested = pairs.indices.filter { pairs[$0][keyPath: test] != nil }
            let adjusted = SignificanceTests.holmAdjusted(tested.map { pairs[$0][keyPath: test]!.pValue })
            for (index, p) in zip(tested, adjusted) { pairs[index][keyPath: test]!.holmPValue = p }
        }
    }

    static func makeRow(_ run: RunFolder) -> ComparisonRow {
        var metrics: [String: Summary] = [:]
        for metric in Metric.allCases {
            let values = run.foldValues(metric)
            metrics[metric.rawValue] = values.isEmpty ? Summary([.nan]) : Summary(values, testCounts: run.foldTestCounts)
        }
        return ComparisonRow(run: run.displayName, configName: run.metrics.name, model: run.metrics.model, features: run.featuresSummary,
                             parameters: run.parametersSummary, timeSeconds: run.totalSeconds, metrics: metrics, best: [],
                             syntheticData: run.metrics.syntheticData ?? false, speakerOverlap: run.metrics.speakerOverlap ?? false)
    }

    /// Whether each utterance of `run`'s predictions.csv was predicted right, keyed by fold and path
    /// (the first line wins on a repeat); nil when the run has no predictions.csv.
    static func correctness(_ run: RunFolder) throws -> [String: Bool]? {
        guard let predictions = try run.predictions() else { return nil }
        return Dictionary(predictions.map { ("\($0.fold)\u{1}\($0.path)", $0.isCorrect) }, uniquingKeysWith: { x, _ in x })
    }

    /// `correctFirst` and `correctSecond` are `correctness(first)` and `correctness(second)`, passed in
    /// so a comparison reads each run's predictions once however many pairs it is in.
    static func makePair(_ first: RunFolder, _ second: RunFolder, correctFirst: [String: Bool]?, correctSecond: [String: Bool]?) throws -> PairComparison {
        var notes: [String] = []
        var differences: [String: Double] = [:]
        for metric in Metric.allCases {
            differences[metric.rawValue] = Summary.mean(zip(first.foldValues(metric), second.foldValues(metric)).map { $0 - $1 })
        }
        let a = first.foldValues(.uar), b = second.foldValues(.uar)
        let wilcoxon = SignificanceTests.wilcoxonSignedRank(a, b)
        if wilcoxon == nil { notes.append("Wilcoxon: every fold's UAR is identical") }
        let t = SignificanceTests.pairedT(a, b)
        if t == nil { notes.append(a.count < 2 ? "paired t: needs at least two folds" : "paired t: the fold differences do not vary") }
        var mcnemar: TestResult? = nil
        var onlyFirst: Int? = nil, onlySecond: Int? = nil
        if let correctA = correctFirst, let correctB = correctSecond {
            if Set(correctA.keys) == Set(correctB.keys) {
                var b = 0, c = 0
                for (utterance, rightA) in correctA {
                    let rightB = correctB[utterance]!
                    if rightA && !rightB { b += 1 } else if !rightA && rightB { c += 1 }
                }
                mcnemar = SignificanceTests.mcnemar(onlyFirstCorrect: b, onlySecondCorrect: c)
                onlyFirst = b; onlySecond = c
            } else {
                notes.append("McNemar: predictions.csv of the two runs list different utterances (\(correctA.count) vs \(correctB.count))")
            }
        } else {
            notes.append("McNemar: predictions.csv missing in \(correctFirst == nil ? first.displayName : second.displayName)")
        }
        return PairComparison(first: first.displayName, second: second.displayName, meanDifference: differences,
                              wilcoxon: wilcoxon, pairedT: t, mcnemar: mcnemar, onlyFirstCorrect: onlyFirst, onlySecondCorrect: onlySecond, notes: notes)
    }
}
