import Dispatch
import Foundation

/// `body(0..<count)` on `threads` workers pulling the next index from a shared counter (so long and
/// short files balance), results in index order.
public func parallelMap<T: Sendable>(count: Int, threads: Int, progress: (@Sendable (Int) -> Void)?,
                                     _ body: @Sendable (Int) -> T) -> [T] {
    precondition(threads >= 1, "threads must be >= 1, got \(threads)")
    let slots = ParallelSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: min(threads, max(count, 1))) { _ in
        while let index = slots.claim() {
            let value = body(index)
            let done = slots.store(value, at: index)
            progress?(done)
        }
    }
    return slots.results()
}

/// Lock-guarded work counter and result slots shared by the workers of `parallelMap`.
private final class ParallelSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var completed = 0
    private var values: [T?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < values.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: T, at index: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        values[index] = value
        completed += 1
        return completed
    }

    func results() -> [T] {
        lock.lock(); defer { lock.unlock() }
        return values.map { $0! }
    }
}
