import Foundation
import SERPredict

/// Bounds prediction: at most `slots` run at once, at most `waiting` wait for a turn (more are refused
/// with 503 rather than queued without end). Predictions run on Dispatch's threads, never on the
/// server's event loops.
actor PredictionSlots {
    let slots: Int
    let waitingLimit: Int
    private var running = 0
    private var queue: [CheckedContinuation<Void, Never>] = []

    init(slots: Int, waiting: Int) {
        precondition(slots >= 1 && waiting >= 0, "slots \(slots), waiting \(waiting)")
        self.slots = slots
        self.waitingLimit = waiting
    }

    /// Runs `work` on a Dispatch thread once a slot is free.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await onDispatchThread(work)
    }

    private func acquire() async throws {
        if running < slots {
            running += 1
            return
        }
        guard queue.count < waitingLimit else {
            throw ServeError(.serviceUnavailable, "the server is busy: \(slots) predictions running and \(queue.count) waiting; try again shortly")
        }
        await withCheckedContinuation { queue.append($0) }  // the slot is handed over by release()
    }

    private func release() {
        if queue.isEmpty {
            running -= 1
        } else {
            queue.removeFirst().resume()
        }
    }
}

/// Idle predictors per bundle file, reused across requests. A predictor (its networks) serves one thread
/// at a time, so each borrower gets its own; a bundle file changed on disk (size or date) is read anew.
final class PredictorPool: @unchecked Sendable {
    private struct Key: Hashable {
        var path: String
        var size: Int
        var modified: Date
    }
    private let lock = NSLock()
    private var idle: [Key: [Predictor]] = [:]

    private static func key(_ url: URL) throws -> Key {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return Key(path: url.path, size: (attributes[.size] as? NSNumber)?.intValue ?? -1,
                   modified: attributes[.modificationDate] as? Date ?? .distantPast)
    }

    /// Runs `body` with a predictor of the bundle at `url` (one thread), then keeps it for the next request.
    func with<T>(_ url: URL, _ body: (Predictor) throws -> T) throws -> T {
        let key = try Self.key(url)
        let reused: Predictor? = lock.withLock {
            idle = idle.filter { $0.key.path != key.path || $0.key == key }
            return idle[key]?.popLast()
        }
        let predictor = try reused ?? Predictor(bundle: ModelBundle.read(url), threads: 1)
        defer { lock.withLock { idle[key, default: []].append(predictor) } }
        return try body(predictor)
    }
}

/// Blocking work (decoding, prediction, reading folders, rendering a report) on a Dispatch thread, so the
/// server's event loops keep answering.
func onDispatchThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
