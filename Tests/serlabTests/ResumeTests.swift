import Foundation
import SERTestSupport
import Testing

/// A real `serlab run` killed with SIGKILL (through the runner's `SERLAB_TEST_KILL_AT` hook, so the moment is
/// exact) and run again with the same command resumes in the same run folder, keeps the folds it finished,
/// and writes a metrics.json byte-identical to an uninterrupted run's. Real SAVEE audio (two emotions,
/// 120 utterances, 4 leave-one-speaker-out folds), real feature cache, a real SERNet MLP for 3 epochs.
@Suite(.serialized) struct ResumeTests {
    struct Moment: Sendable, CustomTestStringConvertible {
        /// The `SERLAB_TEST_KILL_AT` point.
        var point: String
        /// Folds whose done marker exists when the process dies.
        var foldsDone: Int
        /// Whether this moment needs features still to be extracted (a fresh cache).
        var freshCache = false
        var testDescription: String { point }
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

    /// The shared work of every moment: a folder holding the config and the uninterrupted run's metrics.json.
    final class Reference: @unchecked Sendable {
        let folder = TestSupport.temporaryDirectory("serlab-resume")
        var config: URL { folder.appendingPathComponent("resume_savee.json") }
        var cache: URL { folder.appendingPathComponent("cache") }
        private var metrics: Data?
        private let lock = NSLock()

        deinit { try? FileManager.default.removeItem(at: folder) }

        /// The uninterrupted run's metrics.json (computed once).
        func uninterruptedMetrics() throws -> Data {
            lock.lock()
            defer { lock.unlock() }
            if let metrics { return metrics }
            try ResumeTests.configText.write(to: config, atomically: true, encoding: .utf8)
            let results = folder.appendingPathComponent("uninterrupted")
            let run = try ResumeTests.serlab(self, results: results, cache: cache)
            try #require(run.status == 0 && !run.signalled, "uninterrupted run failed: \(run.standardError)")
            let data = try Data(contentsOf: try ResumeTests.onlyRunFolder(results).appendingPathComponent("metrics.json"))
            metrics = data
            return data
        }
    }

    static let reference = Reference()

    static func serlab(_ reference: Reference, results: URL, cache: URL, killAt: String? = nil) throws -> TestSupport.ProcessResult {
        let savee = try TestSupport.corpus("savee")
        return try TestSupport.runSerlab(["run", reference.config.path, "--results", results.path, "--cache", cache.path, "--corpora", savee.path],
                                         environment: killAt.map { ["SERLAB_TEST_KILL_AT": $0] } ?? [:])
    }

    /// results/<name>/<the one run id>/
    static func onlyRunFolder(_ results: URL) throws -> URL {
        let experiment = results.appendingPathComponent("resume_savee")
        let runs = try FileManager.default.contentsOfDirectory(atPath: experiment.path).filter { !$0.hasPrefix(".") }
        try #require(runs.count == 1, "expected one run folder in \(experiment.path), found \(runs)")
        return experiment.appendingPathComponent(runs[0])
    }

    @Test(arguments: moments)
    func killedRunResumesToTheSameMetrics(moment: Moment) throws {
        let expected = try Self.reference.uninterruptedMetrics()
        let results = Self.reference.folder.appendingPathComponent("killed-\(moment.point)")
        let cache = moment.freshCache ? Self.reference.folder.appendingPathComponent("cache-\(moment.point)") : Self.reference.cache

        let killed = try Self.serlab(Self.reference, results: results, cache: cache, killAt: moment.point)
        try #require(killed.signalled && killed.status == SIGKILL, "the run was not killed at \(moment.point): status \(killed.status), \(killed.standardError)")
        let run = try Self.onlyRunFolder(results)
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("metrics.json").path))
        for fold in 0..<4 {
            let done = FileManager.default.fileExists(atPath: run.appendingPathComponent("folds/fold-\(fold)/done").path)
            #expect(done == (fold < moment.foldsDone), "fold \(fold) done marker after a kill at \(moment.point)")
        }
        if moment.point.hasSuffix("-files") {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("folds/fold-\(moment.foldsDone)/predictions.csv").path),
                    "the fold's files were written before the kill")
        }

        let resumed = try Self.serlab(Self.reference, results: results, cache: cache)
        #expect(resumed.status == 0 && !resumed.signalled, "\(resumed.standardError)")
        #expect((resumed.standardOutput + resumed.standardError).contains("resuming \(run.path)"), "the killed run was not resumed")
        #expect(try Self.onlyRunFolder(results) == run)
        let timings = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("timings.json"))) as? [String: Any]
        #expect(timings?["resumedFolds"] as? Int == moment.foldsDone, "folds read back instead of retrained")
        let metrics = try Data(contentsOf: run.appendingPathComponent("metrics.json"))
        #expect(metrics == expected, "metrics.json after resuming from a kill at \(moment.point) differs from the uninterrupted run's")
    }
}
