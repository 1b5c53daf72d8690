import Foundation

/// A job's state as Slurm reports it (`squeue -t all`: `%T` and `%r`).
public struct SlurmJobState: Sendable, Equatable {
    public var state: String
    public var reason: String

    public init(state: String, reason: String = "") {
        self.state = state
        self.reason = reason
    }

    /// Queued or running: the job may still do its work.
    public var isActive: Bool { isPending || isRunning }
    public var isPending: Bool { ["PENDING", "CONFIGURING", "REQUEUED", "RESV_DEL_HOLD", "REQUEUE_HOLD", "SUSPENDED"].contains(state) }
    public var isRunning: Bool { ["RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING"].contains(state) }
}

/// What serlab asks of Slurm: submit a script, and the states of jobs it submitted.
public protocol SlurmClient: Sendable {
    /// Submits `script` (`sbatch --parsable`) and returns the job id.
    func submit(_ script: URL) throws -> String
    /// States of the given jobs, keyed by id; an array job's tasks as "<id>_<index>". Jobs Slurm no
    /// longer knows are absent. Nil when the queue cannot be asked (no squeue on PATH).
    func states(of jobIDs: [String]) -> [String: SlurmJobState]?
}

public enum SlurmError: LocalizedError, Equatable {
    case notAvailable(command: String)
    case submitFailed(script: String, status: Int32, message: String)

    public var errorDescription: String? {
        switch self {
        case let .notAvailable(command):
            return "\(command) is not on PATH: submitting needs a Slurm client (use --dry-run to see the scripts)"
        case let .submitFailed(script, status, message):
            return "sbatch \(script) failed with status \(status): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

/// The Slurm commands on PATH: `sbatch --parsable`, `squeue -h -r -t all -j ... -o ...`.
public struct CommandLineSlurm: SlurmClient {
    public init() {}

    /// The full path of `command` on PATH, nil when absent.
    public static func which(_ command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public func submit(_ script: URL) throws -> String {
        guard let sbatch = Self.which("sbatch") else { throw SlurmError.notAvailable(command: "sbatch") }
        let (status, output, error) = try Self.execute(sbatch, ["--parsable", script.path])
        let id = output.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard status == 0, !id.isEmpty else { throw SlurmError.submitFailed(script: script.path, status: status, message: error + output) }
        return id
    }

    public func states(of jobIDs: [String]) -> [String: SlurmJobState]? {
        guard let squeue = Self.which("squeue") else { return nil }
        var states: [String: SlurmJobState] = [:]
        // One id per call: squeue refuses the whole list when one id is no longer known.
        for id in Set(jobIDs) {
            guard let (status, output, _) = try? Self.execute(squeue, ["-h", "-r", "-t", "all", "-j", id, "-o", "%i|%T|%r"]), status == 0 else { continue }
            states.merge(Self.parse(output)) { _, new in new }
        }
        return states
    }

    /// `squeue -o "%i|%T|%r"` lines as states by id.
    static func parse(_ output: String) -> [String: SlurmJobState] {
        var states: [String: SlurmJobState] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2, !fields[0].isEmpty else { continue }
            states[fields[0]] = SlurmJobState(state: fields[1], reason: fields.count > 2 ? fields[2] : "")
        }
        return states
    }

    static func execute(_ executable: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
