import Foundation

/// `--format latex`: compare tables for papers, as booktabs tables (`\usepackage{booktabs}`),
/// cells "mean $\pm$ sd" in percent, the best value of each column in bold.
enum LaTeXTable {
    /// Escapes LaTeX's special characters in text (run names hold `_`).
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(character)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "±": out += "$\\pm$"
            case "χ": out += "$\\chi$"
            case "²": out += "$^2$"
            default: out.append(character)
            }
        }
        return out
    }

    /// A `table` environment: `header` and `rows` are already LaTeX (escape text first); `alignment`
    /// is the tabular column spec; `headerRules` lines (e.g. `\cmidrule`) go between header rows.
    static func table(caption: String, label: String, alignment: String, header: [[String]], rows: [[String]], headerRules: [String] = []) -> String {
        var lines = ["\\begin{table}[t]", "\\centering", "\\caption{\(caption)}", "\\label{\(label)}", "\\begin{tabular}{\(alignment)}", "\\toprule"]
        for (index, row) in header.enumerated() {
            lines.append(row.joined(separator: " & ") + " \\\\")
            if index < headerRules.count { lines.append(headerRules[index]) }
        }
        lines.append("\\midrule")
        lines += rows.map { $0.joined(separator: " & ") + " \\\\" }
        lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return lines.joined(separator: "\n")
    }

    static func bold(_ text: String, _ isBest: Bool) -> String { isBest ? "\\textbf{\(text)}" : text }

    /// "64.1 $\pm$ 4.0".
    static func meanSD(_ summary: Summary) -> String {
        "\(Comparison.percent(summary.mean)) $\\pm$ \(Comparison.percent(summary.standardDeviation))"
    }

    static let preamble = "% serlab compare --format latex: needs \\usepackage{booktabs} in the preamble\n"

    /// One table per comparison group: run, model, then WA, UAR and macro-F1 as mean ± sd.
    static func comparison(_ comparison: Comparison) -> String {
        var tables: [String] = []
        for (index, group) in comparison.groups.enumerated() {
            let rows = group.rows.map { row in
                [escape(row.run + Comparison.flags(row)), escape(row.model)] + Metric.allCases.map { metric in
                    bold(meanSD(row.summary(metric)), group.rows.count > 1 && row.best.contains(metric.rawValue))
                }
            }
            let caption = escape("\(group.corpus), \(group.labels.count) classes, \(group.protocolKind), \(group.foldCount) folds: ")
                + "mean $\\pm$ sd over folds in \\%" + (group.rows.count > 1 ? "; best in bold." : ".")
            tables.append(table(caption: caption, label: "tab:serlab-compare-\(index + 1)", alignment: "ll" + String(repeating: "r", count: Metric.allCases.count),
                                header: [["Run", "Model"] + Metric.allCases.map { escape($0.title) }], rows: rows))
        }
        return preamble + tables.joined(separator: "\n\n") + "\n"
    }

    /// Per group: one row per class, for each run its pooled precision, recall and F1 (best of each
    /// class and measure across runs in bold).
    static func perClass(_ comparison: PerClassComparison) -> String {
        var tables: [String] = []
        let measures = PerClassMetrics.Measure.allCases
        for (index, group) in comparison.groups.enumerated() {
            let rows = group.labels.indices.map { classIndex -> [String] in
                var cells = [escape(group.labels[classIndex])]
                for measure in measures {
                    let values = group.runs.map { $0.pooled.map { measure.value($0[classIndex]) } }
                    let best = values.compactMap { $0 }.max()
                    for value in values {
                        cells.append(value.map { bold(Comparison.percent($0), group.runs.count > 1 && $0 == best) } ?? "--")
                    }
                }
                return cells
            }
            // Columns grouped by measure, one column per run inside each.
            let n = group.runs.count
            let top = ["Class"] + measures.map { "\\multicolumn{\(n)}{c}{\(escape($0.title.capitalized))}" }
            let rules = measures.indices.map { "\\cmidrule(lr){\(2 + $0 * n)-\(1 + ($0 + 1) * n)}" }.joined()
            let names = [""] + measures.flatMap { _ in shortNames(group.runs.map(\.run)).map(escape) }
            let caption = escape("\(group.title): ") + "per-class precision, recall and F1 in \\%, pooled over folds" + (n > 1 ? "; best of each class in bold." : ".")
            tables.append(table(caption: caption, label: "tab:serlab-per-class-\(index + 1)", alignment: "l" + String(repeating: "r", count: measures.count * n),
                                header: [top, names], rows: rows, headerRules: [rules]))
        }
        return preamble + tables.joined(separator: "\n\n") + "\n"
    }

    /// Config names (`<config>/<run id>` without the run id) where they tell the runs apart, else the full names.
    static func shortNames(_ runs: [String]) -> [String] {
        let configs = runs.map { String($0.split(separator: "/", maxSplits: 1).first ?? Substring($0)) }
        return Set(configs).count == configs.count ? configs : runs
    }

    /// Models x corpora mean UAR (best per corpus in bold) and the average rank (lowest in bold).
    static func ranking(_ ranking: CorpusRanking) -> String {
        let rows = ranking.models.indices.map { row -> [String] in
            var cells = [escape(ranking.models[row])]
            for column in ranking.datasets.indices {
                guard let cell = ranking.cells[row][column] else { cells.append("--"); continue }
                let best = ranking.cells.compactMap { $0[column]?.meanUAR }.max()
                cells.append(bold(Comparison.percent(cell.meanUAR), cell.meanUAR == best))
            }
            if !ranking.averageRanks.isEmpty {
                cells.append(bold(String(format: "%.2f", ranking.averageRanks[row]), ranking.averageRanks[row] == ranking.averageRanks.min()))
            }
            return cells
        }
        var caption = "Mean UAR over folds in \\% per corpus (best in bold)"
        if let friedman = ranking.friedman, let nemenyi = ranking.nemenyi {
            caption += String(format: "; Friedman $\\chi^2(%d) = %.2f$, ", ranking.models.count - 1, friedman.chiSquared.statistic)
                + escape(Comparison.pValue(friedman.chiSquared.pValue)) + String(format: "; Nemenyi critical difference %.2f.", nemenyi.criticalDifference)
        } else {
            caption += "."
        }
        let header = ["Model"] + ranking.datasets.map(escape) + (ranking.averageRanks.isEmpty ? [] : ["Avg.\\ rank"])
        return preamble + table(caption: caption, label: "tab:serlab-across-corpora", alignment: "l" + String(repeating: "r", count: header.count - 1),
                                header: [header], rows: rows) + "\n"
    }
}
