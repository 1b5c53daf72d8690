import Foundation
import SERExperiment
import SERResults

/// `<run folder>/slurm.json`: every submission of the run's jobs, so `serlab status` and a resubmission
/// know which Slurm task computes which fold. Written atomically by the submitting side only.
public struct SlurmRecord: Codable, Sendable, Equatable {
    public struct Submission: Codable, Sendable, Equatable {
        /// ISO 8601 UTC.
        public var submitted: String
        /// The submission's folder: its scripts and logs.
        public var folder: String
        public var featuresJob: String?
        /// The array job; its task `i` is fold `i`.
        public var foldsJob: String?
        public var folds: [Int]
        public var finishJob: String?
    }

    public var foldCount: Int
    public var foldsPerRepeat: Int
    public var submissions: [Submission]

    public static let fileName = RunDirectory.submissionRecord

    public static func read(_ run: URL) -> SlurmRecord? {
        guard let data = try? Data(contentsOf: run.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(SlurmRecord.self, from: data)
    }

    public func write(to run: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunDirectory.atomicWrite(try encoder.encode(self) + Data("\n".utf8), to: run.appendingPathComponent(Self.fileName))
    }

    /// The latest submission's task of each fold: "<array job>_<fold>".
    public var latestTasks: [Int: String] {
        var tasks: [Int: String] = [:]
        for submission in submissions {
            guard let job = submission.foldsJob else { continue }
            for fold in submission.folds { tasks[fold] = "\(job)_\(fold)" }
        }
        return tasks
    }

    /// The latest finishing job.
    public var latestFinishJob: String? { submissions.last(where: { $0.finishJob != nil })?.finishJob }

    /// Every job id recorded (array jobs by their tasks).
    public var jobIDs: [String] {
        submissions.flatMap { [$0.featuresJob, $0.foldsJob, $0.finishJob].compactMap { $0 } }
    }
}
