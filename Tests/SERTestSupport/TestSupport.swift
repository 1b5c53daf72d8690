import Foundation

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

    /// `$SERLAB_CORPORA`, or `../shared/corpora` beside the package.
    public static var corporaRoot: URL {
        if let env = ProcessInfo.processInfo.environment["SERLAB_CORPORA"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora", isDirectory: true)
    }

    /// `$SERLAB_FOLDS`, or `../shared/folds` beside the package.
    public static var foldsRoot: URL {
        if let env = ProcessInfo.processInfo.environment["SERLAB_FOLDS"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/folds", isDirectory: true)
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

    /// A fresh temporary folder, removed by the caller when it likes.
    public static func temporaryDirectory(_ label: String = "serlab-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
