import Foundation
import SERTestSupport

/// One row of `$SERLAB_CORPORA/expected/<corpus>.csv`.
struct AnswerKeyRow: Hashable {
    var path: String
    var speaker: String
    var emotion: String
    var sampleRate: Int
    var channels: Int
    var frames: Int
    var sha256: String

    /// The answer key of `corpus` (no field holds a comma, so a plain split is exact).
    static func load(_ corpus: String) throws -> [AnswerKeyRow] {
        let url = try TestSupport.corpus("expected").appendingPathComponent("\(corpus).csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst()
        precondition(header == "path,speaker,emotion,sample_rate,channels,frames,original_wav_sha256", "unexpected header \(header)")
        return lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            precondition(f.count == 7, "bad answer key line \(line)")
            return AnswerKeyRow(path: f[0], speaker: f[1], emotion: f[2], sampleRate: Int(f[3])!, channels: Int(f[4])!, frames: Int(f[5])!, sha256: f[6])
        }
    }
}
