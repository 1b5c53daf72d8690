import ArgumentParser
import Foundation
import SERTestSupport
import Testing
@testable import serlab

/// `serlab serve` as the command line runs it: the lines it prints, its option checks. The server is
/// stopped by its pid.
@Suite(.serialized) struct ServeCommandTests {
    @Test func optionsAreChecked() {
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--port", "70000"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--max-upload-mb", "0"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--prediction-slots", "0"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--models", "/no/such/folder"]) }
        #expect(throws: Never.self) { try ServeCommand.parse(["--port", "0", "--models", NSTemporaryDirectory()]) }
    }

    /// Starts `serlab serve` with `arguments`, returns what it printed up to its listening line, then stops it.
    func linesUntilListening(_ arguments: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = try TestSupport.serlabExecutable()
        process.arguments = ["serve"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("serlab serve: listening on") && Date() < deadline && process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text.split(separator: "\n").map(String.init)
    }

    @Test func portZeroPrintsTheLoopbackURL() throws {
        let lines = try linesUntilListening(["--port", "0"])
        let listening = try #require(lines.first { $0.hasPrefix("serlab serve: listening on ") }, "\(lines)")
        let port = Int(listening.replacingOccurrences(of: "serlab serve: listening on http://127.0.0.1:", with: "").dropLast()) ?? 0
        #expect(port > 0, "\(listening)")
        #expect(!lines.contains { $0.hasPrefix("warning:") })
        #expect(lines.contains("note: no --models: the Predict page has no bundle to offer"))
    }

    @Test func everyInterfaceIsOnlyOnRequestAndSaysSo() throws {
        let lines = try linesUntilListening(["--port", "0", "--host", "0.0.0.0"])
        #expect(lines.contains("warning: listening on 0.0.0.0: any machine that can reach this one can use the app (it has no login)"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("serlab serve: listening on http://0.0.0.0:") }, "\(lines)")
    }
}
