import Foundation
import SERCore
@testable import SERCluster
import SERExperiment
import Testing

/// A prepared run in a throwaway folder (nothing is read from it except by the status tests).
func preparedRun(_ name: String, folds: Int, done: Set<Int> = [], finished: Bool = false, featureKey: String = "savee-0123456789abcdef",
                 folder: URL = URL(fileURLWithPath: "/shared/results")) -> ExperimentRunner.PreparedRun {
    ExperimentRunner.PreparedRun(directory: RunDirectory(url: folder.appendingPathComponent("\(name)/20261207-200000-0")), corpusName: "savee",
                                 featureKey: featureKey, folds: Array(0..<folds), foldsPerRepeat: min(folds, 4), doneFolds: done, finished: finished)
}

func slurmRun(_ name: String, _ prepared: ExperimentRunner.PreparedRun, settings: SlurmSettings = SlurmSettings(), threads: Int = 2) -> SlurmRun {
    SlurmRun(name: name, prepared: prepared, settings: settings, threads: threads,
             stepArguments: ["/shared/configs/\(name).json", "--results", "/shared/results", "--run-id", prepared.runID])
}

let context = SlurmScriptContext(binary: "/shared/bin/serlab", workingDirectory: "/shared/project", folder: URL(fileURLWithPath: "/shared/results/slurm/x"),
                                 environment: [("SERLAB_CORPORA", "/shared/corpora")])

@Suite("Slurm job scripts and submission plans")
struct SlurmScriptTests {
    @Test(arguments: [([0, 1, 2, 3], "0-3"), ([5], "5"), ([0, 2, 3, 4, 7, 9, 10], "0,2-4,7,9-10"), ([3, 1, 2], "1-3")])
    func arraySpecsAreRanges(indices: [Int], expected: String) {
        #expect(SlurmJob.arraySpec(indices) == expected)
    }

    @Test func twoRunsOfOneCorpusAndSpecShareOneFeatureJob() {
        let runs = [slurmRun("mlp_savee", preparedRun("mlp_savee", folds: 4)), slurmRun("cnn_savee", preparedRun("cnn_savee", folds: 4, done: [0, 2]))]
        let plan = SlurmSubmissionPlan(runs: runs, records: [nil, nil], queue: [:], compare: (["compare", "a", "b"], SlurmSettings()))
        #expect(plan.jobs.map(\.kind) == [.features, .folds, .finish, .folds, .finish, .compare])
        #expect(plan.jobs[1].arrayIndices == [0, 1, 2, 3])
        #expect(plan.jobs[3].arrayIndices == [1, 3], "done folds are not submitted again")
        #expect(plan.jobs[1].dependencies == [.job(0)] && plan.jobs[3].dependencies == [.job(0)])
        #expect(plan.jobs[2].dependencies == [.job(1)] && plan.jobs[4].dependencies == [.job(3)])
        #expect(plan.jobs[5].dependencies == [.job(2), .job(4)])
    }

    @Test func distinctFeatureSpecsGetTheirOwnFeatureJobs() {
        let runs = [slurmRun("a", preparedRun("a", folds: 2, featureKey: "savee-1")), slurmRun("b", preparedRun("b", folds: 2, featureKey: "savee-2"))]
        let plan = SlurmSubmissionPlan(runs: runs, records: [nil, nil], queue: nil, compare: nil)
        #expect(plan.jobs.map(\.kind) == [.features, .folds, .finish, .features, .folds, .finish])
        #expect(plan.jobs[4].dependencies == [.job(3)])
    }

    @Test func theFoldScriptCarriesEveryDirectiveAndRunsTheTaskFold() {
        let settings = SlurmSettings(partition: "short", time: "0:30:00", cpusPerTask: 4, memory: "4G", account: "ser", extraDirectives: ["--qos=low"],
                                     setup: ["module load hdf5"])
        let plan = SlurmSubmissionPlan(runs: [slurmRun("mlp_savee", preparedRun("mlp_savee", folds: 6, done: [2]), settings: settings)], records: [nil],
                                       queue: nil, compare: nil)
        let script = plan.jobs[1].script(context: context, dependencyID: plan.placeholder)
        #expect(script == """
            #!/bin/bash
            #SBATCH --job-name=serlab-folds-mlp_savee
            #SBATCH --output=/shared/results/slurm/x/serlab-folds-mlp_savee-%A_%a.out
            #SBATCH --ntasks=1
            #SBATCH --cpus-per-task=4
            #SBATCH --time=0:30:00
            #SBATCH --array=0-1,3-5
            #SBATCH --dependency=afterok:<features-0>
            #SBATCH --kill-on-invalid-dep=yes
            #SBATCH --partition=short
            #SBATCH --mem=4G
            #SBATCH --account=ser
            #SBATCH --qos=low
            # serlab \(serlabVersion): folds 0-1,3-5 of /shared/results/mlp_savee/20261207-200000-0
            set -euo pipefail
            module load hdf5
            cd /shared/project
            export SERLAB_CORPORA=/shared/corpora
            exec /shared/bin/serlab slurm-task fold /shared/configs/mlp_savee.json --results /shared/results --run-id 20261207-200000-0 --fold "$SLURM_ARRAY_TASK_ID"

            """)
        #expect(plan.jobs[0].script(context: context, dependencyID: plan.placeholder).contains("exec /shared/bin/serlab slurm-task features /shared/configs/mlp_savee.json"))
        #expect(plan.jobs[2].script(context: context, dependencyID: plan.placeholder).contains("#SBATCH --dependency=afterok:<folds-1>\n"))
    }

    @Test func cpusDefaultToTheTrainingThreadsAndUnsetOptionsAreLeftOut() {
        let plan = SlurmSubmissionPlan(runs: [slurmRun("a", preparedRun("a", folds: 2), threads: 3)], records: [nil], queue: nil, compare: nil)
        let script = plan.jobs[1].script(context: context, dependencyID: plan.placeholder)
        #expect(script.contains("#SBATCH --cpus-per-task=3\n") && script.contains("#SBATCH --time=02:00:00\n"))
        #expect(!script.contains("--partition") && !script.contains("--mem") && !script.contains("--account"))
    }

    @Test func argumentsWithSpacesAreQuotedForTheShell() {
        #expect(shellQuoted("/plain/path-1.json") == "/plain/path-1.json")
        #expect(shellQuoted("my results/it's") == "'my results/it'\\''s'")
        #expect(shellQuoted("training.epochs=5") == "training.epochs=5")
    }

    @Test func aFinishedRunSubmitsNothing() {
        let plan = SlurmSubmissionPlan(runs: [slurmRun("a", preparedRun("a", folds: 2, done: [0, 1], finished: true))], records: [nil], queue: [:],
                                       compare: (["compare"], SlurmSettings()))
        #expect(plan.jobs.isEmpty)
        #expect(plan.notes.first?.contains("finished") == true)
    }

    @Test func resubmissionSkipsFoldsStillQueuedAndWaitsForThem() {
        let record = SlurmRecord(foldCount: 4, foldsPerRepeat: 4, submissions: [
            .init(submitted: "t", folder: "/f", featuresJob: "10", foldsJob: "11", folds: [0, 1, 2, 3], finishJob: "12"),
        ])
        // Fold 0 done, fold 1 still running, fold 2 cancelled (gone from the queue), fold 3 failed.
        let queue = ["11_1": SlurmJobState(state: "RUNNING"), "11_3": SlurmJobState(state: "FAILED"),
                     "12": SlurmJobState(state: "CANCELLED", reason: "DependencyNeverSatisfied")]
        let plan = SlurmSubmissionPlan(runs: [slurmRun("a", preparedRun("a", folds: 4, done: [0]))], records: [record], queue: queue, compare: nil)
        #expect(plan.jobs.map(\.kind) == [.features, .folds, .finish])
        #expect(plan.jobs[1].arrayIndices == [2, 3])
        #expect(plan.jobs[2].dependencies == [.job(1), .queued("11_1")])
        #expect(plan.jobs[2].script(context: context, dependencyID: plan.placeholder).contains("#SBATCH --dependency=afterok:<folds-1>:11_1\n"))
    }

    @Test func aRunWhoseJobsAreAllQueuedSubmitsNothing() {
        let record = SlurmRecord(foldCount: 2, foldsPerRepeat: 2, submissions: [
            .init(submitted: "t", folder: "/f", featuresJob: "10", foldsJob: "11", folds: [0, 1], finishJob: "12"),
        ])
        let queue = ["11_1": SlurmJobState(state: "PENDING", reason: "Dependency"), "12": SlurmJobState(state: "PENDING", reason: "Dependency")]
        let plan = SlurmSubmissionPlan(runs: [slurmRun("a", preparedRun("a", folds: 2, done: [0]))], records: [record], queue: queue,
                                       compare: (["compare"], SlurmSettings()))
        #expect(plan.jobs.isEmpty, "\(plan.jobs.map(\.name))")
    }

    @Test func theSubmitterWritesScriptsWithRealIdsAndRecordsThemInTheRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-slurm-submit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let prepared = preparedRun("mlp", folds: 3, done: [1], folder: folder)
        let runs = [slurmRun("mlp", prepared)]
        let plan = SlurmSubmissionPlan(runs: runs, records: [nil], queue: nil, compare: nil)
        let client = RecordingClient()
        var scripts = context
        scripts.folder = folder.appendingPathComponent("slurm/x")
        let ids = try SlurmSubmitter(client: client, context: scripts).submit(plan, runs: runs, records: [nil])
        #expect(ids == ["100", "101", "102"])
        let finish = try String(contentsOf: scripts.folder.appendingPathComponent("02-serlab-finish-mlp.sh"), encoding: .utf8)
        #expect(finish.contains("#SBATCH --dependency=afterok:101\n"))
        let record = try #require(SlurmRecord.read(prepared.directory.url))
        #expect(record.foldCount == 3 && record.submissions.count == 1)
        #expect(record.submissions[0].featuresJob == "100" && record.submissions[0].foldsJob == "101" && record.submissions[0].finishJob == "102")
        #expect(record.latestTasks == [0: "101_0", 2: "101_2"])
    }
}

extension SlurmScriptTests {
    @Test func aFailedSbatchStillRecordsTheJobsSubmittedBeforeIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-slurm-partial-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let prepared = preparedRun("mlp", folds: 2, folder: folder)
        let runs = [slurmRun("mlp", prepared)]
        let plan = SlurmSubmissionPlan(runs: runs, records: [nil], queue: nil, compare: nil)
        var scripts = context
        scripts.folder = folder.appendingPathComponent("slurm/x")
        #expect(throws: SlurmError.self) { try SlurmSubmitter(client: RecordingClient(failingAt: 3), context: scripts).submit(plan, runs: runs, records: [nil]) }
        let record = try #require(SlurmRecord.read(prepared.directory.url))
        #expect(record.submissions.map(\.featuresJob) == ["100"] && record.submissions.map(\.foldsJob) == ["101"])
        #expect(record.submissions[0].finishJob == nil && record.latestTasks == [0: "101_0", 1: "101_1"])
    }
}

/// Hands out ids 100, 101, ... and remembers the scripts.
final class RecordingClient: SlurmClient, @unchecked Sendable {
    private let lock = NSLock()
    private var submitted: [URL] = []
    /// The submission (1-based) that fails, as sbatch refusing a job.
    let failingAt: Int?

    init(failingAt: Int? = nil) { self.failingAt = failingAt }

    func submit(_ script: URL) throws -> String {
        try lock.withLock {
            submitted.append(script)
            if submitted.count == failingAt { throw SlurmError.submitFailed(script: script.path, status: 1, message: "refused") }
            return String(99 + submitted.count)
        }
    }

    func states(of jobIDs: [String]) -> [String: SlurmJobState]? { [:] }
}
