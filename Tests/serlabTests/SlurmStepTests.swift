import Foundation
import SERTestSupport
import Testing

/// The worker steps `serlab run --slurm` schedules, called directly (no Slurm needed): a run made fold unit
/// by fold unit and then finished has a metrics.json byte-identical to `serlab run`'s with the same config,
/// seed and threads; the finishing step refuses an incomplete run and names its missing folds.
/// Real SAVEE audio, real feature cache, the real MLP of ResumeTests (4 leave-one-speaker-out folds).
@Suite(.serialized) struct SlurmStepTests {
    @Test func foldUnitsThenFinishGiveTheLocalRunsMetrics() throws {
        let folder = TestSupport.temporaryDirectory("serlab-slurm-steps")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("resume_savee.json")
        try ResumeTests.configText.write(to: config, atomically: true, encoding: .utf8)
        let savee = try TestSupport.corpus("savee")
        let local = folder.appendingPathComponent("local"), units = folder.appendingPathComponent("units")
        let reference = try ResumeTests.serlab(config: config, results: local, cache: folder.appendingPathComponent("cache-local"))
        try #require(reference.status == 0, "local run failed: \(reference.standardError)")
        let localRun = try ResumeTests.onlyRunFolder(local)

        // What the submission prepares: the run folder with its config.resolved.json.
        let runID = "20261207-200000-0"
        let run = units.appendingPathComponent("resume_savee/\(runID)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: localRun.appendingPathComponent("config.resolved.json"), to: run.appendingPathComponent("config.resolved.json"))
        let common = ["--results", units.path, "--cache", folder.appendingPathComponent("cache-units").path, "--corpora", savee.path]
        func step(_ arguments: [String]) throws -> TestSupport.ProcessResult {
            try TestSupport.runSerlab(["slurm-task"] + arguments.prefix(1) + [config.path] + arguments.dropFirst() + common)
        }

        let features = try step(["features"])
        #expect(features.status == 0, "\(features.standardError)")
        for fold in [2, 0, 1] {
            let result = try step(["fold", "--run-id", runID, "--fold", String(fold)])
            #expect(result.status == 0, "fold \(fold): \(result.standardError)")
        }
        let early = try step(["finish", "--run-id", runID])
        #expect(early.status == 1)
        #expect(early.standardError.contains("1 of 4 folds are not done (no done marker): fold-3; metrics not written"), "\(early.standardError)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("metrics.json").path))

        let again = try step(["fold", "--run-id", runID, "--fold", "2"])
        #expect(again.status == 0 && again.standardOutput.contains("fold 2 of \(run.path) is already done"), "\(again.standardOutput)")
        let last = try step(["fold", "--run-id", runID, "--fold", "3"])
        #expect(last.status == 0, "\(last.standardError)")
        let finish = try step(["finish", "--run-id", runID])
        try #require(finish.status == 0, "\(finish.standardError)")
        let expected = try Data(contentsOf: localRun.appendingPathComponent("metrics.json"))
        #expect(try Data(contentsOf: run.appendingPathComponent("metrics.json")) == expected, "metrics.json of the fold units differs from serlab run's")
        for file in ["predictions.csv", "confusion.csv", "metrics.csv", "environment.json", "corpusOverview.json", "timings.json", "confusion.svg"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file) missing")
        }
        let outOfRange = try step(["fold", "--run-id", runID, "--fold", "4"])
        #expect(outOfRange.status == 1 && outOfRange.standardError.contains("expected a fold index from 0 to 3, found 4"), "\(outOfRange.standardError)")
    }

    @Test func aFoldStepWithoutAPreparedRunSaysSo() throws {
        let folder = TestSupport.temporaryDirectory("serlab-slurm-unprepared")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("resume_savee.json")
        try ResumeTests.configText.write(to: config, atomically: true, encoding: .utf8)
        let result = try TestSupport.runSerlab(["slurm-task", "fold", config.path, "--results", folder.path, "--run-id", "nope", "--fold", "0",
                                                "--cache", folder.appendingPathComponent("cache").path, "--corpora", try TestSupport.corpus("savee").path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("expected the run folder of run id nope with its config.resolved.json, found none"), "\(result.standardError)")
    }
}
