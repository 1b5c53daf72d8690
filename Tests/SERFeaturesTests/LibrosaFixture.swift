import Foundation
import SERAudio
import SERFeatures
import SERTestSupport
import Testing

/// One reference case written by tools/make_librosa_fixtures.py (librosa 0.11.0).
struct LibrosaFixture: Decodable, Sendable, CustomTestStringConvertible {
    struct SampleCheck: Decodable, Sendable {
        var count: Int
        var sum: Double
        var sumOfSquares: Double
        var indices: [Int]
        var values: [Float]
    }

    struct Input: Decodable, Sendable {
        /// `samples` (a float32 file beside the fixtures), `zeros`, or `file` (a corpus clip).
        var kind: String
        var file: String?
        var count: Int?
        var path: String?
        var nativeRate: Int?
        var native: SampleCheck?
        var resampled: SampleCheck?
    }

    var name: String
    var spec: FeatureSpec
    var input: Input
    var frameCount: Int
    var columns: [String]
    var values: String

    var testDescription: String { name }

    static let directory = TestSupport.packageRoot.appendingPathComponent("Tests/SERFeaturesTests/Fixtures")

    /// Why a fixture could not be loaded; a test that needs it fails with this, the rest of the run goes on.
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// cases.json, read once: the cases, or why they could not be read (`LibrosaAgreementTests.fixturesLoad`
    /// fails with it; the parameterised tests then have no arguments rather than crashing the test process).
    static let loaded: Result<[LibrosaFixture], LoadError> = {
        struct Index: Decodable { var cases: [LibrosaFixture] }
        let url = directory.appendingPathComponent("cases.json")
        do {
            return .success(try JSONDecoder().decode(Index.self, from: Data(contentsOf: url)).cases)
        } catch {
            return .failure(LoadError(description: "cannot read \(url.path): \(error)"))
        }
    }()

    /// The cases, or none when cases.json could not be read.
    static var all: [LibrosaFixture] { (try? loaded.get()) ?? [] }

    static func named(_ name: String) throws -> LibrosaFixture {
        guard let fixture = try loaded.get().first(where: { $0.name == name }) else { throw LoadError(description: "no fixture case \(name) in cases.json") }
        return fixture
    }

    static func floats(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// librosa's values, frames x columns row-major.
    func reference() throws -> FeatureMatrix {
        FeatureMatrix(frameCount: frameCount, columnNames: columns, values: try Self.floats(values))
    }

    /// The input samples at `spec.sampleRate`: the stored ones, or the corpus file through SERAudio.
    func samples() throws -> [Float] {
        func required<Value>(_ value: Value?, _ key: String) throws -> Value {
            guard let value else { throw LoadError(description: "\(name): input kind \(input.kind) needs input.\(key), found none") }
            return value
        }
        switch input.kind {
        case "samples": return try Self.floats(try required(input.file, "file"))
        case "zeros": return [Float](repeating: 0, count: try required(input.count, "count"))
        case "file":
            let path = try required(input.path, "path")
            let root = try TestSupport.corpus(String(path.split(separator: "/")[0]))
            let url = root.deletingLastPathComponent().appendingPathComponent(path)
            return try AudioFile.read(url, sampleRate: spec.sampleRate).samples
        default: throw LoadError(description: "\(name): unknown input kind \(input.kind) (expected samples, zeros or file)")
        }
    }

    var corpusURL: URL? {
        guard input.kind == "file", let path = input.path else { return nil }
        return TestSupport.corporaRoot.appendingPathComponent(path)
    }
}
