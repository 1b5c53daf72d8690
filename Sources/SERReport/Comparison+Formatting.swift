import Foundation
import SERCore

/// Output formats of `serlab compare`.
public enum ComparisonFormat: String, CaseIterable, Codable, Sendable {
    case table, markdown, csv, json, latex
}

extension Comparison {
    public func render(_ format: ComparisonFormat) throws -> String {
        switch format {
        case .table: return tableText()
        case .markdown: return markdown()
        case .csv: return csv()
        case .json: return try Comparison.json(self)
        case .latex: return LaTeXTable.comparison(self)
        }
    }

    /// `serlab compare --format json` output of a whole comparison or one `--pair`: pretty printed,
    /// sorted keys, trailing newline. NaN and infinities (the mean of a run without fold values, the
    /// mean difference of two runs without folds) are written as the strings "nan", "inf", "-inf";
    /// a plain `JSONEncoder` throws on them.
    public static func json<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// "62.3 ± 1.2 [60.1, 64.5]" in percent, `*` appended when best.
    static func cell(_ summary: Summary, best: Bool, marker: String = "*") -> String {
        var text = "\(percent(summary.mean)) ± \(percent(summary.standardDeviation))"
        if let low = summary.confidenceLow, let high = summary.confidenceHigh { text += " [\(percent(low)), \(percent(high))]" }
        return best ? text + marker : text
    }

    static func percent(_ value: Double) -> String { value.isNaN ? "n/a" : String(format: "%.1f", value * 100) }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(String(format: "%02d", Int(seconds) % 60))s" }
        return "\(Int(seconds) / 3600)h\(String(format: "%02d", Int(seconds) % 3600 / 60))m"
    }

    /// "p<0.001", or "p=" with three significant digits (p=0.0625, p=0.00912).
    static func pValue(_ p: Double) -> String { p < 0.001 ? "p<0.001" : "p=" + String(format: "%.3g", p) }

    /// "p=0.0625", with ", Holm p=0.125" when the test has a Holm-adjusted p-value.
    static func pValues(_ result: TestResult) -> String {
        pValue(result.pValue) + (result.holmPValue.map { ", Holm " + pValue($0) } ?? "")
    }

    /// One line per pair: the UAR difference and the three tests.
    static func pairLine(_ pair: PairComparison) -> String {
        var parts = ["\(pair.first) vs \(pair.second): ΔUAR \(String(format: "%+.1f", (pair.meanDifference["uar"] ?? .nan) * 100)) pts"]
        if let w = pair.wilcoxon { parts.append("Wilcoxon \(pValues(w)) (\(w.method), n=\(w.sampleSize))") }
        if let t = pair.pairedT { parts.append("paired t \(pValues(t)) (\(t.method)=\(String(format: "%.2f", t.statistic)))") }
        if let m = pair.mcnemar, let b = pair.onlyFirstCorrect, let c = pair.onlySecondCorrect {
            parts.append("McNemar \(pValues(m)) (\(b) vs \(c) discordant, \(m.method))")
        }
        var line = parts.joined(separator: "; ")
        if !pair.notes.isEmpty { line += " [" + pair.notes.joined(separator: "; ") + "]" }
        return line
    }

    static func flags(_ row: ComparisonRow) -> String {
        (row.syntheticData ? " (synthetic data)" : "") + (row.speakerOverlap ? " (speaker overlap)" : "")
    }

    static func truncate(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    func tableText() -> String {
        var out: [String] = []
        for group in groups {
            out.append("== \(group.title) ==")
            let header = ["run", "model", "features", "params", "time"] + Metric.allCases.map(\.title)
            var lines = [header]
            for row in group.rows {
                lines.append([row.run + Comparison.flags(row), row.model, Comparison.truncate(row.features, 40), Comparison.truncate(row.parameters, 36),
                              Comparison.duration(row.timeSeconds)]
                             + Metric.allCases.map { Comparison.cell(row.summary($0), best: group.rows.count > 1 && row.best.contains($0.rawValue)) })
            }
            out += Comparison.aligned(lines)
            out.append(Comparison.legend(group))
            out += Comparison.pairSection(group).map { "  " + $0 }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// Rows as text columns, each padded to its widest cell, two spaces apart, trailing spaces trimmed.
    static func aligned(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { line in
            zip(line, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    /// A Markdown table: the first column left-aligned, the others right-aligned, `|` in cells escaped.
    static func markdownTable(header: [String], rows: [[String]]) -> [String] {
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        return [line(header), "|---|" + header.dropFirst().map { _ in "---:|" }.joined()] + rows.map(line)
    }

    static func legend(_ group: ComparisonGroup) -> String {
        "Mean ± sd over \(group.foldCount) folds in %, [\(Summary.intervalName)]" + (group.rows.count > 1 ? "; * best in column." : ".")
    }

    static func pairSection(_ group: ComparisonGroup) -> [String] {
        guard !group.pairs.isEmpty else { return [] }
        let heading = group.reference.map { "Paired tests against the best UAR run \($0)" } ?? "Paired tests"
        let holm = group.pairs.count > 1
            ? "; each raw p beside its Holm-adjusted p over the \(group.pairs.count) comparisons of that test" : ""
        return ["\(heading) (Wilcoxon and t on fold UARs, McNemar on pooled predictions; two-sided\(holm)):"]
            + group.pairs.map(pairLine)
    }

    func markdown() -> String {
        var out: [String] = []
        for group in groups {
            out.append("### \(group.title)\n")
            out.append("| run | model | features | params | time | " + Metric.allCases.map(\.title).joined(separator: " | ") + " |")
            out.append("|---|---|---|---|---|" + Metric.allCases.map { _ in "---:" }.joined(separator: "|") + "|")
            for row in group.rows {
                let cells = Metric.allCases.map { metric -> String in
                    let best = group.rows.count > 1 && row.best.contains(metric.rawValue)
                    let text = Comparison.cell(row.summary(metric), best: false)
                    return best ? "**\(text)**" : text
                }
                let escaped = [row.run + Comparison.flags(row), row.model, row.features, row.parameters, Comparison.duration(row.timeSeconds)]
                    .map { $0.replacingOccurrences(of: "|", with: "\\|") }
                out.append("| " + (escaped + cells).joined(separator: " | ") + " |")
            }
            out.append("")
            out.append(Comparison.legend(group).replacingOccurrences(of: "* best", with: "bold: best"))
            let pairs = Comparison.pairSection(group)
            if !pairs.isEmpty {
                out.append("")
                out.append(pairs[0])
                out.append("")
                out += pairs.dropFirst().map { "- " + $0 }
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    func csv() -> String {
        var header = ["group", "corpus", "labels", "protocol", "folds", "foldsHash", "run", "config", "model", "features", "parameters", "timeSeconds",
                      "syntheticData", "speakerOverlap"]
        for metric in Metric.allCases {
            header += ["mean", "std", "ci95Low", "ci95High", "best"].map { "\(metric.rawValue)_\($0)" }
        }
        header += ["reference", "uarDifference", "wilcoxonP", "pairedTP", "mcnemarP", "onlyThisCorrect", "onlyReferenceCorrect",
                   "wilcoxonHolmP", "pairedTHolmP", "mcnemarHolmP"]
        var lines = [header.joined(separator: ",")]
        func number(_ value: Double?) -> String { value.map { $0.isNaN ? "" : String($0) } ?? "" }
        for (groupIndex, group) in groups.enumerated() {
            for row in group.rows {
                var fields = [String(groupIndex + 1), group.corpus, group.labels.joined(separator: ";"), group.protocolKind, String(group.foldCount),
                              group.foldsHash ?? "", row.run, row.configName, row.model, row.features, row.parameters, number(row.timeSeconds),
                              String(row.syntheticData), String(row.speakerOverlap)]
                for metric in Metric.allCases {
                    let s = row.summary(metric)
                    fields += [number(s.mean), number(s.standardDeviation), number(s.confidenceLow), number(s.confidenceHigh),
                               String(group.rows.count > 1 && row.best.contains(metric.rawValue))]
                }
                if let pair = group.pairs.first(where: { $0.first == row.run && $0.second == group.reference }) {
                    fields += [pair.second, number(pair.meanDifference["uar"]), number(pair.wilcoxon?.pValue), number(pair.pairedT?.pValue),
                               number(pair.mcnemar?.pValue), pair.onlyFirstCorrect.map(String.init) ?? "", pair.onlySecondCorrect.map(String.init) ?? "",
                               number(pair.wilcoxon?.holmPValue), number(pair.pairedT?.holmPValue), number(pair.mcnemar?.holmPValue)]
                } else {
                    fields += ["", "", "", "", "", "", "", "", "", ""]
                }
                lines.append(CSV.line(fields))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The outputs of `serlab compare --per-class` and `--across corpora`: every format from a text
/// table (aligned or Markdown), CSV and LaTeX.
protocol ComparisonTable: Encodable {
    func table(markdown: Bool) -> String
    func csv() -> String
    func latex() -> String
}

extension ComparisonTable {
    func rendered(_ format: ComparisonFormat) throws -> String {
        switch format {
        case .table: return table(markdown: false)
        case .markdown: return table(markdown: true)
        case .csv: return csv()
        case .json: return try Comparison.json(self)
        case .latex: return latex()
        }
    }
}

extension PairComparison {
    /// The pair alone, as a short text block (for `serlab compare --pair A B`).
    public func text() -> String { Comparison.pairLine(self) + "\n" }
}
