import Foundation
import SERTestSupport
import Testing

/// A real `serlab run` killed with SIGKILL (through the runner's `SERLAB_TEST_KILL_AT` hook, so the moment is
/// exact) and run again with the same command resumes in the same run folder, keeps the folds it finished,
/// and writes a metrics.json byte-identical to an uninterrupted run's. Real SAVEE audio (two emotions,
/// 120 utterances, 4 leave-one-speaker-out folds), real feature cache, a real SERNet MLP for 3 epochs.
@Suite(.realCorpora, .serialized) struct ResumeTests {
    struct Moment: Sendable {
        /// The `SERLAB_TEST_KILL_AT` point.
        var point: String
        /// Folds whose done marker exists when the process dies.
        var foldsDone: Int
        /// Whether this moment needs features still to be extracted (a fresh cache).
        var freshCache = false
    }

    static let moments = [
        Moment(point: "features", foldsDone: 0, freshCache: true),
        Moment(point: "fold-1-epoch-2", foldsDone: 1),
        Moment(point: "fold-2-files", foldsDone: 2),
    ]

    static let configText = """
    {"name": "resume_savee",
     "dataset": {"corpus": "savee", "labels": ["angry", "sad"]},
     "features": {"sampleRate": 16000, "level": "utterance", "features": ["mfcc", "rms"], "mfccCount": 13, "fftLength": 512, "hopLength": 160, "functionals": ["mean", "std"]},
     "model": {"type": "mlp", "hiddenSizes": [32], "dropout": 0.2},
     "training": {"epochs": 3, "patience": null, "seed": 0, "threads": 2},
     "protocol": {"kind": "leaveOneSpeakerOut"},
     "output": {"bootstrapResamples": 100}}
    """

    static func serlab(config: URL, results: URL, cache: URL, killAt: String? = nil) throws -> TestSupport.ProcessResult {
        let savee = try TestSupport.corpus("savee")
        return try TestSupport.runSerlab(["run", config.path, "--results", results.path, "--cache", cache.path, "--corpora", savee.path],
                                         environment: killAt.map { ["SERLAB_TEST_KILL_AT": $0] } ?? [:])
    }

    /// results/<name>/<the one run id>/
    static func onlyRunFolder(_ results: URL) throws -> URL {
        let experiment = results.appendingPathComponent("resume_savee")
        let runs = try FileManager.default.contentsOfDirectory(atPath: experiment.path).filter { !$0.hasPrefix(".") }
        try #require(runs.count == 1, "expected one run folder in \(experiment.path), found \(runs)")
        return experiment.appendingPathComponent(runs[0])
    }

    /// One uninterrupted run, then each moment in turn (its own results folder; the uninterrupted run's
    /// feature cache, or a fresh one for a kill during the features).
    @Test func killedRunResumesToTheSameMetrics() throws {
        let folder = TestSupport.temporaryDirectory("serlab-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("resume_savee.json")
        try Self.configText.write(to: config, atomically: true, encoding: .utf8)
        let uninterrupted = folder.appendingPathComponent("uninterrupted"), sharedCache = folder.appendingPathComponent("cache")
        let reference = try Self.serlab(config: config, results: uninterrupted, cache: sharedCache)
        try #require(reference.status == 0 && !reference.signalled, "uninterrupted run failed: \(reference.standardError)")
        let expected = try Data(contentsOf: try Self.onlyRunFolder(uninterrupted).appendingPathComponent("metrics.json"))
        for moment in Self.moments {
            let cache = moment.freshCache ? folder.appendingPathComponent("cache-\(moment.point)") : sharedCache
            // A moment that cannot go on (e.g. the process was not killed) is reported; the next one still runs.
            do {
                try check(moment, config: config, results: folder.appendingPathComponent("killed-\(moment.point)"), cache: cache, expected: expected)
            } catch {
                Issue.record(error, "kill at \(moment.point)")
            }
        }
    }

    func check(_ moment: Moment, config: URL, results: URL, cache: URL, expected: Data) throws {
        let killed = try Self.serlab(config: config, results: results, cache: cache, killAt: moment.point)
        try #require(killed.signalled && killed.status == SIGKILL, "the run was not killed at \(moment.point): status \(killed.status), \(killed.standardError)")
        let run = try Self.onlyRunFolder(results)
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("metrics.json").path), "\(moment.point): the killed run finished")
        for fold in 0..<4 {
            let done = FileManager.default.fileExists(atPath: run.appendingPathComponent("folds/fold-\(fold)/done").path)
            #expect(done == (fold < moment.foldsDone), "fold \(fold) done marker after a kill at \(moment.point)")
        }
        if moment.point.hasSuffix("-files") {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("folds/fold-\(moment.foldsDone)/predictions.csv").path),
                    "the fold's files were written before the kill")
        }

        let resumed = try Self.serlab(config: config, results: results, cache: cache)
        #expect(resumed.status == 0 && !resumed.signalled, "\(moment.point): \(resumed.standardError)")
        #expect((resumed.standardOutput + resumed.standardError).contains("resuming \(run.path)"), "\(moment.point): the killed run was not resumed")
        #expect(try Self.onlyRunFolder(results) == run)
        let timings = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("timings.json"))) as? [String: Any]
        #expect(timings?["resumedFolds"] as? Int == moment.foldsDone, "\(moment.point): expected the \(moment.foldsDone) finished folds read back, not retrained")
        let metrics = try Data(contentsOf: run.appendingPathComponent("metrics.json"))
        #expect(metrics == expected, "metrics.json after resuming from a kill at \(moment.point) differs from the uninterrupted run's")
    }
}
