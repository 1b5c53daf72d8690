import Foundation
import SERCore
import SERResults

/// `serlab compare --per-class`: per comparison group, each class's precision, recall and F1 for
/// every run side by side, pooled over folds (from the summed confusion matrices), with the mean
/// and sd over folds in CSV and JSON.
public struct PerClassComparison: Codable, Equatable, Sendable, ComparisonTable {
    public struct Group: Codable, Equatable, Sendable {
        public var title: String
        public var labels: [String]
        /// In the comparison's row order (best UAR first).
        public var runs: [PerClassMetrics]
    }

    public var groups: [Group]

    /// The groups of `comparison` (built from `runs`), each run's per-class metrics in label order
    /// of the group.
    public init(runs: [RunFolder], comparison: Comparison) {
        let byName = Dictionary(runs.map { ($0.displayName, $0) }, uniquingKeysWith: { a, _ in a })
        groups = comparison.groups.map { group in
            Group(title: group.title, labels: group.labels, runs: group.rows.compactMap { row in
                byName[row.run].map { PerClassMetrics(run: $0).reordered(group.labels) }
            })
        }
    }

    public func render(_ format: ComparisonFormat) throws -> String { try rendered(format) }

    func latex() -> String { LaTeXTable.perClass(self) }

    static let legend = "Per class: precision / recall / F1 in %, pooled over folds (the summed confusion matrices)."

    /// "80.0 / 82.1 / 81.0" for one class of one run, "-" without pooled numbers.
    static func cell(_ metrics: PerClassMetrics, _ classIndex: Int) -> String {
        guard let pooled = metrics.pooled?[classIndex] else { return "-" }
        return PerClassMetrics.Measure.allCases.map { Comparison.percent($0.value(pooled)) }.joined(separator: " / ")
    }

    static func support(_ group: Group, _ classIndex: Int) -> String {
        group.runs.lazy.compactMap { $0.pooled?[classIndex].support }.first.map(String.init) ?? "-"
    }

    func table(markdown: Bool) -> String {
        var out: [String] = []
        for group in groups {
            let header = ["class", "support"] + group.runs.map(\.run)
            let lines = group.labels.indices.map { index in
                [group.labels[index], Self.support(group, index)] + group.runs.map { Self.cell($0, index) }
            }
            if markdown {
                out += ["### \(group.title)", ""] + Comparison.markdownTable(header: header, rows: lines) + ["", Self.legend, ""]
            } else {
                out += ["== \(group.title) =="] + Comparison.aligned([header] + lines) + [Self.legend, ""]
            }
        }
        return out.joined(separator: "\n")
    }

    /// One row per group, run and class: pooled precision, recall, F1 and support, then each
    /// measure's mean and sd over folds.
    func csv() -> String {
        var header = ["group", "run", "class", "support"] + PerClassMetrics.Measure.allCases.map(\.rawValue)
        for measure in PerClassMetrics.Measure.allCases { header += ["\(measure.rawValue)_foldMean", "\(measure.rawValue)_foldStd"] }
        var lines = [header.joined(separator: ",")]
        func number(_ value: Double?) -> String { value.map { $0.isNaN ? "" : String($0) } ?? "" }
        for (groupIndex, group) in groups.enumerated() {
            for run in group.runs {
                for (index, label) in group.labels.enumerated() {
                    let pooled = run.pooled?[index]
                    var fields = [String(groupIndex + 1), run.run, label, pooled.map { String($0.support) } ?? ""]
                    fields += PerClassMetrics.Measure.allCases.map { measure in number(pooled.map(measure.value)) }
                    for measure in PerClassMetrics.Measure.allCases {
                        let values = run.foldValues(measure, classIndex: index)
                        fields += [number(values.isEmpty ? nil : Summary.mean(values)), number(values.count < 2 ? nil : Summary.standardDeviation(values))]
                    }
                    lines.append(CSV.line(fields))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension PerClassMetrics {
    /// The same numbers in the order of `labels` (a set equal to this run's labels).
    func reordered(_ order: [String]) -> PerClassMetrics {
        guard order != labels, Set(order) == Set(labels) else { return self }
        let positions = order.map { labels.firstIndex(of: $0)! }
        return PerClassMetrics(run: run, labels: order, pooled: pooled.map { p in positions.map { p[$0] } },
                               folds: folds.map { fold in Fold(fold: fold.fold, classes: positions.map { fold.classes[$0] }) })
    }
}
