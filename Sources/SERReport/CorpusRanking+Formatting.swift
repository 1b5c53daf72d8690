import Foundation
import SERCore
import SERPlot

extension CorpusRanking: ComparisonTable {
    public func render(_ format: ComparisonFormat) throws -> String { try rendered(format) }

    func latex() -> String { LaTeXTable.ranking(self) }

    static let heading = "Across corpora: mean UAR over folds in %, the model's rank on that corpus in brackets (1 = best)"

    /// "64.1 (1)", "-" for no run; the rank only on corpora in the ranking.
    func cell(_ model: Int, _ dataset: Int) -> String {
        guard let cell = cells[model][dataset] else { return "-" }
        return Comparison.percent(cell.meanUAR) + (ranks[model][dataset].map { " (\(Self.rank($0)))" } ?? "")
    }

    /// 2, 2.5, 2.33.
    static func rank(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value).replacingOccurrences(of: "0$", with: "", options: .regularExpression)
    }

    /// The test results in sentences: Friedman, Iman-Davenport, Nemenyi's CD and which pairs differ.
    public func testLines() -> [String] {
        guard let friedman, let nemenyi else { return [] }
        let k = models.count, n = friedman.blocks
        var lines = ["Friedman test over \(n) corpora and \(k) models: χ²(\(k - 1)) = \(String(format: "%.2f", friedman.chiSquared.statistic)), "
                     + "\(Comparison.pValue(friedman.chiSquared.pValue)) (tie-corrected)"
                     + (friedman.imanDavenport.map { "; Iman-Davenport \($0.method) = \(String(format: "%.2f", $0.statistic)), \(Comparison.pValue($0.pValue))" } ?? "")]
        var differing: [String] = []
        for i in models.indices { for j in models.indices where j > i && averageRanks[j] - averageRanks[i] > nemenyi.criticalDifference {
            differing.append("\(models[i]) vs \(models[j])")
        } }
        lines.append("Nemenyi post-hoc (α = \(nemenyi.alpha)): critical difference \(String(format: "%.2f", nemenyi.criticalDifference)) "
                     + "(q = \(String(format: "%.3f", nemenyi.q))); average ranks further apart differ: "
                     + (differing.isEmpty ? "no pair" : differing.joined(separator: ", ")))
        if n < 5 || k < 3 {
            lines.append("With \(n) corpora and \(k) models these tests have little power (Demšar suggests ten or more data sets).")
        }
        return lines
    }

    func table(markdown: Bool) -> String {
        let header = ["model"] + datasets + (averageRanks.isEmpty ? [] : ["average rank"])
        let lines = models.indices.map { row in
            [models[row]] + datasets.indices.map { cell(row, $0) } + (averageRanks.isEmpty ? [] : [String(format: "%.2f", averageRanks[row])])
        }
        var out: [String]
        if markdown {
            out = ["### \(Self.heading)", ""] + Comparison.markdownTable(header: header, rows: lines) + [""]
            out += (testLines() + notes).map { "- " + $0 }
        } else {
            out = ["== \(Self.heading) =="] + Comparison.aligned([header] + lines)
            out += testLines()
            out += notes.map { "note: " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One row per model and corpus: the run used, its mean UAR and rank (empty off the ranking).
    func csv() -> String {
        var lines = ["model,corpus,run,meanUAR,folds,rank,averageRank"]
        for (row, model) in models.enumerated() {
            for (column, dataset) in datasets.enumerated() {
                let cell = cells[row][column]
                lines.append(CSV.line([model, dataset, cell?.run ?? "", cell.map { String($0.meanUAR) } ?? "", cell.map { String($0.foldCount) } ?? "",
                                       ranks[row][column].map { String($0) } ?? "", averageRanks.isEmpty ? "" : String(averageRanks[row])]))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Demšar's critical-difference diagram, or nil without the rank tests.
    public func diagram() -> CriticalDifferenceDiagram? {
        guard let nemenyi, !averageRanks.isEmpty else { return nil }
        return CriticalDifferenceDiagram(title: "Average rank over \(completeDatasets.count) corpora (Nemenyi, α = \(nemenyi.alpha))",
                                         names: models, averageRanks: averageRanks, criticalDifference: nemenyi.criticalDifference, groups: nemenyi.groups)
    }
}
