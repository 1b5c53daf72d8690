import Foundation
import Testing
import SERTestSupport
@testable import SERReport
import SERResults

@Suite struct BaselineTests {
    @Test func toleranceFollowsThePolicy() {
        let standard = Baseline.TolerancePolicy.standard
        #expect(standard.tolerance(foldStd: 0.10, foldCount: 4, seedStd: nil) == 0.02)      // the fold term is off by default
        #expect(abs(standard.tolerance(foldStd: 0.10, foldCount: 4, seedStd: 0.015) - 0.03) < 1e-15)  // 2 seed sds
        #expect(standard.dominantTerm(foldStd: 0.10, foldCount: 4, seedStd: 0.015) == "2 x seed sd")
        #expect(standard.dominantTerm(foldStd: 0.10, foldCount: 4, seedStd: nil) == "fixed margin")
        let withFolds = Baseline.TolerancePolicy(fixedMargin: 0.02, seedStdMultiplier: 2, foldStdMultiplier: 2)
        #expect(abs(withFolds.tolerance(foldStd: 0.09, foldCount: 4, seedStd: nil) - 0.09) < 1e-15)  // 2 * 0.09 / sqrt(4)
        #expect(withFolds.dominantTerm(foldStd: 0.09, foldCount: 4, seedStd: nil) == "2 x fold sd / sqrt(4)")
    }

    @Test func severalSeedsMakeOneBaseline() throws {
        let root = TestSupport.temporaryDirectory("serlab-seeds")
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = try (1...3).map { seed -> RunFolder in
            var fixture = RunFixture(name: "gate", runID: "seed\(seed)")
            fixture.seed = UInt64(seed)
            fixture.skill = 0.7
            return try RunFolder(url: fixture.write(under: root))
        }
        let baseline = try Baseline(runs: runs, policy: .standard)
        #expect(baseline.seeds == [1, 2, 3])
        let uar = try #require(baseline.metrics["uar"])
        let means = runs.map { Summary.mean($0.foldValues(.uar)) }
        #expect(abs(uar.mean - Summary.mean(means)) < 1e-12)
        let seedStd = try #require(uar.seedStd)
        #expect(abs(seedStd - Summary.standardDeviation(means)) < 1e-12)
        #expect(seedStd > 0)
        #expect(uar.tolerance == max(0.02, 2 * seedStd))
        #expect(uar.runFoldValues.count == 3)
        var other = RunFixture(name: "other", runID: "x")
        other.seed = 4
        do {
            _ = try Baseline(runs: [runs[0], RunFolder(url: other.write(under: root))], policy: .standard)
            Issue.record("runs of two configs must not make one baseline")
        } catch let error as ReportError {
            #expect((error.errorDescription ?? "").contains("must be of one config"))
        }
    }

    @Test func weakerRunFailsEqualAndBetterPass() throws {
        let root = TestSupport.temporaryDirectory("serlab-baseline")
        defer { try? FileManager.default.removeItem(at: root) }
        var reference = RunFixture(name: "gate", runID: "base"); reference.skill = 0.75
        var weak = reference; weak.runID = "weak"; weak.skill = 0.45
        var better = reference; better.runID = "better"; better.skill = 0.85
        var otherFolds = reference; otherFolds.runID = "otherfolds"; otherFolds.foldLayout = 1
        let baseRun = try RunFolder(url: reference.write(under: root))
        let baseline = try Baseline(run: baseRun, policy: .standard)
        #expect(baseline.foldCount == 5)
        #expect(baseline.foldsHash == reference.foldsHash)
        #expect(baseline.gitCommit == "abc1234")
        let file = root.appendingPathComponent("baselines/gate.json")
        try baseline.write(to: file)
        #expect(try Baseline.read(file) == baseline)

        let same = try RegressionCheck(run: baseRun, baseline: baseline, baselinePath: file.path)
        #expect(same.passed)
        let improved = try RegressionCheck(run: RunFolder(url: better.write(under: root)), baseline: baseline, baselinePath: file.path)
        #expect(improved.passed)
        #expect(improved.outcomes.allSatisfy { $0.change > 0 })
        let weakened = try RegressionCheck(run: RunFolder(url: weak.write(under: root)), baseline: baseline, baselinePath: file.path)
        #expect(!weakened.passed)
        let failure = try #require(weakened.lines().first { $0.hasPrefix("FAIL UAR") })
        #expect(failure.contains(file.path) && failure.contains("tolerance") && failure.contains("observed"))
        do {
            _ = try RegressionCheck(run: RunFolder(url: otherFolds.write(under: root)), baseline: baseline, baselinePath: file.path)
            Issue.record("a run on other folds must not be checked")
        } catch let error as ReportError {
            #expect((error.errorDescription ?? "").contains("different folds"))
        }
    }
}

/// `serlab check` does not believe a baseline's stored figures: it recomputes them from the stored fold
/// scores and the documented policy and refuses a file that disagrees.
@Suite struct UntrustedBaselineTests {
    /// A three-seed baseline of fixture runs, and where it is written.
    func threeSeedBaseline(under root: URL) throws -> (Baseline, RunFolder) {
        let runs = try (1...3).map { seed -> RunFolder in
            var fixture = RunFixture(name: "gate", runID: "seed\(seed)")
            fixture.seed = UInt64(seed)
            fixture.skill = 0.7
            fixture.utterancesPerCell = 60  // enough test utterances that the seeds' means stay within the 4-point limit
            return try RunFolder(url: fixture.write(under: root))
        }
        return (try Baseline(runs: runs, policy: .standard), runs[0])
    }

    /// Each hand edit that would widen the gate, the JSON path the refusal must name.
    static let edits: [(String, String, @Sendable (inout Baseline) -> Void)] = [
        ("wider tolerance", "metrics.uar.tolerance", { $0.metrics["uar"]!.tolerance += 0.10 }),
        ("lower mean", "metrics.accuracy.mean", { $0.metrics["accuracy"]!.mean -= 0.10 }),
        ("larger seed sd and tolerance", "metrics.uar.seedStd", { $0.metrics["uar"]!.seedStd! *= 5; $0.metrics["uar"]!.tolerance *= 5 }),
        ("fold sd", "metrics.uar.foldStd", { $0.metrics["uar"]!.foldStd += 0.01 }),
        ("a run dropped from the fold scores", "metrics.uar.mean", { $0.metrics["uar"]!.runFoldValues.removeLast(2); $0.seeds = [1] }),
        ("a fold dropped", "metrics.uar.runFoldValues[0]", { $0.metrics["uar"]!.runFoldValues[0].removeLast() }),
        ("wider policy, tolerance to match", "tolerancePolicy.fixedMargin", { baseline in
            baseline.tolerancePolicy.fixedMargin = 0.30
            for key in ["uar", "accuracy"] { baseline.metrics[key]!.tolerance = 0.30 }
        }),
    ]

    @Test(arguments: edits.indices) func aHandEditedBaselineIsRefused(edit: Int) throws {
        let (name, jsonPath, change) = Self.edits[edit]
        let root = TestSupport.temporaryDirectory("serlab-untrusted")
        defer { try? FileManager.default.removeItem(at: root) }
        let (baseline, run) = try threeSeedBaseline(under: root)
        #expect(throws: Never.self) { try baseline.verify(path: "b.json") }
        #expect(try RegressionCheck(run: run, baseline: baseline, baselinePath: "b.json").passed)
        var edited = baseline
        change(&edited)
        do {
            _ = try RegressionCheck(run: run, baseline: edited, baselinePath: "b.json")
            Issue.record("\(name): a hand-edited baseline was believed")
        } catch let error as ReportError {
            guard case let .untrustedBaseline(path, foundPath, _, _) = error else { Issue.record("\(name): \(error)"); return }
            #expect(path == "b.json")
            #expect(foundPath == jsonPath, "\(name)")
        }
    }

    /// A tolerance the policy really gives but wider than the documented 4 points is refused too, by
    /// check and by --update: a noisy config needs more repeats, not a wider band.
    @Test func aToleranceAboveTheLimitIsRefused() throws {
        let root = TestSupport.temporaryDirectory("serlab-wide")
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = try [(1, 0.55), (2, 0.75), (3, 0.65)].map { seed, skill -> RunFolder in
            var fixture = RunFixture(name: "gate", runID: "seed\(seed)")
            fixture.seed = UInt64(seed)
            fixture.skill = skill
            return try RunFolder(url: fixture.write(under: root))
        }
        let wide = try Baseline(runs: runs, policy: .standard)
        #expect(try #require(wide.metrics["uar"]).tolerance > Baseline.TolerancePolicy.maximumTolerance)
        #expect(throws: ReportError.self) { try wide.verify(path: "wide.json") }
        let baseline = root.appendingPathComponent("baselines/gate.json").path
        let update = try TestSupport.runSerlab(["check"] + runs.map(\.url.path) + ["--baseline", baseline, "--update"])
        #expect(update.status == 2)
        #expect(update.standardError.contains("metrics.uar.tolerance: expected at most 4.00 points"), "\(update.standardError)")
        #expect(!FileManager.default.fileExists(atPath: baseline))
    }

    /// Through the executable, on a file edited as text: exit 2, the file and the key named.
    @Test func checkRefusesAHandEditedFile() throws {
        let root = TestSupport.temporaryDirectory("serlab-untrusted-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        var reference = RunFixture(name: "gate", runID: "base"); reference.skill = 0.75
        var weak = reference; weak.runID = "weak"; weak.skill = 0.5
        let baseURL = try reference.write(under: root), weakURL = try weak.write(under: root)
        let baseline = root.appendingPathComponent("baselines/gate.json")
        let update = try TestSupport.runSerlab(["check", baseURL.path, "--baseline", baseline.path, "--update"])
        #expect(update.status == 0, "\(update.standardError)")
        #expect(try TestSupport.runSerlab(["check", weakURL.path, "--baseline", baseline.path]).status == 1)
        // Open the gate by hand: a tolerance of 50 points for both metrics.
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: baseline)) as? [String: Any])
        var metrics = try #require(json["metrics"] as? [String: [String: Any]])
        for key in ["uar", "accuracy"] { metrics[key]!["tolerance"] = 0.5 }
        json["metrics"] = metrics
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: baseline)
        let refused = try TestSupport.runSerlab(["check", weakURL.path, "--baseline", baseline.path])
        #expect(refused.status == 2, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardError.contains("baseline \(baseline.path): metrics.uar.tolerance: expected 0.02"), "\(refused.standardError)")
        #expect(refused.standardError.contains("found 0.5"))
        #expect(!refused.standardOutput.contains("PASS"))
    }

    /// A deliberately weakened run (a gate control) can never become a baseline.
    @Test func aGateControlRunIsNeverABaseline() throws {
        let root = TestSupport.temporaryDirectory("serlab-control-baseline")
        defer { try? FileManager.default.removeItem(at: root) }
        var control = RunFixture(name: "gate", runID: "control"); control.gateControl = "shuffledTrainingLabels"
        let url = try control.write(under: root)
        #expect(throws: ReportError.self) { _ = try Baseline(run: RunFolder(url: url), policy: .standard) }
        let baseline = root.appendingPathComponent("baselines/gate.json").path
        let update = try TestSupport.runSerlab(["check", url.path, "--baseline", baseline, "--update"])
        #expect(update.status == 2)
        #expect(update.standardError.contains("gateControl"), "\(update.standardError)")
        #expect(!FileManager.default.fileExists(atPath: baseline))
    }
}

/// The commands through the real executable: exit codes and messages as CI sees them.
@Suite struct CommandLineTests {
    @Test func checkExitCodes() throws {
        let root = TestSupport.temporaryDirectory("serlab-check-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        var reference = RunFixture(name: "gate", runID: "base"); reference.skill = 0.75
        var weak = reference; weak.runID = "weak"; weak.skill = 0.5
        var equal = reference; equal.runID = "equal"
        var otherLabels = reference; otherLabels.runID = "labels"; otherLabels.labels = ["angry", "sad", "neutral"]
        let baseURL = try reference.write(under: root)
        let baseline = root.appendingPathComponent("baselines/gate.json").path

        let missing = try TestSupport.runSerlab(["check", baseURL.path, "--baseline", baseline])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("--update"))

        let update = try TestSupport.runSerlab(["check", baseURL.path, "--baseline", baseline, "--update"])
        #expect(update.status == 0, "\(update.standardError)")
        #expect(FileManager.default.fileExists(atPath: baseline))

        let pass = try TestSupport.runSerlab(["check", try equal.write(under: root).path, "--baseline", baseline])
        #expect(pass.status == 0, "\(pass.standardOutput)\(pass.standardError)")
        #expect(pass.standardOutput.contains("PASS UAR"))
        #expect(pass.standardOutput.contains("+0.00 points"))

        let fail = try TestSupport.runSerlab(["check", try weak.write(under: root).path, "--baseline", baseline])
        #expect(fail.status == 1)
        #expect(fail.standardOutput.contains("FAIL UAR: observed"))
        let stored = try Baseline.read(URL(fileURLWithPath: baseline))
        #expect(fail.standardOutput.contains(String(format: "tolerance of %.2f points", stored.metrics["uar"]!.tolerance * 100)))
        #expect(fail.standardOutput.contains(baseline))

        let mismatch = try TestSupport.runSerlab(["check", try otherLabels.write(under: root).path, "--baseline", baseline])
        #expect(mismatch.status == 2)
        #expect(mismatch.standardError.contains("label set"))

        let badOption = try TestSupport.runSerlab(["check", baseURL.path, "--baseline", baseline, "--margin", "0.05"])
        #expect(badOption.status != 0)
        #expect(badOption.standardError.contains("only apply with --update"))
        let twoRuns = try TestSupport.runSerlab(["check", baseURL.path, baseURL.path, "--baseline", baseline])
        #expect(twoRuns.status != 0)
        #expect(twoRuns.standardError.contains("check takes one run folder, found 2"))
    }

    @Test func compareAndReportCommands() throws {
        let root = TestSupport.temporaryDirectory("serlab-compare-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let table = try TestSupport.runSerlab(["compare", root.path])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.contains("McNemar p<0.001"))
        let json = try TestSupport.runSerlab(["compare", root.path, "--format", "json"])
        #expect(try JSONDecoder().decode(Comparison.self, from: Data(json.standardOutput.utf8)).groups.count == 3)
        let pair = try TestSupport.runSerlab(["compare", root.path, "--pair", "lstm_fixture", "cnn_fixture"])
        #expect(pair.status == 0, "\(pair.standardError)")
        #expect(pair.standardOutput.contains("lstm_fixture/20261126-100000-42 vs cnn_fixture/20261126-101000-42"))
        let incompatible = try TestSupport.runSerlab(["compare", root.path, "--pair", "lstm_fixture", "lstm_fixture_otherfolds"])
        #expect(incompatible.status == 2)
        #expect(incompatible.standardError.contains("different folds"))
        let unknown = try TestSupport.runSerlab(["compare", root.path, "--pair", "lstm_fixture", "gru_fixture"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no run named 'gru_fixture'"))

        let output = root.appendingPathComponent("report.html").path
        let report = try TestSupport.runSerlab(["report", root.path, "--output", output])
        #expect(report.status == 0, "\(report.standardError)")
        let html = try String(contentsOfFile: output, encoding: .utf8)
        #expect(html.contains("id=\"corpus-fixture\""))
        let empty = TestSupport.temporaryDirectory("serlab-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try TestSupport.runSerlab(["report", empty.path])
        #expect(none.status == 2)
        #expect(none.standardError.contains("no run folders found"))
    }

    @Test func helpTextsNameTheirContract() throws {
        // Help is wrapped to the terminal width: compare with whitespace runs collapsed.
        func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let compare = try TestSupport.runSerlab(["compare", "--help"])
        #expect(compare.status == 0)
        #expect(flat(compare.standardOutput).contains("OVERVIEW: Compare runs: WA, UAR and macro-F1 over folds with 95% intervals and paired significance tests."))
        #expect(flat(compare.standardOutput).contains("serlab compare results/ --pair lstm_tess cnn_tess"))
        let report = try TestSupport.runSerlab(["report", "--help"])
        #expect(flat(report.standardOutput).contains("OVERVIEW: Write a self-contained HTML report (inline SVG, no network) of one run or a results folder."))
        let check = try TestSupport.runSerlab(["check", "--help"])
        #expect(flat(check.standardOutput).contains("max(fixed margin, k_seed * seed sd, k_fold * fold sd / sqrt(folds)), defaults 0.02, 2 and 0"))
        #expect(flat(check.standardOutput).contains("0 pass, 1 a metric dropped by more than its tolerance, 2 unusable input"))
        let wrongPair = try TestSupport.runSerlab(["compare", "--pair", "a"])
        #expect(wrongPair.status != 0)
        #expect(wrongPair.standardError.contains("--pair takes exactly two runs, found 1: a"))
    }
}
