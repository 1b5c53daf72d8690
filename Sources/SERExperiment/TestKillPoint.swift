import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A test hook, inert unless `SERLAB_TEST_KILL_AT` is set: the resume tests (serlabTests' ResumeTests)
/// name a point of a run there, and the process kills itself with SIGKILL when it reaches it, as a power
/// cut or `kill -9` would (no cleanup, no lock release, no buffered output). The points:
/// - `features`: half of the utterances' features extracted;
/// - `fold-<i>-epoch-<e>`: fold i has finished its epoch e (inside the fold's training);
/// - `fold-<i>-files`: fold i's files are written, its `done` marker not yet.
/// Users never set it; a value naming no point does nothing.
enum TestKillPoint {
    static let environmentVariable = "SERLAB_TEST_KILL_AT"
    static let requested: String? = ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }

    /// Kills this process when `point` is the one `SERLAB_TEST_KILL_AT` names.
    static func reached(_ point: @autoclosure () -> String) {
        guard let requested, requested == point() else { return }
        kill(getpid(), SIGKILL)
    }
}
