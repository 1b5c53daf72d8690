import Foundation

/// Fixed slots written once each from concurrent workers.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.lock(); slots[index] = value; lock.unlock() }
    func values() -> [Value] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int { lock.lock(); defer { value += 1; lock.unlock() }; return value }
}
