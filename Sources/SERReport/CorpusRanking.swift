import Foundation
import SERCore

/// `serlab compare --across corpora`: which model wins across corpora. The models x corpora matrix
/// of mean UAR over folds, each model's rank per corpus (1 = best, ties share the average rank),
/// Friedman's test that all models rank alike, and Nemenyi's critical difference (Demšar 2006).
///
/// A model is metrics.json's `model` (mlp, cnn, lstm...); a data set is a corpus, or
/// "corpus (protocol)" when that corpus was run under several protocols (tess's stratified folds
/// and its cross-speaker split are different questions). Where a model has several runs on a
/// data set the latest counts (the most recently written metrics.json, then the highest run id:
/// `--run-id` names need not sort by time) and the notes name the others. Only data sets on
/// which every model has a run enter the ranks and tests.
public struct CorpusRanking: Codable, Equatable, Sendable {
    public struct Cell: Codable, Equatable, Sendable {
        /// `<config name>/<run id>`.
        public var run: String
        public var meanUAR: Double
        public var foldCount: Int
    }

    /// Rows, best average rank first (by name when there are no ranks).
    public var models: [String]
    /// Columns, sorted.
    public var datasets: [String]
    /// `cells[model][dataset]`; nil where the model has no run on the data set.
    public var cells: [[Cell?]]
    /// The data sets every model has a run on: the blocks of the rank tests.
    public var completeDatasets: [String]
    /// `ranks[model][dataset]` on the complete data sets, nil elsewhere.
    public var ranks: [[Double?]]
    /// Over the complete data sets; empty without any.
    public var averageRanks: [Double]
    /// nil with fewer than two models or two complete data sets (the notes say why).
    public var friedman: RankTests.Friedman?
    public var nemenyi: RankTests.Nemenyi?
    public var notes: [String]

    /// Runs without fold values are left out (they have no mean UAR).
    public init(runs: [RunFolder]) {
        let runs = runs.filter { !$0.metrics.folds.isEmpty }
        let kindsByCorpus = Dictionary(grouping: runs, by: \.metrics.corpus).mapValues { Set($0.map(\.metrics.protocol.kind)) }
        func dataset(_ run: RunFolder) -> String {
            let corpus = run.metrics.corpus
            return (kindsByCorpus[corpus]?.count ?? 1) > 1 ? "\(corpus) (\(run.metrics.protocol.kind))" : corpus
        }
        var chosen: [String: [String: RunFolder]] = [:]
        var skipped: [String: [String]] = [:]
        let written = Dictionary(runs.map { ($0.displayName, CorpusRanking.writtenAt($0)) }, uniquingKeysWith: { a, _ in a })
        for run in runs.sorted(by: { (written[$0.displayName]!, $0.runID, $0.displayName) > (written[$1.displayName]!, $1.runID, $1.displayName) }) {
            let model = run.metrics.model, set = dataset(run)
            if chosen[model]?[set] == nil { chosen[model, default: [:]][set] = run } else { skipped["\(model)\u{1}\(set)", default: []].append(run.displayName) }
        }
        let datasets = Array(Set(runs.map(dataset))).sorted()
        var models = chosen.keys.sorted()
        var notes: [String] = skipped.keys.sorted().map { key in
            let parts = key.split(separator: "\u{1}").map(String.init)
            return "\(parts[0]) on \(parts[1]): used \(chosen[parts[0]]![parts[1]]!.displayName), the latest run; not used: \(skipped[key]!.sorted().joined(separator: ", "))"
        }
        let complete = datasets.filter { set in models.allSatisfy { chosen[$0]?[set] != nil } }
        for set in datasets where !complete.contains(set) {
            let missing = models.filter { chosen[$0]?[set] == nil }
            notes.append("\(set) left out of the ranks: no run of \(missing.joined(separator: ", "))")
        }
        func uar(_ model: String, _ set: String) -> Double { Summary.mean(chosen[model]![set]!.foldValues(.uar)) }
        var friedman: RankTests.Friedman? = nil
        var nemenyi: RankTests.Nemenyi? = nil
        var average: [Double] = []
        if models.count >= 2 && complete.count >= 2 {
            let result = RankTests.friedman(complete.map { set in models.map { uar($0, set) } })
            // Rows best first: reorder the models by average rank.
            let order = models.indices.sorted { (result.averageRanks[$0], models[$0]) < (result.averageRanks[$1], models[$1]) }
            models = order.map { models[$0] }
            friedman = RankTests.friedman(complete.map { set in models.map { uar($0, set) } })
            average = friedman!.averageRanks
            nemenyi = RankTests.nemenyi(averageRanks: average, blocks: complete.count)
        } else {
            notes.append("no rank tests: they need at least two models and two corpora on which every model has a run (found \(models.count) models, \(complete.count) such corpora)")
        }
        self.models = models
        self.datasets = datasets
        self.cells = models.map { model in
            datasets.map { set in chosen[model]?[set].map { Cell(run: $0.displayName, meanUAR: Summary.mean($0.foldValues(.uar)), foldCount: $0.metrics.folds.count) } }
        }
        self.completeDatasets = complete
        var ranks = [[Double?]](repeating: [Double?](repeating: nil, count: datasets.count), count: models.count)
        for set in complete {
            let column = datasets.firstIndex(of: set)!
            for (row, rank) in RankTests.descendingRanks(models.map { uar($0, set) }).enumerated() { ranks[row][column] = rank }
        }
        self.ranks = ranks
        self.averageRanks = average
        self.friedman = friedman
        self.nemenyi = nemenyi
        self.notes = notes
    }

    /// When the run's metrics.json was last written, or the distant past when it cannot be read.
    static func writtenAt(_ run: RunFolder) -> Date {
        let attributes = try? FileManager.default.attributesOfItem(atPath: run.url.appendingPathComponent("metrics.json").path)
        return attributes?[.modificationDate] as? Date ?? .distantPast
    }
}
