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

    static let all: [LibrosaFixture] = {
        struct Index: Decodable { var cases: [LibrosaFixture] }
        let url = directory.appendingPathComponent("cases.json")
        do {
            return try JSONDecoder().decode(Index.self, from: Data(contentsOf: url)).cases
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()

    static func named(_ name: String) -> LibrosaFixture {
        guard let fixture = all.first(where: { $0.name == name }) else { fatalError("no fixture case \(name)") }
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
        switch input.kind {
        case "samples": return try Self.floats(input.file!)
        case "zeros": return [Float](repeating: 0, count: input.count!)
        case "file":
            let root = try TestSupport.corpus(String(input.path!.split(separator: "/")[0]))
            let url = root.deletingLastPathComponent().appendingPathComponent(input.path!)
            return try AudioFile.read(url, sampleRate: spec.sampleRate).samples
        default: fatalError("unknown input kind \(input.kind)")
        }
    }

    var corpusURL: URL? {
        guard input.kind == "file", let path = input.path else { return nil }
        return TestSupport.corporaRoot.appendingPathComponent(path)
    }
}
