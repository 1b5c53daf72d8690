import ArgumentParser
import Foundation
import SERReport

/// `serlab check`: the accuracy regression gate.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Fail when a run's UAR or accuracy dropped below a committed baseline by more than its tolerance.",
        discussion: """
        Compares the mean over folds of UAR and accuracy with the baseline. Tolerance per metric: \
        max(fixed margin, k * baseline fold sd / sqrt(folds)), stored in the baseline. The run must \
        be on the baseline's corpus, label set and folds (folds hash). Exit status: 0 pass, 1 a \
        metric dropped by more than its tolerance, 2 unusable input (missing files, other folds or labels).

        Examples:
          serlab check results/lstm_savee/20261126-120000-42 --baseline results/baselines/lstm_savee.json
          serlab check results/lstm_savee/20261126-120000-42 --baseline results/baselines/lstm_savee.json --update
        """
    )

    @Argument(help: "The run folder to check.")
    var runFolder: String

    @Option(help: "The baseline JSON file, e.g. results/baselines/<name>.json; a folder means <folder>/<config name>.json.")
    var baseline: String

    @Flag(help: "Write (or overwrite) the baseline from this run instead of checking.")
    var update = false

    @Option(help: "With --update: the smallest tolerated drop, as a fraction (default 0.02, or the existing baseline's).")
    var margin: Double?

    @Option(help: "With --update: k in k * fold sd / sqrt(folds) (default 2, or the existing baseline's).")
    var foldStdMultiplier: Double?

    func validate() throws {
        if !update && (margin != nil || foldStdMultiplier != nil) {
            throw ValidationError("--margin and --fold-std-multiplier only apply with --update (the tolerance is stored in the baseline)")
        }
        if let margin, !(0...1).contains(margin) { throw ValidationError("--margin must be a fraction in [0, 1], found \(margin)") }
        if let foldStdMultiplier, foldStdMultiplier < 0 { throw ValidationError("--fold-std-multiplier must be >= 0, found \(foldStdMultiplier)") }
    }

    func run() throws {
        do {
            let folder = try RunFolder(url: URL(fileURLWithPath: runFolder))
            var isDirectory: ObjCBool = false
            // A folder of baselines: the one named after the run's config.
            let baselinePath = FileManager.default.fileExists(atPath: baseline, isDirectory: &isDirectory) && isDirectory.boolValue
                ? (baseline.hasSuffix("/") ? baseline : baseline + "/") + "\(folder.metrics.name).json"
                : baseline
            let baselineURL = URL(fileURLWithPath: baselinePath)
            if update {
                let previous = FileManager.default.fileExists(atPath: baselineURL.path) ? try Baseline.read(baselineURL) : nil
                let standard = previous?.tolerancePolicy ?? .standard
                let policy = Baseline.TolerancePolicy(fixedMargin: margin ?? standard.fixedMargin,
                                                      foldStdMultiplier: foldStdMultiplier ?? standard.foldStdMultiplier)
                let fresh = try Baseline(run: folder, policy: policy, runPath: runFolder)
                try fresh.write(to: baselineURL)
                print("wrote baseline \(baselinePath) from \(folder.displayName)")
                for metric in Baseline.checkedMetrics {
                    let value = fresh.metrics[metric.rawValue]!
                    var line = "  \(metric.rawValue): " + String(format: "%.2f%% (fold sd %.2f, tolerance %.2f points)", value.mean * 100, value.foldStd * 100, value.tolerance * 100)
                    if let old = previous?.metrics[metric.rawValue] { line += String(format: "; was %.2f%%", old.mean * 100) }
                    print(line)
                }
                if let previous, previous.foldsHash != fresh.foldsHash || Set(previous.labels) != Set(fresh.labels) {
                    print("note: the new baseline is on other folds or labels than the one it replaces")
                }
                return
            }
            let reference = try Baseline.read(baselineURL)
            let check = try RegressionCheck(run: folder, baseline: reference, baselinePath: baselinePath)
            for line in check.lines() { print(line) }
            if !check.passed {
                FileHandle.standardError.write(Data("check failed: \(folder.displayName) regressed against \(baselinePath)\n".utf8))
                throw ExitCode(1)
            }
            print("check passed: \(folder.displayName) against \(baselinePath)")
        } catch let error as ReportError {
            throw exitForUnusableInput(error)
        }
    }
}
