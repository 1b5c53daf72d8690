import ArgumentParser
import Foundation
import SERReport
import SERResults

/// `serlab report`: one self-contained HTML page for one run or a whole results folder.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (inline SVG, no network) of one run or a results folder.",
        usage: "serlab report [<paths> ...] [<options>]",
        discussion: """
        The report holds the comparison table; per run the pooled and per-fold confusion matrices \
        (counts and row-normalised), per-class recall and the learning curves of every fold; and, \
        when a run folder holds corpusOverview.json (or --overview names one), a corpus overview.

        Examples:
          serlab report results/lstm_tess/20261126-120000-42
          serlab report results/ --output results/report.html
          serlab report results/ --output paper/report.html --figures
        """
    )

    @Argument(help: "Run folders or results folders (default: results).")
    var paths: [String] = []

    @Option(help: "The HTML file to write (default: report.html inside the single folder given, or results/report.html).")
    var output: String?

    @Flag(help: "Also save every figure as a standalone SVG file in <report>-figures/ beside the HTML.")
    var figures = false

    @Option(name: .customLong("overview"), help: ArgumentHelp("A corpusOverview.json to draw, for runs whose folders lack one (repeatable).", valueName: "file"))
    var overviews: [String] = []

    func run() throws {
        do {
            let folders = paths.isEmpty ? ["results"] : paths
            let runs = try RunFolder.discover(folders.map { URL(fileURLWithPath: $0) })
            let extra = try overviews.map { path -> CorpusOverview in
                let overview = try CorpusOverview.read(URL(fileURLWithPath: path))
                try overview.validate(path: path)
                return overview
            }
            for run in runs { try run.corpusOverview?.validate(path: run.url.appendingPathComponent("corpusOverview.json").path) }
            let report = try HTMLReport(runs: runs, extraOverviews: extra)
            let destination = URL(fileURLWithPath: output ?? (folders.count == 1 ? folders[0] + "/report.html" : "results/report.html"))
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            let html = report.html()
            try Data(html.utf8).write(to: destination, options: .atomic)
            print("wrote \(destination.path) (\(runs.count) run\(runs.count == 1 ? "" : "s"))")
            if figures {
                // report.html -> report-figures/ in the same folder.
                let folderURL = destination.deletingLastPathComponent().appendingPathComponent(destination.deletingPathExtension().lastPathComponent + "-figures")
                try FileManager.default.createDirectory(at: folderURL, withIntermediateDirectories: true)
                let all = HTMLReport.figures(in: html)
                for figure in all { try Data(figure.svg.utf8).write(to: folderURL.appendingPathComponent(figure.fileName), options: .atomic) }
                print("wrote \(all.count) figures to \(folderURL.path)/")
            }
        } catch let error as ReportError {
            throw exitForUnusableInput(error)
        }
    }
}
