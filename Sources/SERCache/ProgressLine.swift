import Foundation

/// A one-line progress display on stderr ("extracting 120/1440 files, 31.2 files/s, 42 s left"), shown
/// only when asked for and stderr is a terminal; updated at most 10 times a second. Thread-safe.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private var done = 0
    private var lastDraw = Date.distantPast

    init(label: String, total: Int, requested: Bool) {
        self.label = label
        self.total = total
        self.enabled = requested && total > 0 && isatty(STDERR_FILENO) == 1
    }

    func advance() {
        guard enabled else { return }
        lock.withLock {
            done += 1
            let now = Date()
            guard done == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            let elapsed = now.timeIntervalSince(start)
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let left = rate > 0 ? Double(total - done) / rate : 0
            let line = String(format: "\r\u{1B}[K%@ %d/%d files, %.1f files/s, %.0f s left", label, done, total, rate, left)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        guard enabled else { return }
        lock.withLock { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
