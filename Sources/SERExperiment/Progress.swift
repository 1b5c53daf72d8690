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
    /// An epoch of a training outside the folds (`serlab train`); `phase` names it. Validation fields are NaN without one.
    case trainingEpoch(phase: String, record: TrainingEpoch, epochs: Int, secondsLeft: Double?)
}

public protocol ProgressReporter: Sendable {
    func report(_ event: ProgressEvent)
}

/// Prints progress: on a terminal a live line (features with their rate, or fold, epoch, loss, validation
/// UAR; time left) that each finished fold replaces with its result; otherwise one line per fold. Warnings
/// go to stderr. The one place progress reaches the terminal: libraries report events, callers pick this.
public final class ConsoleProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private let output: FileHandle
    private let live: Bool
    private var lineOpen = false
    /// When the current feature pass started and how many files were ready then (cache hits), for the rate.
    private var featureStart: (date: Date, done: Int)?
    private var lastFeatureDraw = Date.distantPast

    /// `output`: where lines go (stdout; `serlab features` prints its summary there and uses stderr).
    /// `live`: redraw one line in place (default: when `output` is a terminal).
    public init(live: Bool? = nil, output: FileHandle = .standardOutput) {
        self.output = output
        self.live = live ?? (isatty(output.fileDescriptor) != 0)
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
            let now = Date()
            if featureStart == nil || done < featureStart!.done { featureStart = (now, done) }
            // At most ten redraws a second (workers report every file).
            guard done == total || now.timeIntervalSince(lastFeatureDraw) >= 0.1 else { return }
            lastFeatureDraw = now
            let elapsed = now.timeIntervalSince(featureStart!.date)
            let rate = elapsed > 0 ? Double(done - featureStart!.done) / elapsed : 0
            printLive("features \(done)/\(total)" + (rate > 0 ? String(format: ", %.1f files/s", rate) : "")
                      + ConsoleProgress.left(rate > 0 ? Double(total - done) / rate : nil))
            if done == total {
                closeLine()
                featureStart = nil
            }
        case let .epoch(fold, foldCount, record, epochs, secondsLeft):
            guard live else { return }
            printLive(String(format: "fold %d/%d  epoch %d/%d  loss %.4f  val UAR %.1f%%", fold + 1, foldCount, record.epoch, epochs,
                             record.trainLoss, record.validationUAR * 100) + ConsoleProgress.left(secondsLeft))
        case let .trainingEpoch(phase, record, epochs, secondsLeft):
            guard live else { return }
            printLive(phase + String(format: "  epoch %d/%d  loss %.4f", record.epoch, epochs, record.trainLoss)
                      + (record.validationUAR.isNaN ? "" : String(format: "  val UAR %.1f%%", record.validationUAR * 100))
                      + ConsoleProgress.left(secondsLeft))
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
        output.write(Data(text.utf8))
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
