import Foundation
@testable import SERCluster
import SERExperiment
import Testing

@Suite("serlab status: folds from the run folder and the queue")
struct RunStatusTests {
    /// A run folder with config.resolved.json, the given done folds, a half-written fold 5 and a slurm.json.
    func makeRun(done: [Int], record: SlurmRecord?) throws -> (URL, URL) {
        let results = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-status-\(UUID().uuidString)")
        let run = results.appendingPathComponent("mlp_savee/20261207-200000-0")
        let directory = RunDirectory(url: run)
        try directory.write("{}\n", to: "config.resolved.json")
        for fold in done { try directory.write("done\n", to: "folds/fold-\(fold)/done") }
        try directory.write("{}\n", to: "folds/fold-5/metrics.json")
        try record?.write(to: run)
        return (results, run)
    }

    let record = SlurmRecord(foldCount: 8, foldsPerRepeat: 4, submissions: [
        .init(submitted: "t", folder: "/f", featuresJob: "10", foldsJob: "11", folds: Array(0..<8), finishJob: "12"),
    ])

    @Test func eachFoldGetsItsStateAndTheCancelledTaskIsNamed() throws {
        let (results, run) = try makeRun(done: [0, 1, 2, 3], record: record)
        defer { try? FileManager.default.removeItem(at: results) }
        var asked: [String] = []
        let status = RunStatus.read(run) { ids in
            asked = ids
            return ["10": .init(state: "COMPLETED"), "11_0": .init(state: "COMPLETED"), "11_4": .init(state: "RUNNING"),
                    "11_5": .init(state: "FAILED", reason: "NonZeroExitCode"), "11_6": .init(state: "PENDING", reason: "Resources"),
                    "12": .init(state: "PENDING", reason: "Dependency")]
        }
        #expect(asked.sorted() == ["10", "11", "12"])
        #expect(status.folds[0] == .done && status.folds[4] == .running(task: "11_4"))
        #expect(status.folds[5] == .failed(task: "11_5", state: "FAILED"))
        #expect(status.folds[6] == .pending(task: "11_6", reason: "Resources"))
        #expect(status.folds[7] == .failed(task: "11_7", state: "ENDED"), "a task Slurm no longer knows (cancelled while pending) ended without its fold")
        #expect(status.text == """
            mlp_savee/20261207-200000-0: 4 of 8 folds done, 1 running, 1 pending, 2 failed; metrics.json not written
              running  fold-4 (repeat 1, fold 0): task 11_4
              FAILED   fold-5 (repeat 1, fold 1): task 11_5 FAILED, no done marker
              pending  fold-6 (repeat 1, fold 2): task 11_6 (Resources)
              FAILED   fold-7 (repeat 1, fold 3): task 11_7 ENDED, no done marker
              jobs: features 10 COMPLETED; folds 11 1 COMPLETED, 1 FAILED, 1 PENDING, 1 RUNNING; finish 12 PENDING (Dependency)
            """)
    }

    @Test func withoutSqueueTheStateOfUnfinishedFoldsIsUnknown() throws {
        let (results, run) = try makeRun(done: [0, 1, 2, 3, 4, 5, 6], record: record)
        defer { try? FileManager.default.removeItem(at: results) }
        let status = RunStatus.read(run) { _ in nil }
        #expect(status.folds[7] == .unknown(task: "11_7"))
        #expect(status.counts.done == 7 && !status.finished)
        #expect(status.text.contains("unknown  fold-7 (repeat 1, fold 3): task 11_7 (squeue not on PATH)"))
    }

    @Test func aLocalRunWithoutSlurmRecordListsTheFoldsItStarted() throws {
        let (results, run) = try makeRun(done: [0, 1], record: nil)
        defer { try? FileManager.default.removeItem(at: results) }
        let status = RunStatus.read(run) { _ in Issue.record("no job to ask about"); return [:] }
        #expect(status.folds == [0: .done, 1: .done, 5: .notStarted])
        #expect(status.jobs.isEmpty)
    }

    @Test func discoverFindsRunFoldersUnderAResultsFolderAndSkipsOthers() throws {
        let (results, run) = try makeRun(done: [], record: nil)
        defer { try? FileManager.default.removeItem(at: results) }
        try FileManager.default.createDirectory(at: results.appendingPathComponent("slurm/20261207-x"), withIntermediateDirectories: true)
        #expect(RunStatus.discover(results).map(\.standardizedFileURL.path) == [run.standardizedFileURL.path])
        #expect(RunStatus.discover(run).map(\.standardizedFileURL.path) == [run.standardizedFileURL.path])
    }

    @Test func squeueLinesParseIntoStates() {
        let states = CommandLineSlurm.parse("11_0|COMPLETED|None\n11_1|PENDING|Dependency\n12|CANCELLED|DependencyNeverSatisfied\n")
        #expect(states["11_1"] == SlurmJobState(state: "PENDING", reason: "Dependency"))
        #expect(states["12"]?.isActive == false && states["11_1"]?.isActive == true && states.count == 3)
    }
}
