import Foundation
import SERAudio
import SERPredictTestSupport
import SERTestSupport
import Testing
@testable import SERPredict

@Suite("Predictor inputs")
struct PredictorInputTests {
    static func tone(_ frequency: Float, seconds: Double, rate: Int = 22050) -> [Float] {
        (0..<Int(seconds * Double(rate))).map { 0.3 * sin(2 * .pi * frequency * Float($0) / Float(rate)) }
    }

    /// Every hostile input SERAudio's tests cover gives an error naming the file; the good files around
    /// them are predicted exactly as when predicted alone.
    @Test(.realCorpora) func badFilesGetTheirErrorAndTheOthersArePredicted() throws {
        let folder = TestSupport.temporaryDirectory("serpredict-inputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
        try AudioFile.write(AudioClip(samples: Self.tone(220, seconds: 1.2), sampleRate: 22050), to: file("good-a.wav"), encoding: .float32)
        try AudioFile.write(AudioClip(samples: Self.tone(440, seconds: 0.7, rate: 16000), sampleRate: 16000), to: file("good-b.wav"))
        let good = try Data(contentsOf: file("good-a.wav"))
        try good.prefix(good.count / 2).write(to: file("truncated.wav"))
        try good.prefix(30).write(to: file("cut-header.wav"))
        try RawWAV.float32([]).write(to: file("empty.wav"))
        try RawWAV.float32([0.1, .nan, 0.2]).write(to: file("nonfinite.wav"))
        try Data("not audio at all".utf8).write(to: file("text.wav"))
        let savee = try TestSupport.corpus("savee")
        let flac = savee.appendingPathComponent("AudioData/DC/a01.flac")
        let flacBytes = try Data(contentsOf: flac)
        try flacBytes.prefix(flacBytes.count / 3).write(to: file("truncated.flac"))

        let bad = ["truncated.wav", "cut-header.wav", "empty.wav", "nonfinite.wav", "text.wav", "truncated.flac", "missing.wav"]
        let urls = [file("good-a.wav")] + bad.map(file) + [folder, file("good-b.wav")]
        let predictor = try Predictor(bundle: BundleFixture.bundle(), threads: 2)
        let results = predictor.predict(urls: urls)
        #expect(results.count == urls.count)
        for (url, result) in zip(urls[1..<(urls.count - 1)], results[1..<(results.count - 1)]) {
            guard case .failure(let error) = result else { Issue.record("\(url.lastPathComponent) was predicted"); continue }
            #expect(error.localizedDescription.contains(url.path), "\(error.localizedDescription)")
        }
        let first = try results[0].get(), last = try results[results.count - 1].get()
        #expect(first == (try predictor.predict(url: file("good-a.wav"))))
        #expect(last == (try predictor.predict(url: file("good-b.wav"))))
        #expect(abs(first.duration - 1.2) < 1e-3 && abs(last.duration - 0.7) < 1e-3)
        #expect(abs(first.probabilities.reduce(0, +) - 1) < 1e-6)
        #expect(first.label == BundleFixture.labels[first.probabilities.indices.max { first.probabilities[$0] < first.probabilities[$1] }!])

        // In-memory samples at another rate give what the file gives (the same resampling).
        let fromSamples = try predictor.predict(samples: Self.tone(220, seconds: 1.2), sampleRate: 22050)
        #expect(fromSamples.probabilities == first.probabilities)

        let table = PredictionTable(labels: predictor.labels, rows: zip(urls, results).map { .init(path: $0.lastPathComponent, result: $1) })
        #expect(table.failureCount == bad.count + 1)
        let csv = table.csv.split(separator: "\n").map(String.init)
        #expect(csv[0] == "path,label,p_angry,p_happy,p_sad,duration,error")
        #expect(csv[1].hasPrefix("good-a.wav,\(first.label),") && csv[1].hasSuffix(",1.200,"))
        #expect(csv[2].hasPrefix("truncated.wav,,,,,,") && csv[2].contains("truncated.wav"))
    }
}
