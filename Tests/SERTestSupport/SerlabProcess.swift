import Foundation

/// Runs the real `serlab` executable built beside this test bundle (swift build/test builds every
/// product into the same folder). Fails loudly when it is missing instead of skipping.
public enum SerlabProcess {
    public struct Result {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    struct MissingExecutable: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "serlab executable not found (looked in \(searched.joined(separator: ", "))); build it with `swift build --product serlab` first" }
    }

    public static func executable() throws -> URL {
        var candidates: [URL] = []
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(bundleDirectory.appendingPathComponent("serlab"))
        // On Linux the test runner may be `<products>/<name>.xctest`; walk up a few levels.
        var directory = bundleDirectory
        for _ in 0..<3 { directory.deleteLastPathComponent(); candidates.append(directory.appendingPathComponent("serlab")) }
        for configuration in ["debug", "release"] {
            candidates.append(TestSupport.packageRoot.appendingPathComponent(".build/\(configuration)/serlab"))
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw MissingExecutable(searched: candidates.map(\.path))
    }

    /// Runs serlab with `arguments`; `input`, when given, is its standard input (from a file, so a large
    /// input cannot block on a full pipe).
    public static func run(_ arguments: [String], in directory: URL? = nil, input: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let input { process.standardInput = try FileHandle(forReadingFrom: input) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
    }
}
