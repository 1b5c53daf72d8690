import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a run reports while it works.
public enum ProgressEvent: Sendable {
    case message(String)
    case warning(String)
    case features(done: Int, total: Int)
    case epoch(fold: Int, foldCount: Int, record: TrainingEpoch, epochs: Int, secondsLeft: Double?)
    case foldFinished(fold: Int, foldCount: Int, uar: Double, accuracy: Double, epochKept: Int, seconds: Double, resumed: Bool, secondsLeft: Double?)
}

public protocol ProgressReporter: Sendable {
    func report(_ event: ProgressEvent)
}

/// Prints progress: on a terminal a live line (fold, epoch, loss, validation UAR, time left) that
/// each finished fold replaces with its result; otherwise one line per fold. Warnings go to stderr.
public final class ConsoleProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private let live: Bool
    private var lineOpen = false

    public init(live: Bool? = nil) {
        self.live = live ?? (isatty(STDOUT_FILENO) != 0)
    }

    public func report(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .message(let text):
            closeLine()
            write(text + "\n")
        case .warning(let text):
            closeLine()
            FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
        case let .features(done, total):
            guard live else {
                if done == total { write("features: \(total) files\n") }
                return
            }
            printLive("features \(done)/\(total)")
            if done == total { closeLine() }
        case let .epoch(fold, foldCount, record, epochs, secondsLeft):
            guard live else { return }
            printLive(String(format: "fold %d/%d  epoch %d/%d  loss %.4f  val UAR %.1f%%", fold + 1, foldCount, record.epoch, epochs,
                             record.trainLoss, record.validationUAR * 100) + ConsoleProgress.left(secondsLeft))
        case let .foldFinished(fold, foldCount, uar, accuracy, epochKept, seconds, resumed, secondsLeft):
            closeLine()
            let origin = resumed ? "  (finished earlier, kept)" : String(format: "  %.1fs", seconds)
            write(String(format: "fold %d/%d  UAR %.1f%%  accuracy %.1f%%  epoch kept %d", fold + 1, foldCount, uar * 100, accuracy * 100,
                         epochKept) + origin + ConsoleProgress.left(secondsLeft) + "\n")
        }
    }

    private func printLive(_ text: String) {
        write("\r\u{1B}[2K" + text)
        lineOpen = true
    }

    private func closeLine() {
        if lineOpen { write("\n"); lineOpen = false }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func left(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds > 0 else { return "" }
        if seconds < 90 { return String(format: "  ~%.0fs left", seconds) }
        return String(format: "  ~%.0f min left", seconds / 60)
    }
}

/// Discards everything (tests).
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func report(_ event: ProgressEvent) {}
}
