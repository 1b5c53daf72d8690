import Foundation
import SERTestSupport
import Testing
@testable import SERCache

@Suite struct FileLockTests {
    @Test func attemptTakesAFreeLockAndRefusesAHeldOneWithoutWaiting() throws {
        let folder = TestSupport.temporaryDirectory("serlab-filelock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("x.lock")
        let first = try #require(try FileLock.attempt(url))
        first.replaceContents(with: "holder one\n")
        // flock belongs to the open file description: a second one in this process is refused too.
        #expect(try FileLock.attempt(url) == nil)
        #expect(try String(contentsOf: url, encoding: .utf8) == "holder one\n")
        first.unlock()
        let second = try #require(try FileLock.attempt(url))
        second.replaceContents(with: "two\n")
        #expect(try String(contentsOf: url, encoding: .utf8) == "two\n")
        second.unlock()
    }

    @Test func attemptOnAnUnopenablePathSaysWhichStepFailed() throws {
        let folder = TestSupport.temporaryDirectory("serlab-filelock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("missing/x.lock")
        do throws(FileLock.Failure) {
            _ = try FileLock.attempt(url)
            Issue.record("a lock file in a missing folder was opened")
        } catch {
            #expect(error.step == .open)
            #expect(error.description.hasPrefix("cannot open the lock file: "))
        }
    }

    @Test func unlockAndRemoveLeavesNoFileAndTheNextTakerGetsANewOne() throws {
        let folder = TestSupport.temporaryDirectory("serlab-filelock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("x.lock")
        let first = try #require(try FileLock.attempt(url))
        first.unlockAndRemove()
        #expect(!FileManager.default.fileExists(atPath: url.path))
        let second = try #require(try FileLock.attempt(url))
        #expect(FileManager.default.fileExists(atPath: url.path))
        second.unlockAndRemove()
    }

    /// A taker that opened the lock file just before its holder removed it must not end up holding the
    /// removed file while somebody else holds the new one: it checks that the path still names the
    /// file it locked and starts over otherwise.
    @Test func aWaiterWokenOnARemovedFileTakesTheNewOne() throws {
        let folder = TestSupport.temporaryDirectory("serlab-filelock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("x.lock")
        let first = try #require(try FileLock.attempt(url))
        let waiterHolds = Flag(), finish = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Opens the current file and blocks in flock until `first` lets go.
            guard let waiter = try? FileLock(url) else { finished.signal(); return }
            waiterHolds.set(true)
            finish.wait()
            waiterHolds.set(false)
            waiter.unlock()
            finished.signal()
        }
        usleep(300_000)                  // the waiter is now blocked on the file `first` holds
        first.unlockAndRemove()
        usleep(100_000)                  // the waiter woke up on the removed file
        let third = try FileLock.attempt(url)
        let holders = (waiterHolds.value ? 1 : 0) + (third == nil ? 0 : 1)
        #expect(holders == 1, "exactly one holder after the removal, found \(holders)")
        third?.unlock()
        finish.signal()
        finished.wait()
    }
}

/// A Bool shared between threads (test helper).
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var current = false
    var value: Bool { lock.lock(); defer { lock.unlock() }; return current }
    func set(_ value: Bool) { lock.lock(); current = value; lock.unlock() }
}
