import Foundation
import Testing

/// Where the package and the shared test corpora are, for every test target.
public enum TestSupport {
    /// The package root (the folder holding Package.swift), found from this source file.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `$SERLAB_CORPORA`, else `corpora/` in the package (where serlab itself looks); a test needing a
    /// corpus that is in neither fails (`corpus(_:)`).
    public static var corporaRoot: URL {
        if let env = ProcessInfo.processInfo.environment["SERLAB_CORPORA"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return packageRoot.appendingPathComponent("corpora", isDirectory: true)
    }

    /// `$SERLAB_FOLDS`, else the fold files the configs ship (`configs/folds/`).
    public static var foldsRoot: URL {
        if let env = ProcessInfo.processInfo.environment["SERLAB_FOLDS"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return packageRoot.appendingPathComponent("configs/folds", isDirectory: true)
    }

    public struct MissingCorpus: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "TEST CORPUS MISSING: expected \(path) (set SERLAB_CORPORA to the folder holding ravdess/, savee/, tess/ and expected/). This test fails rather than skips."
        }
    }

    /// The folder of one corpus (`"ravdess"`, `"savee"`, `"tess"`, `"expected"`); throws loudly when absent,
    /// so a test that needs it fails instead of skipping.
    public static func corpus(_ name: String) throws -> URL {
        let url = corporaRoot.appendingPathComponent(name, isDirectory: true)
        guard FileManager.default.fileExists(atPath: url.path) else {
            FileHandle.standardError.write(Data("\(MissingCorpus(path: url.path))\n".utf8))
            throw MissingCorpus(path: url.path)
        }
        return url
    }

    /// The `serlab` executable `swift build` put beside the test bundle (every product of a build lands in
    /// one folder); throws, naming the places searched, when it is not built, so the test fails, never skips.
    public static func serlabExecutable() throws -> URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDirectory, Bundle.main.bundleURL.deletingLastPathComponent()]
        // On Linux the test runner may be `<products>/<name>.xctest/...`; walk up a few levels.
        var directory = bundleDirectory
        for _ in 0..<3 { directory.deleteLastPathComponent(); candidates.append(directory) }
        candidates += ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)") }
        let executables = candidates.map { $0.appendingPathComponent("serlab") }
        guard let found = executables.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw MissingExecutable(searched: executables.map(\.path))
        }
        return found
    }

    public struct MissingExecutable: Error, CustomStringConvertible {
        public let searched: [String]
        public var description: String {
            "serlab executable not found (looked in \(searched.joined(separator: ", "))); build it with `swift build` first"
        }
    }

    /// What a finished program printed and its exit status.
    public struct ProcessResult: Sendable {
        /// The exit status, or the signal number when `signalled`.
        public var status: Int32
        /// Whether a signal ended the program (e.g. SIGKILL) rather than an exit.
        public var signalled: Bool = false
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `executable` to its end, capturing both outputs (read at the same time, so neither pipe
    /// fills up and stalls the program); `input`, when given, is its standard input (from a file, so a
    /// large input cannot block on a full pipe); `environment` adds to (or replaces values of) this process's.
    public static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil, input: URL? = nil,
                           environment: [String: String] = [:]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let input { process.standardInput = try FileHandle(forReadingFrom: input) }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let errorData = CapturedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                             standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: errorData.wait(), as: UTF8.self))
    }

    /// Runs the built `serlab` with `arguments`.
    public static func runSerlab(_ arguments: [String], in directory: URL? = nil, input: URL? = nil,
                                 environment: [String: String] = [:]) throws -> ProcessResult {
        try run(try serlabExecutable(), arguments, in: directory, input: input, environment: environment)
    }

    /// Bytes handed from the thread that reads a pipe to the one waiting for them.
    private final class CapturedData: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()
        func set(_ value: Data) { data = value; done.signal() }
        func wait() -> Data { done.wait(); return data }
    }

    /// A fresh temporary folder, removed by the caller when it likes.
    public static func temporaryDirectory(_ label: String = "serlab-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension TestSupport {
    /// Whether the real corpora are asked for: `SERLAB_CORPORA` is set (to anything non-empty). Then every
    /// real-corpus test runs, and one whose corpus is missing fails (`corpus(_:)`), never skips.
    public static var realCorporaRequested: Bool {
        !(ProcessInfo.processInfo.environment["SERLAB_CORPORA"] ?? "").isEmpty
    }
}

extension Trait where Self == ConditionTrait {
    /// On every suite or test that reads real corpus audio or the answer key (`TestSupport.corpus`): it
    /// runs when `SERLAB_CORPORA` is set and is reported as not enabled otherwise, so the suite passes on
    /// a fresh clone. Asked for and absent, a corpus fails the test (`TestSupport.corpus`).
    public static var realCorpora: Self {
        .enabled(if: TestSupport.realCorporaRequested,
                 "reads the real corpora: set SERLAB_CORPORA to the folder holding ravdess/, savee/, tess/ and expected/ to run it")
    }
}
