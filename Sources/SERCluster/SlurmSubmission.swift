import Foundation
import SERExperiment

/// One run as the submission sees it: its prepared folder and how its units are invoked.
public struct SlurmRun: Sendable {
    /// The config's name (job names, logs).
    public var name: String
    public var prepared: ExperimentRunner.PreparedRun
    public var settings: SlurmSettings
    /// `training.threads`: `--cpus-per-task` when the settings leave it open.
    public var threads: Int
    /// The serlab arguments after `slurm-task <step>` that name this run's config and folders:
    /// the config path, `--set`s, `--results`, `--cache`, `--corpora`, `--run-id`.
    public var stepArguments: [String]

    public init(name: String, prepared: ExperimentRunner.PreparedRun, settings: SlurmSettings, threads: Int, stepArguments: [String]) {
        self.name = name
        self.prepared = prepared
        self.settings = settings
        self.threads = threads
        self.stepArguments = stepArguments
    }

    var cpus: Int { settings.cpusPerTask ?? threads }
}

/// The jobs that complete a set of runs, given what is done and what is still queued: one features job
/// per distinct (corpus, feature spec) among runs that train, one array job of the folds that are
/// neither done nor queued, one finishing job per unfinished run (waiting for its array and for its
/// folds still queued from an earlier submission), and for a suite a compare job after every finishing job.
public struct SlurmSubmissionPlan: Sendable {
    public var jobs: [SlurmJob] = []
    /// Per run (by position in the input): the positions of its features, folds and finish jobs.
    public var runJobs: [(features: Int?, folds: Int?, finish: Int?)] = []
    /// Per run: what is left alone and why ("finished", "3 folds queued").
    public var notes: [String] = []

    /// `queue`: states of the runs' recorded jobs (nil when unknown: nothing is taken as queued).
    /// `compare`: the suite's compare command (arguments after the binary) and its settings, or nil.
    public init(runs: [SlurmRun], records: [SlurmRecord?], queue: [String: SlurmJobState]?, compare: (arguments: [String], settings: SlurmSettings)?) {
        var featureJobs: [String: Int] = [:]
        var finishDependencies: [SlurmJob.Dependency] = []
        for (position, run) in runs.enumerated() {
            let record = records.indices.contains(position) ? records[position] : nil
            let prepared = run.prepared
            if prepared.finished {
                runJobs.append((nil, nil, nil))
                notes.append("\(run.name): finished, nothing to submit (\(prepared.directory.url.path))")
                continue
            }
            let tasks = record?.latestTasks ?? [:]
            let queuedTasks = prepared.folds.filter { !prepared.doneFolds.contains($0) }
                .compactMap { fold in tasks[fold].flatMap { task in queue?[task]?.isActive == true ? task : nil } }
            let queuedFolds = Set(queuedTasks.compactMap { Int($0.split(separator: "_").last ?? "") })
            let missing = prepared.folds.filter { !prepared.doneFolds.contains($0) && !queuedFolds.contains($0) }
            if missing.isEmpty, let finish = record?.latestFinishJob, queue?[finish]?.isActive == true {
                runJobs.append((nil, nil, nil))
                finishDependencies.append(.queued(finish))
                notes.append("\(run.name): every fold is done or queued and its finishing job \(finish) is queued; nothing to submit")
                continue
            }
            var features: Int?, folds: Int?
            if !missing.isEmpty {
                if let existing = featureJobs[prepared.featureKey] {
                    features = existing
                } else {
                    features = jobs.count
                    featureJobs[prepared.featureKey] = jobs.count
                    jobs.append(SlurmJob(kind: .features, name: "serlab-features-\(prepared.featureKey)", run: nil, settings: run.settings,
                                         cpus: run.cpus, arguments: ["slurm-task", "features"] + run.stepArguments))
                }
                folds = jobs.count
                jobs.append(SlurmJob(kind: .folds, name: "serlab-folds-\(run.name)", run: prepared.directory.url, arrayIndices: missing,
                                     dependencies: [.job(features!)], settings: run.settings, cpus: run.cpus,
                                     arguments: ["slurm-task", "fold"] + run.stepArguments))
            }
            let finish = jobs.count
            let finishWaitsFor: [SlurmJob.Dependency] = (folds.map { [.job($0)] } ?? []) + queuedTasks.map { .queued($0) }
            jobs.append(SlurmJob(kind: .finish, name: "serlab-finish-\(run.name)", run: prepared.directory.url, dependencies: finishWaitsFor,
                                 settings: run.settings, cpus: 1, arguments: ["slurm-task", "finish"] + run.stepArguments))
            runJobs.append((features, folds, finish))
            finishDependencies.append(.job(finish))
            notes.append("\(run.name): \(missing.count) of \(prepared.folds.count) folds to run"
                         + (queuedFolds.isEmpty ? "" : ", \(queuedFolds.count) still queued") + " (\(prepared.directory.url.path))")
        }
        if let compare, jobs.contains(where: { $0.kind == .finish }) {
            jobs.append(SlurmJob(kind: .compare, name: "serlab-compare", run: nil, dependencies: finishDependencies, settings: compare.settings,
                                 cpus: 1, arguments: compare.arguments))
        }
    }

    /// How `--dry-run` names a job of this submission: `<folds-2>` (kind and position).
    public func placeholder(_ dependency: SlurmJob.Dependency) -> String {
        switch dependency {
        case .job(let position): return "<\(jobs[position].kind.rawValue)-\(position)>"
        case .queued(let id): return id
        }
    }
}

/// Writes each job's script into the submission folder, submits it once the jobs it waits for have ids,
/// and records the ids in each run's slurm.json.
public struct SlurmSubmitter {
    public var client: SlurmClient
    public var context: SlurmScriptContext

    public init(client: SlurmClient, context: SlurmScriptContext) {
        self.client = client
        self.context = context
    }

    /// Submits `plan` (jobs in order: each depends only on earlier ones); returns the job ids by position.
    /// When sbatch fails part-way, the jobs already submitted are still recorded (so the same command
    /// again does not submit them twice) and the error is rethrown.
    @discardableResult
    public func submit(_ plan: SlurmSubmissionPlan, runs: [SlurmRun], records: [SlurmRecord?]) throws -> [String] {
        try FileManager.default.createDirectory(at: context.folder, withIntermediateDirectories: true)
        var ids: [String] = []
        do {
            for (position, job) in plan.jobs.enumerated() {
                let text = job.script(context: context) { dependency in
                    switch dependency {
                    case .job(let earlier): return ids[earlier]
                    case .queued(let id): return id
                    }
                }
                let url = context.folder.appendingPathComponent(String(format: "%02d-", position) + job.name + ".sh")
                try RunDirectory.atomicWrite(Data(text.utf8), to: url)
                ids.append(try client.submit(url))
            }
        } catch {
            try record(plan, runs: runs, records: records, ids: ids)
            throw error
        }
        try record(plan, runs: runs, records: records, ids: ids)
        return ids
    }

    /// Appends this submission's ids (those submitted) to each run's slurm.json.
    func record(_ plan: SlurmSubmissionPlan, runs: [SlurmRun], records: [SlurmRecord?], ids: [String]) throws {
        func id(_ position: Int?) -> String? { position.flatMap { $0 < ids.count ? ids[$0] : nil } }
        let stamp = ISO8601DateFormatter().string(from: Date())
        for (position, run) in runs.enumerated() {
            let (features, folds, finish) = plan.runJobs[position]
            guard id(features) != nil || id(folds) != nil || id(finish) != nil else { continue }
            var record = (records.indices.contains(position) ? records[position] : nil)
                ?? SlurmRecord(foldCount: run.prepared.folds.count, foldsPerRepeat: run.prepared.foldsPerRepeat, submissions: [])
            record.submissions.append(.init(submitted: stamp, folder: context.folder.path, featuresJob: id(features), foldsJob: id(folds),
                                            folds: id(folds) == nil ? [] : folds.map { plan.jobs[$0].arrayIndices } ?? [], finishJob: id(finish)))
            try record.write(to: run.prepared.directory.url)
        }
    }
}
