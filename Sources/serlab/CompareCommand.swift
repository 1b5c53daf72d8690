import ArgumentParser
import Foundation
import SERReport

extension ComparisonFormat: ExpressibleByArgument {}

/// What `--across` ranks models over.
enum AcrossDimension: String, ExpressibleByArgument, CaseIterable {
    case corpora
}

/// `serlab compare`: the comparison table of runs, grouped so incomparable runs never mix.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: WA, UAR and macro-F1 over folds with 95% intervals and paired significance tests.",
        usage: "serlab compare [<paths> ...] [<options>]",
        discussion: """
        Runs are grouped by corpus, label set and test folds (the folds hash in metrics.json); each \
        group gets its own table, the best mean of each column marked, and paired tests (Wilcoxon \
        signed-rank and paired t over fold UARs, McNemar on pooled predictions) of every run against \
        the group's best-UAR run. Runs on different folds or labels are never mixed.

        Examples:
          serlab compare results/
          serlab compare results/lstm_tess results/cnn_tess --format markdown
          serlab compare results/ --pair lstm_tess cnn_tess
          serlab compare results/ --per-class
          serlab compare results/ --across corpora
        """
    )

    @Argument(help: "Results folders or run folders (default: results).")
    var paths: [String] = []

    @Option(help: "Output format: table, markdown, csv, json or latex (booktabs).")
    var format: ComparisonFormat = .table

    @Option(name: .customLong("pair"), parsing: .upToNextOption,
            help: ArgumentHelp("Only the head-to-head of two runs (config name, run id, <config>/<run id> or a run folder path); an error when they are not on the same folds and labels.", valueName: "run"))
    var pair: [String] = []

    @Flag(help: "Test every pair in a group, not only each run against the best.")
    var allPairs = false

    @Flag(help: "Per-class precision, recall and F1 of each run, side by side per group.")
    var perClass = false

    @Option(help: ArgumentHelp("Rank models across corpora: mean UAR matrix, Friedman and Nemenyi tests.", valueName: "corpora"))
    var across: AcrossDimension?

    @Option(help: "Write to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if !pair.isEmpty && pair.count != 2 {
            throw ValidationError("--pair takes exactly two runs, found \(pair.count): \(pair.joined(separator: " "))")
        }
        if perClass && !pair.isEmpty {
            throw ValidationError("--per-class shows every run of each group; it cannot be combined with --pair")
        }
        if across != nil && (perClass || !pair.isEmpty || allPairs) {
            throw ValidationError("--across corpora ranks models over corpora; it cannot be combined with --pair, --per-class or --all-pairs")
        }
    }

    func run() throws {
        do {
            let roots = (paths.isEmpty ? ["results"] : paths).map { URL(fileURLWithPath: $0) }
            let runs = try RunFolder.discover(roots)
            let text: String
            if pair.count == 2 {
                let first = try RunSelector.resolve(pair[0], among: runs)
                let second = try RunSelector.resolve(pair[1], among: runs)
                let result = try Comparison.pair(first, second)
                switch format {
                case .json:
                    text = try Comparison.json(result)
                default:
                    text = result.text()
                }
            } else if across == .corpora {
                text = try CorpusRanking(runs: runs).render(format)
            } else if perClass {
                text = try PerClassComparison(runs: runs, comparison: Comparison(runs: runs)).render(format)
            } else {
                text = try Comparison(runs: runs, allPairs: allPairs).render(format)
            }
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                print("wrote \(output)")
            } else {
                print(text, terminator: "")
            }
        } catch let error as ReportError {
            throw exitForUnusableInput(error)
        }
    }
}

/// Finds a run named on the command line among discovered runs, or loads it when it is a path.
enum RunSelector {
    static func resolve(_ name: String, among runs: [RunFolder]) throws -> RunFolder {
        let url = URL(fileURLWithPath: name)
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("metrics.json").path) {
            let standardized = url.standardizedFileURL.path
            return try runs.first { $0.url.standardizedFileURL.path == standardized } ?? RunFolder(url: url)
        }
        let matches = runs.filter { $0.displayName == name || $0.runID == name || $0.metrics.name == name || $0.displayName.hasSuffix("/" + name) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw ReportError.unknownRun(name: name, available: runs.map(\.displayName)) }
        throw ReportError.invalidArgument("'\(name)' names \(matches.count) runs (\(matches.map(\.displayName).joined(separator: ", "))); give <config>/<run id>")
    }
}

/// Prints a user error to stderr and returns exit code 2, which compare, report and check use for
/// unusable input (check uses 1 for "the check ran and the run regressed").
func exitForUnusableInput(_ error: Error) -> ExitCode {
    let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}
