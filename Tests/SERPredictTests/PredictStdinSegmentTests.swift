import Foundation
import SERAudio
import SERCore
import SERPredictTestSupport
import SERTestSupport
import Testing
@testable import SERPredict

/// `serlab predict --stdin` and `--segment` through the real executable, with the small fixture bundle
/// (its predictions mean nothing; the plumbing is what is tested).
@Suite("serlab predict --stdin and --segment")
struct PredictStdinSegmentTests {
    let directory = TestSupport.temporaryDirectory("serpredict-cli")

    /// A bundle file and a 1.5 s clip: a chirp at 16 kHz.
    func fixtures() throws -> (bundle: URL, clip: AudioClip, wav: URL) {
        let bundle = directory.appendingPathComponent("fixture.serlab")
        try BundleFixture.bundle().write(to: bundle)
        let samples = (0..<24_000).map { index -> Float in
            let t = Double(index) / 16000
            let value = 0.4 * sin(2 * Double.pi * (200 + 320 * t) * t)
            return Float((value * 32768).rounded() / 32768)  // exact in 16 bits
        }
        let clip = AudioClip(samples: samples, sampleRate: 16000)
        let wav = directory.appendingPathComponent("clip.wav")
        try AudioFile.write(clip, to: wav)
        return (bundle, clip, wav)
    }

    /// The printed line of one prediction without its `path:` prefix.
    static func prediction(_ output: String) -> String {
        String(output.split(separator: "\n").first?.split(separator: ":", maxSplits: 1).last ?? "")
    }

    @Test func standardInputIsPredictedAsTheFile() throws {
        let (bundle, clip, wav) = try fixtures()
        let fromFile = try TestSupport.runSerlab(["predict", bundle.path, wav.path])
        #expect(fromFile.status == 0, "\(fromFile.standardError)")

        let piped = try TestSupport.runSerlab(["predict", bundle.path, "--stdin"], input: wav)
        #expect(piped.status == 0, "\(piped.standardError)")
        #expect(piped.standardOutput.hasPrefix("-: "))
        #expect(Self.prediction(piped.standardOutput) == Self.prediction(fromFile.standardOutput))

        let raw = directory.appendingPathComponent("clip.s16le")
        let values = clip.samples.map { Int16($0 * 32768) }
        try values.withUnsafeBytes { Data($0) }.write(to: raw)  // little-endian on x86-64 and arm64
        let output = directory.appendingPathComponent("raw.csv")
        let rawRun = try TestSupport.runSerlab(["predict", bundle.path, "--stdin", "--raw-rate", "16000", "--raw-format", "s16le",
                                            "--output", output.path], input: raw)
        #expect(rawRun.status == 0, "\(rawRun.standardError)")
        #expect(Self.prediction(rawRun.standardOutput) == Self.prediction(fromFile.standardOutput))
        let rows = CSV.parse(try String(contentsOf: output, encoding: .utf8))
        #expect(rows.count == 2 && rows[1].first == "-" && rows[1].last == "", "\(rows)")
    }

    @Test func badStandardInputIsANamedError() throws {
        let (bundle, _, wav) = try fixtures()
        let text = directory.appendingPathComponent("notes.txt")
        try Data("just some text, no audio".utf8).write(to: text)
        let garbage = try TestSupport.runSerlab(["predict", bundle.path, "--stdin"], input: text)
        #expect(garbage.status == 1)
        #expect(garbage.standardError.contains("error: standard input: expected a WAV, AIFF, FLAC or OGG stream"), "\(garbage.standardError)")
        // A WAV announced as raw.
        let both = try TestSupport.runSerlab(["predict", bundle.path, "--stdin", "--raw-rate", "8000", "--raw-format", "s16le"], input: wav)
        #expect(both.status == 1 && both.standardError.contains("starts with a WAV header"), "\(both.standardError)")
        // A cut WAV: decoded like a file, its error row names standard input, not the temporary copy.
        let bytes = try Data(contentsOf: wav)
        let cut = directory.appendingPathComponent("cut.wav")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let truncated = try TestSupport.runSerlab(["predict", bundle.path, "--stdin"], input: cut)
        #expect(truncated.status == 1)
        #expect(truncated.standardOutput.contains("error: -: truncated"), "\(truncated.standardOutput)")
        #expect(!truncated.standardOutput.contains("serlab-stdin-"))
        // Options that do not go together.
        for arguments in [["--stdin", wav.path], ["--raw-rate", "16000", "--raw-format", "s16le", wav.path], ["--stdin", "--raw-rate", "16000"],
                          ["--stdin", "--raw-rate", "16000", "--raw-format", "u8"], ["--timeline-svg", "t.svg", wav.path],
                          ["--segment", "--timeline-svg", "t.png", wav.path]] {
            let refused = try TestSupport.runSerlab(["predict", bundle.path] + arguments)
            #expect(refused.status == 64, "\(arguments): \(refused.status) \(refused.standardError)")
        }
    }

    /// Two clips with silence between them, and a missing file: a timeline of two segments for the first,
    /// an error row for the second, in the CSV, the JSON and an SVG per recording.
    @Test func segmentWritesTheTimeline() throws {
        let (bundle, clip, _) = try fixtures()
        let silence = [Float](repeating: 0, count: 16000)
        let long = directory.appendingPathComponent("long.wav")
        try AudioFile.write(AudioClip(samples: silence + clip.samples + silence + clip.samples + silence, sampleRate: 16000), to: long)
        let missing = directory.appendingPathComponent("missing.wav").path
        let csv = directory.appendingPathComponent("timeline.csv"), json = directory.appendingPathComponent("timeline.json")
        let svg = directory.appendingPathComponent("timeline.svg")
        let run = try TestSupport.runSerlab(["predict", bundle.path, long.path, missing, "--segment", "--output", csv.path, "--timeline-svg", svg.path])
        #expect(run.status == 1, "\(run.standardError)")
        #expect(run.standardOutput.contains("\(long.path): 6.00 s, 2 speech segments"), "\(run.standardOutput)")
        let rows = CSV.parse(try String(contentsOf: csv, encoding: .utf8))
        #expect(rows.first == ["path", "start", "end", "stretch", "label", "p_angry", "p_happy", "p_sad", "error"])
        #expect(rows.count == 4, "\(rows)")
        if rows.count == 4 {
            // Speech at 1-2.5 s and 3.5-5 s, widened by the 0.1 s padding; the detector's 25 ms frames every
            // 10 ms find each edge within 15 ms (measured: 0.887-2.608 and 3.388-5.107 s).
            let times: [Double] = rows[1...2].flatMap { row in [Double(row[1]) ?? 0, Double(row[2]) ?? 0] }
            for (time, expected) in zip(times, [0.9, 2.6, 3.4, 5.1]) { #expect(abs(time - expected) <= 0.015, "\(times)") }
            #expect(rows[3][0] == missing && rows[3].last?.contains("no such file") == true)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("timeline-1.svg").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("timeline-2.svg").path))
        let drawn = try String(contentsOf: directory.appendingPathComponent("timeline-1.svg"), encoding: .utf8)
        #expect(drawn.hasPrefix("<svg ") && drawn.components(separatedBy: "</title></rect>").count == 3)

        let jsonRun = try TestSupport.runSerlab(["predict", bundle.path, long.path, "--segment", "--output", json.path])
        #expect(jsonRun.status == 0, "\(jsonRun.standardError)")
        let parsed = try JSONParser.parse(try Data(contentsOf: json), source: json.path)
        let recordings = parsed["recordings"]
        guard case .array(let items)? = recordings, case .array(let segments)? = items.first?["segments"] else {
            Issue.record("no recordings/segments in \(parsed.compact)")
            return
        }
        #expect(segments.count == 2)
        #expect(segments.first?["start"] == .number(Double(rows[1][1])!) && items.first?["error"] == .null)
    }
}
