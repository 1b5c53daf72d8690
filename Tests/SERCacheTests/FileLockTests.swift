import Foundation
import SERTestSupport
import Testing
import SERCache

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
}
