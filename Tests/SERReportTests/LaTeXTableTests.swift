import Foundation
import Testing
import SERTestSupport
@testable import SERReport

/// `--format latex`: the structure of the booktabs tables. (Compiling them needs pdflatex:
/// tools/compile_latex.sh, run by hand or in CI where texlive is installed.)
@Suite struct LaTeXTableTests {
    @Test func escapesTheSpecialCharacters() {
        #expect(LaTeXTable.escape("mlp_savee/r1 & 50% #1 {x} ~ ^ \\ $") == "mlp\\_savee/r1 \\& 50\\% \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\$")
        #expect(LaTeXTable.escape("64 ± 2") == "64 $\\pm$ 2")
    }

    /// Every `\X` of a table line, outside `$...$`, is a command; every `_`, `%`, `&` in text is escaped or a column separator.
    static func checkStructure(_ latex: String, tables: Int) {
        #expect(latex.hasPrefix("% serlab compare --format latex: needs \\usepackage{booktabs}"))
        for (open, close) in [("\\begin{table}", "\\end{table}"), ("\\begin{tabular}", "\\end{tabular}")] {
            #expect(latex.components(separatedBy: open).count - 1 == tables)
            #expect(latex.components(separatedBy: close).count - 1 == tables)
        }
        for rule in ["\\toprule", "\\midrule", "\\bottomrule"] { #expect(latex.components(separatedBy: rule).count - 1 == tables) }
        for line in latex.split(separator: "\n") where !line.hasPrefix("%") {
            #expect(!line.contains(where: { $0 == "_" }) || !line.replacingOccurrences(of: "\\_", with: "").contains("_"), "unescaped _ in \(line)")
            #expect(!line.replacingOccurrences(of: "\\%", with: "").contains("%"), "unescaped % in \(line)")
            #expect(!line.contains("±"))
        }
        // Rows have as many cells as the tabular has columns.
        var columns = 0
        for line in latex.split(separator: "\n") {
            if line.hasPrefix("\\begin{tabular}{") { columns = line.dropFirst("\\begin{tabular}{".count).dropLast().count; continue }
            guard line.hasSuffix("\\\\"), !line.contains("\\multicolumn") else { continue }
            #expect(line.components(separatedBy: " & ").count == columns, "\(line)")
        }
    }

    @Test func compareTablesMarkTheBestInBold() throws {
        let root = TestSupport.temporaryDirectory("serlab-latex")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let runs = try RunFolder.discover([root])
        let comparison = try Comparison(runs: runs)
        let latex = try comparison.render(.latex)
        Self.checkStructure(latex, tables: comparison.groups.count)
        let main = try #require(comparison.groups.first { $0.rows.count == 3 })
        let best = main.rows[0].summary(.uar)
        #expect(latex.contains("\\textbf{\(Comparison.percent(best.mean)) $\\pm$ \(Comparison.percent(best.standardDeviation))}"))
        #expect(latex.contains("lstm\\_fixture/20261126-100000-42 & lstm & \\textbf{"))
        // The others and single-run groups are not bold.
        #expect(latex.components(separatedBy: "\\textbf{").count - 1 == 3)

        let perClass = try PerClassComparison(runs: runs, comparison: comparison).render(.latex)
        Self.checkStructure(perClass, tables: 3)
        #expect(perClass.contains("\\multicolumn{3}{c}{Precision} & \\multicolumn{3}{c}{Recall} & \\multicolumn{3}{c}{F1}"))
        #expect(perClass.contains("\\cmidrule(lr){2-4}\\cmidrule(lr){5-7}\\cmidrule(lr){8-10}"))
        #expect(perClass.contains(" & lstm\\_fixture & cnn\\_fixture & mlp\\_fixture & "))
    }

    @Test func rankingTableBoldsEachCorpusBest() throws {
        let runs = [CorpusRankingTests.run("mlp", "c_1", 0.6), CorpusRankingTests.run("cnn", "c_1", 0.5),
                    CorpusRankingTests.run("mlp", "c2", 0.4), CorpusRankingTests.run("cnn", "c2", 0.7)]
        let latex = try CorpusRanking(runs: runs).render(.latex)
        Self.checkStructure(latex, tables: 1)
        #expect(latex.contains("Model & c2 & c\\_1 & Avg.\\ rank \\\\"))  // sorted: "2" before "_"
        #expect(latex.contains("cnn & \\textbf{70.0} & 50.0 & \\textbf{1.50} \\\\"))
        #expect(latex.contains("mlp & 40.0 & \\textbf{60.0} & \\textbf{1.50} \\\\"))
        #expect(latex.contains("Friedman $\\chi^2(1) = 0.00$"))
    }
}

/// `serlab report --figures`: every figure of the page as a standalone SVG file.
@Suite struct ReportFiguresTests {
    @Test func everyFigureIsSavedAsAStandaloneSVG() throws {
        let root = TestSupport.temporaryDirectory("serlab-figures")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture(name: "solo", runID: "r1").write(under: root)
        let output = root.appendingPathComponent("paper/report.html")
        let result = try TestSupport.runSerlab(["report", root.path, "--output", output.path, "--figures"])
        #expect(result.status == 0, "\(result.standardError)")
        let html = try String(contentsOf: output, encoding: .utf8)
        let folder = root.appendingPathComponent("paper/report-figures")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.count == svgElements(in: html).count)
        #expect(result.standardOutput.contains("wrote \(files.count) figures to \(folder.path)/"))
        #expect(files.contains("run-1-03-recall-per-class-pooled-over-folds.svg"), "\(files)")
        #expect(files.contains("run-1-04-precision-recall-and-f1-per-class-pooled-over-folds.svg"), "\(files)")
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(XMLCheck.parse(text).error == nil, "\(file)")
        }
        // Without --figures no folder is written.
        let plain = root.appendingPathComponent("plain/report.html")
        _ = try TestSupport.runSerlab(["report", root.path, "--output", plain.path])
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("plain/report-figures").path))
    }

    @Test func slugs() {
        #expect(HTMLReport.slugged("Fold 3: UAR & <loss>") == "fold-3-uar-loss")
        #expect(HTMLReport.slugged("happy: log-mel spectrogram (0-8000 Hz)") == "happy-log-mel-spectrogram-0-8000-hz")
    }
}
