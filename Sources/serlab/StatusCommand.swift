import ArgumentParser
import Foundation
import SERCluster

/// `serlab status`: where runs stand, from their folders and, for submitted runs, the Slurm queue.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each run's folds done, running, pending and failed, and its Slurm job ids.",
        discussion: """
        Reads the run folders (done markers, metrics.json, slurm.json) and, when squeue is on PATH, the \
        states of the jobs `serlab run --slurm` recorded. Exits 0 when every run is finished, 1 otherwise.

        Examples:
          serlab status results/
          serlab status results/mlp_savee/20261207-203000-0
        """)

    @Argument(help: "A results folder or a run folder (default: results).")
    var path: String = "results"

    func run() throws {
        let folder = URL(fileURLWithPath: path)
        let runs = RunStatus.discover(folder)
        guard !runs.isEmpty else {
            FileHandle.standardError.write(Data("error: \(folder.path): expected a run folder (with config.resolved.json) or a results folder holding some, found none\n".utf8))
            throw ExitCode(2)
        }
        let client = CommandLineSlurm()
        let statuses = runs.map { RunStatus.read($0) { client.states(of: $0) } }
        for status in statuses { print(status.text) }
        if statuses.contains(where: { !$0.finished }) { throw ExitCode(1) }
    }
}
