import ArgumentParser
import Foundation
import SERReport

/// `serlab check`: the accuracy regression gate.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Fail when a run's UAR or accuracy dropped below a committed baseline by more than its tolerance.",
        usage: "serlab check <run-folders> ... --baseline <baseline> [<options>]",
        discussion: """
        Compares the mean over folds of UAR and accuracy with the baseline. The tolerance is \
        max(fixed margin, k_seed * seed sd, k_fold * fold sd / sqrt(folds)), defaults 0.02, 2 and 0; \
        the seed sd exists when the baseline was written from several runs of the config with \
        different seeds. check recomputes the mean, the sds and the tolerance from the fold scores \
        stored in the baseline and refuses (exit 2) a baseline whose stored figures disagree or whose \
        policy or tolerance exceeds the documented limits (margin 0.03, multipliers 3 and 2, tolerance \
        4 points); --update refuses to write one. The run must be on the baseline's corpus, label set \
        and folds (folds hash). Exit status: 0 pass, 1 a metric dropped by more than its tolerance, \
        2 unusable input (missing files, other folds or labels, an untrusted baseline).

        Examples:
          serlab check results/ci_mlp_savee/<run> --baseline results/baselines/
          serlab check <run> --baseline results/baselines/ci_mlp_savee.json
          serlab check <run1> <run2> <run3> --baseline results/baselines/ --update
        """
    )

    @Argument(help: "The run folder to check (with --update: one or more runs of one config, e.g. several seeds).")
    var runFolders: [String]

    @Option(help: "The baseline JSON file, e.g. results/baselines/<name>.json; a folder means <folder>/<config name>.json.")
    var baseline: String

    @Flag(help: "Write (or overwrite) the baseline from the run(s) instead of checking.")
    var update = false

    @Option(help: "With --update: the smallest tolerated drop, as a fraction (default 0.02, or the existing baseline's).")
    var margin: Double?

    @Option(help: "With --update: multiplier of the sd of the runs' means over seeds (default 2, or the existing baseline's).")
    var seedStdMultiplier: Double?

    @Option(help: "With --update: k in k * fold sd / sqrt(folds) (default 0, or the existing baseline's).")
    var foldStdMultiplier: Double?

    func validate() throws {
        if runFolders.isEmpty { throw ValidationError("give the run folder to check") }
        if !update && runFolders.count > 1 {
            throw ValidationError("check takes one run folder, found \(runFolders.count) (several runs only make a baseline, with --update)")
        }
        if !update && (margin != nil || foldStdMultiplier != nil || seedStdMultiplier != nil) {
            throw ValidationError("--margin, --seed-std-multiplier and --fold-std-multiplier only apply with --update (the tolerance is stored in the baseline)")
        }
        if let margin, !(0...1).contains(margin) { throw ValidationError("--margin must be a fraction in [0, 1], found \(margin)") }
        for (name, value) in [("--seed-std-multiplier", seedStdMultiplier), ("--fold-std-multiplier", foldStdMultiplier)] {
            if let value, value < 0 { throw ValidationError("\(name) must be >= 0, found \(value)") }
        }
    }

    func run() throws {
        do {
            let folders = try runFolders.map { try RunFolder(url: URL(fileURLWithPath: $0)) }
            let first = folders[0]
            var isDirectory: ObjCBool = false
            // A folder of baselines: the one named after the run's config.
            let baselinePath = FileManager.default.fileExists(atPath: baseline, isDirectory: &isDirectory) && isDirectory.boolValue
                ? (baseline.hasSuffix("/") ? baseline : baseline + "/") + "\(first.metrics.name).json"
                : baseline
            let baselineURL = URL(fileURLWithPath: baselinePath)
            if update {
                try writeBaseline(from: folders, to: baselineURL, path: baselinePath)
                return
            }
            let reference = try Baseline.read(baselineURL)
            let check = try RegressionCheck(run: first, baseline: reference, baselinePath: baselinePath)
            for line in check.lines() { print(line) }
            if !check.passed {
                FileHandle.standardError.write(Data("check failed: \(first.displayName) regressed against \(baselinePath)\n".utf8))
                throw ExitCode(1)
            }
            print("check passed: \(first.displayName) against \(baselinePath)")
        } catch let error as ReportError {
            throw exitForUnusableInput(error)
        }
    }

    private func writeBaseline(from folders: [RunFolder], to url: URL, path: String) throws {
        let previous = FileManager.default.fileExists(atPath: url.path) ? try? Baseline.read(url) : nil
        let standard = previous?.tolerancePolicy ?? .standard
        let policy = Baseline.TolerancePolicy(fixedMargin: margin ?? standard.fixedMargin,
                                              seedStdMultiplier: seedStdMultiplier ?? standard.seedStdMultiplier,
                                              foldStdMultiplier: foldStdMultiplier ?? standard.foldStdMultiplier)
        let fresh = try Baseline(runs: folders, policy: policy, runPaths: runFolders)
        try fresh.verify(path: path)
        try fresh.write(to: url)
        print("wrote baseline \(path) from \(folders.map(\.displayName).joined(separator: ", "))")
        for metric in Baseline.checkedMetrics {
            let value = fresh.metrics[metric.rawValue]!
            var line = "  \(metric.rawValue): " + String(format: "%.2f%% (fold sd %.2f", value.mean * 100, value.foldStd * 100)
            if let seedStd = value.seedStd { line += String(format: ", seed sd %.2f over %d runs", seedStd * 100, folders.count) }
            line += String(format: "; tolerance %.2f points, ", value.tolerance * 100)
                + policy.dominantTerm(foldStd: value.foldStd, foldCount: fresh.foldCount, seedStd: value.seedStd) + ")"
            if let old = previous?.metrics[metric.rawValue] { line += String(format: "; was %.2f%%", old.mean * 100) }
            print(line)
        }
        if let previous, previous.foldsHash != fresh.foldsHash || Set(previous.labels) != Set(fresh.labels) {
            print("note: the new baseline is on other folds or labels than the one it replaces")
        }
    }
}
