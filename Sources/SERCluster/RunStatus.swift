import Foundation
import SERExperiment

/// Where one run stands: its folds from the run folder (`done` markers, metrics.json) and, for runs
/// submitted to Slurm, the states of their recorded jobs (`slurm.json` + the queue).
public struct RunStatus: Sendable, Equatable {
    public enum FoldState: Sendable, Equatable {
        case done
        case running(task: String)
        case pending(task: String, reason: String)
        /// The task ended without writing its fold: Slurm's state (CANCELLED, FAILED, TIMEOUT...), or
        /// "ENDED" when Slurm no longer knows the task.
        case failed(task: String, state: String)
        /// Not done, and no task of it is known (never submitted, or a local run stopped before it).
        case notStarted
        /// Not done; its task's state cannot be asked (no squeue on PATH).
        case unknown(task: String)
    }

    public var folder: URL
    /// `<config name>/<run id>`.
    public var name: String
    public var finished: Bool
    /// Folds by index; nil when the run was never submitted and is not finished (its plan is unknown here).
    public var folds: [Int: FoldState]
    public var foldsPerRepeat: Int?
    /// (what, id, state) of the latest submission's jobs.
    public var jobs: [(String, String, String)]

    public static func == (lhs: RunStatus, rhs: RunStatus) -> Bool {
        lhs.folder == rhs.folder && lhs.name == rhs.name && lhs.finished == rhs.finished && lhs.folds == rhs.folds
            && lhs.jobs.map { "\($0.0) \($0.1) \($0.2)" } == rhs.jobs.map { "\($0.0) \($0.1) \($0.2)" }
    }

    /// The status of the run folder `folder`; `queue` answers for job ids (nil: no Slurm to ask).
    public static func read(_ folder: URL, queue: ([String]) -> [String: SlurmJobState]?) -> RunStatus {
        let run = RunDirectory(url: folder)
        let name = folder.deletingLastPathComponent().lastPathComponent + "/" + folder.lastPathComponent
        let record = SlurmRecord.read(folder)
        var foldCount = record?.foldCount
        if foldCount == nil, run.isFinished { foldCount = finishedFoldCount(folder) }
        let states = record.flatMap { queue($0.jobIDs) }
        let tasks = record?.latestTasks ?? [:]
        var folds: [Int: FoldState] = [:]
        let indices = foldCount.map { Array(0..<$0) } ?? startedFolds(folder)
        for index in indices {
            if run.isFoldDone(index) { folds[index] = .done; continue }
            guard let task = tasks[index] else { folds[index] = .notStarted; continue }
            guard let states else { folds[index] = .unknown(task: task); continue }
            guard let state = states[task] else { folds[index] = .failed(task: task, state: "ENDED"); continue }
            if state.isRunning { folds[index] = .running(task: task) }
            else if state.isPending { folds[index] = .pending(task: task, reason: state.reason) }
            else { folds[index] = .failed(task: task, state: state.state) }
        }
        var jobs: [(String, String, String)] = []
        if let last = record?.submissions.last {
            func state(_ id: String) -> String {
                guard let states else { return "?" }
                if let own = states[id] { return own.state + (own.isPending && !own.reason.isEmpty ? " (\(own.reason))" : "") }
                let tasks = states.filter { $0.key.hasPrefix(id + "_") }.map(\.value.state)
                if !tasks.isEmpty { return Dictionary(grouping: tasks, by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ") }
                return "no longer in the queue"
            }
            if let id = last.featuresJob { jobs.append(("features", id, state(id))) }
            if let id = last.foldsJob { jobs.append(("folds", id, state(id))) }
            if let id = last.finishJob { jobs.append(("finish", id, state(id))) }
        }
        return RunStatus(folder: folder, name: name, finished: run.isFinished, folds: folds, foldsPerRepeat: record?.foldsPerRepeat, jobs: jobs)
    }

    /// Fold count of a finished run, from its metrics.json.
    static func finishedFoldCount(_ folder: URL) -> Int? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("metrics.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let folds = object["folds"] as? [Any] else { return nil }
        return folds.count
    }

    /// Folds with a folder, for an unsubmitted unfinished run.
    static func startedFolds(_ folder: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("folds").path)) ?? []
        return names.compactMap { $0.hasPrefix("fold-") ? Int($0.dropFirst(5)) : nil }.sorted()
    }

    /// Run folders (holding config.resolved.json) at or under `url`, at most three levels down, sorted.
    public static func discover(_ url: URL) -> [URL] {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("config.resolved.json").path) { return [url] }
        func walk(_ folder: URL, _ depth: Int) -> [URL] {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.resolved.json").path) { return [folder] }
            guard depth > 0, let children = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
            return children.filter { !$0.lastPathComponent.hasPrefix(".") && (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
                .flatMap { walk($0, depth - 1) }
        }
        return walk(url, 3)
    }

    /// Counts per state.
    public var counts: (done: Int, running: Int, pending: Int, failed: Int, other: Int) {
        var result = (done: 0, running: 0, pending: 0, failed: 0, other: 0)
        for state in folds.values {
            switch state {
            case .done: result.done += 1
            case .running: result.running += 1
            case .pending: result.pending += 1
            case .failed: result.failed += 1
            case .notStarted, .unknown: result.other += 1
            }
        }
        return result
    }

    /// "fold-7 (repeat 1, fold 3)" when the run repeats its protocol, else "fold-7".
    func foldName(_ index: Int) -> String {
        guard let perRepeat = foldsPerRepeat, perRepeat > 0, folds.count > perRepeat else { return "fold-\(index)" }
        return "fold-\(index) (repeat \(index / perRepeat), fold \(index % perRepeat))"
    }

    /// The lines `serlab status` prints for this run.
    public var text: String {
        let c = counts
        var head = "\(name): "
        if finished {
            head += "finished, \(c.done) folds done, metrics.json written"
        } else {
            head += "\(c.done) of \(folds.count) folds done, \(c.running) running, \(c.pending) pending, \(c.failed) failed"
            if c.other > 0 { head += ", \(c.other) not started or unknown" }
            head += "; metrics.json not written"
        }
        var lines = [head]
        for index in folds.keys.sorted() {
            switch folds[index]! {
            case .done: continue
            case .running(let task): lines.append("  running  \(foldName(index)): task \(task)")
            case let .pending(task, reason): lines.append("  pending  \(foldName(index)): task \(task)" + (reason.isEmpty ? "" : " (\(reason))"))
            case let .failed(task, state): lines.append("  FAILED   \(foldName(index)): task \(task) \(state), no done marker")
            case .notStarted: lines.append("  missing  \(foldName(index)): not submitted")
            case .unknown(let task): lines.append("  unknown  \(foldName(index)): task \(task) (squeue not on PATH)")
            }
        }
        if !jobs.isEmpty {
            lines.append("  jobs: " + jobs.map { "\($0.0) \($0.1) \($0.2)" }.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }
}
