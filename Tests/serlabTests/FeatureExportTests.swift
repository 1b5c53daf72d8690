import Foundation
import SERCache
import SERCore
import SERTestSupport
import Testing

/// `serlab features CONFIG_OR_CORPUS --output table.csv | frames.h5` against `serlab features FILE`, the
/// single-file path, on the same files and spec, through the built binary.
@Suite(.serialized) struct FeatureExportTests {
    static let utteranceSpec = """
        {"sampleRate": 16000, "level": "utterance", "features": ["mfcc", "rms", "spectralCentroid"], "mfccCount": 8,
         "fftLength": 512, "hopLength": 160, "functionals": ["mean", "std"], "percentiles": [50]}
        """
    static let frameSpec = """
        {"sampleRate": 16000, "level": "frame", "features": ["mfcc", "zeroCrossingRate"], "mfccCount": 6,
         "fftLength": 512, "hopLength": 160, "functionals": ["mean", "max"], "percentiles": [10]}
        """

    /// A CSV table as header and rows of fields.
    static func table(_ text: String) throws -> (header: [String], rows: [[String]]) {
        let records = try CSV.records(text, path: "table")
        let header = try #require(records.first).fields
        return (header, records.dropFirst().map(\.fields))
    }

    /// `serlab features FILE --spec SPEC` as printed: header and frame rows.
    static func singleFile(_ url: URL, spec: URL) throws -> (header: [String], rows: [[String]]) {
        let result = try TestSupport.runSerlab(["features", url.path, "--spec", spec.path])
        #expect(result.status == 0, "serlab features \(url.path): \(result.standardError)")
        return try table(result.standardOutput)
    }

    /// The audio file whose corpus-relative path is `path`, found under `folder`.
    static func file(_ path: String, under folder: URL) throws -> URL {
        let walker = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        for case let url as URL in walker where url.path.hasSuffix("/" + path) { return url }
        throw CSVError.unreadable(path: path, reason: "not found under \(folder.path)")
    }

    /// Rows 0, the middle and the last of `table` equal the single-file output of their files (`spec`
    /// at utterance level: for a frame-level spec that is its functionals of the frames).
    static func expectRowsMatchSingleFiles(_ table: (header: [String], rows: [[String]]), root: (String) throws -> URL,
                                           utteranceSpec: URL) throws {
        #expect(Array(table.header.prefix(4)) == ["path", "corpus", "speaker", "label"])
        for index in Set([0, table.rows.count / 2, table.rows.count - 1]).sorted() {
            let row = table.rows[index]
            let single = try singleFile(try root(row[0]), spec: utteranceSpec)
            #expect(single.header == Array(table.header.dropFirst(4)), "the table's feature columns are the single file's")
            #expect(single.rows.count == 1)
            #expect(Array(row.dropFirst(4)) == single.rows.first, "row \(index) (\(row[0])): the table's values are the single file's")
        }
    }

    @Test func syntheticTableAndFramesMatchSingleFiles() throws {
        let folder = TestSupport.temporaryDirectory("serlab-feature-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let utterance = folder.appendingPathComponent("utterance.json"), frame = folder.appendingPathComponent("frame.json")
        try Self.utteranceSpec.write(to: utterance, atomically: true, encoding: .utf8)
        try Self.frameSpec.write(to: frame, atomically: true, encoding: .utf8)
        let frameUtterance = folder.appendingPathComponent("frame-utterance.json")
        try Self.frameSpec.replacingOccurrences(of: "\"level\": \"frame\"", with: "\"level\": \"utterance\"")
            .write(to: frameUtterance, atomically: true, encoding: .utf8)
        let small = ["--set", "dataset.synthetic.utterancesPerLabel=2", "--cache-dir", cache.path]

        // An utterance-level spec: the cached rows themselves.
        let csv = folder.appendingPathComponent("table.csv")
        var result = try TestSupport.runSerlab(["features", "synthetic", "--spec", utterance.path, "--output", csv.path] + small)
        try #require(result.status == 0, "\(result.standardError)")
        let table = try Self.table(String(contentsOf: csv, encoding: .utf8))
        #expect(table.header.contains("mfcc_3_mean") && table.header.contains("spectral_centroid_std") && table.header.contains("mfcc_0_p50"))
        #expect(Set(table.rows.map { $0[1] }) == ["synthetic"])
        try Self.expectRowsMatchSingleFiles(table, root: { try Self.file($0, under: cache) }, utteranceSpec: utterance)

        // A frame-level spec: its functionals of the cached frames, as the spec at utterance level extracts them.
        result = try TestSupport.runSerlab(["features", "synthetic", "--spec", frame.path] + small)
        try #require(result.status == 0, "\(result.standardError)")
        let frameTable = try Self.table(result.standardOutput)
        #expect(frameTable.rows.count == table.rows.count)
        try Self.expectRowsMatchSingleFiles(frameTable, root: { try Self.file($0, under: cache) }, utteranceSpec: frameUtterance)

        // The frames file: each utterance's matrix is the single file's frames, with its table metadata.
        let h5 = folder.appendingPathComponent("frames.h5")
        result = try TestSupport.runSerlab(["features", "synthetic", "--spec", frame.path, "--output", h5.path] + small)
        try #require(result.status == 0, "\(result.standardError)")
        let exported = try FrameMatricesFile.read(h5)
        #expect(exported.map(\.utterance.path) == frameTable.rows.map { $0[0] })
        #expect(exported.map(\.utterance.label) == frameTable.rows.map { $0[3] })
        for index in [0, exported.count - 1] {
            let (info, matrix) = exported[index]
            let single = try Self.singleFile(try Self.file(info.path, under: cache), spec: frame)
            #expect(single.header == matrix.columnNames)
            #expect(single.rows.count == matrix.frameCount)
            #expect(single.rows.flatMap { $0 } == matrix.values.map { "\($0)" }, "\(info.path): frames equal the single file's")
        }
    }

    @Test func badInputsNameWhatWasExpected() throws {
        var result = try TestSupport.runSerlab(["features", "no-such-corpus"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("a corpus name (synthetic, ravdess, savee, tess), found nothing at 'no-such-corpus'"))
        result = try TestSupport.runSerlab(["features", "synthetic", "--output", "table.txt"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("expected a file ending in .csv or .h5, found 'table.txt'"))
        result = try TestSupport.runSerlab(["features", "synthetic", "--set", "features.mfccCount=many"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("features.mfccCount"), "the error names the JSON path: \(result.standardError)")
    }

    /// A few real SAVEE files (one emotion, 60 utterances): the table equals the single-file output.
    @Test(.realCorpora) func saveeTableMatchesSingleFiles() throws {
        let savee = try TestSupport.corpus("savee")
        let folder = TestSupport.temporaryDirectory("serlab-feature-export-savee")
        defer { try? FileManager.default.removeItem(at: folder) }
        let utterance = folder.appendingPathComponent("utterance.json")
        try Self.utteranceSpec.write(to: utterance, atomically: true, encoding: .utf8)
        let csv = folder.appendingPathComponent("savee.csv")
        let result = try TestSupport.runSerlab(["features", "savee", "--spec", utterance.path, "--output", csv.path,
                                                "--set", "dataset.labels=[\"angry\"]", "--corpora", savee.path,
                                                "--cache-dir", folder.appendingPathComponent("cache").path])
        try #require(result.status == 0, "\(result.standardError)")
        let table = try Self.table(String(contentsOf: csv, encoding: .utf8))
        #expect(table.rows.count == 60)
        #expect(Set(table.rows.map { $0[1] }) == ["savee"] && Set(table.rows.map { $0[3] }) == ["angry"])
        #expect(Set(table.rows.map { $0[2] }) == ["DC", "JE", "JK", "KL"])
        try Self.expectRowsMatchSingleFiles(table, root: { savee.appendingPathComponent($0) }, utteranceSpec: utterance)
    }
}
