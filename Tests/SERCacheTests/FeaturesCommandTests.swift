import Foundation
import SERFeatures
import SERTestSupport
import Testing
@testable import SERCache

/// `serlab features` run as a process (the built executable beside the tests).
@Suite("serlab features")
struct FeaturesCommandTests {
    @Test("One file: CSV on stdout, --output .csv and .h5 all hold exactly the extracted matrix")
    func oneFile() throws {
        let folder = TestSupport.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try CacheTestSupport.makeCorpus(folder, count: 1)[0]
        let expected = try CacheTestSupport.freshFeatures(file, spec: FeatureSpec())

        let printed = try TestSupport.runSerlab(["features", file.path])
        #expect(printed.status == 0, "\(printed.standardError)")
        let lines = printed.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                == (expected.columnNames.isEmpty ? [""] : expected.columnNames))
        let values = lines.dropFirst().flatMap { $0.split(separator: ",").map { Float(String($0))! } }
        #expect(lines.count - 1 == expected.frameCount)
        #expect(values.map(\.bitPattern) == expected.values.map(\.bitPattern))

        let csv = folder.appendingPathComponent("out.csv")
        #expect(try TestSupport.runSerlab(["features", file.path, "--output", csv.path]).status == 0)
        #expect(try String(contentsOf: csv, encoding: .utf8) == printed.standardOutput)

        let h5 = folder.appendingPathComponent("out.h5")
        #expect(try TestSupport.runSerlab(["features", file.path, "--output", h5.path]).status == 0)
        #expect(CacheTestSupport.identical(try FeatureMatrixFile.read(h5), expected))
    }

    @Test("A folder fills the cache and prints the summary; a second run only hits")
    func folder() throws {
        let folder = TestSupport.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = folder.appendingPathComponent("corpus")
        _ = try CacheTestSupport.makeCorpus(audio, count: 3)
        try Data("ignored".utf8).write(to: audio.appendingPathComponent("notes.txt"))
        let cacheDir = folder.appendingPathComponent("cache").path
        let first = try TestSupport.runSerlab(["features", audio.path, "--cache-dir", cacheDir])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("files:      3 (0 cache hits, 3 extracted)"))
        #expect(first.standardError.isEmpty, "no progress line when stderr is not a terminal")
        let second = try TestSupport.runSerlab(["features", audio.path, "--cache-dir", cacheDir])
        #expect(second.standardOutput.contains("files:      3 (3 cache hits, 0 extracted)"))
    }

    @Test("Bad arguments and bad files are one-line errors naming the file, not crashes")
    func errors() throws {
        let folder = TestSupport.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.wav")
        try Data("not audio".utf8).write(to: bad)
        let notAudio = try TestSupport.runSerlab(["features", bad.path])
        #expect(notAudio.status != 0)
        #expect(notAudio.standardError.contains(bad.path))
        let wrongOutput = try TestSupport.runSerlab(["features", bad.path, "--output", folder.appendingPathComponent("x.txt").path])
        #expect(wrongOutput.status != 0)
        #expect(wrongOutput.standardError.contains("expected a file ending in .csv or .h5"))
        let spec = folder.appendingPathComponent("spec.json")
        try Data(#"{"sampleRate": "fast"}"#.utf8).write(to: spec)
        let badSpec = try TestSupport.runSerlab(["features", bad.path, "--spec", spec.path])
        #expect(badSpec.status != 0)
        #expect(badSpec.standardError.contains(spec.path))
        #expect(badSpec.standardError.contains("sampleRate"))
        let empty = try TestSupport.runSerlab(["features", folder.appendingPathComponent("nothing").path])
        #expect(empty.status != 0)
    }

    @Test("A folder where an audio file is expected is named and called a folder")
    func folderNamedLikeAudio() throws {
        let folder = TestSupport.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = folder.appendingPathComponent("x.wav")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: true)
        let withOutput = try TestSupport.runSerlab(["features", named.path, "--output", folder.appendingPathComponent("x.csv").path])
        #expect(withOutput.status != 0)
        #expect(withOutput.standardError.contains("'\(named.path)' is a folder, not an audio file: --output is for one audio file"))
        let alone = try TestSupport.runSerlab(["features", named.path])
        #expect(alone.status != 0)
        #expect(alone.standardError.contains("'\(named.path)' is a folder, not an audio file, and holds no audio files"))
        let file = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 1)[0]
        let outputFolder = folder.appendingPathComponent("out.csv")
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        let intoFolder = try TestSupport.runSerlab(["features", file.path, "--output", outputFolder.path])
        #expect(intoFolder.status != 0)
        #expect(intoFolder.standardError.contains("--output: '\(outputFolder.path)' is a folder; expected a file ending in .csv or .h5"))
    }
}
