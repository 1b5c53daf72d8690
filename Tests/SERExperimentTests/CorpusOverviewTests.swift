import Foundation
import SERResults
import SERTestSupport
import Testing
@testable import SERExperiment

@Suite struct CorpusOverviewTests {
    /// The runner's corpusOverview.json for the synthetic corpus: it must read back through SERResults
    /// (the type the report reads) and hold one example per label.
    @Test func syntheticOverviewRoundTrips() throws {
        let folder = TestSupport.temporaryDirectory("serlab-overview")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try ConfigLoader.load(nil)
        let dataset = try SyntheticDatasetSource().load(config.dataset, cacheDirectory: folder.appendingPathComponent("cache"))
        let run = RunDirectory(url: folder.appendingPathComponent("run", isDirectory: true))
        try ResultsWriter.writeCorpusOverview(CorpusOverview.build(dataset), in: run)

        let overview = try CorpusOverview.read(run.url.appendingPathComponent("corpusOverview.json"))
        #expect(overview.corpus == "synthetic")
        #expect(overview.syntheticData == true)
        #expect(overview.filesPerLabel.values.reduce(0, +) == dataset.items.count)
        #expect(overview.filesPerSpeaker.values.reduce(0, +) == dataset.items.count)
        #expect(overview.durationsSeconds.count == dataset.items.count)
        #expect(overview.durationsSeconds.allSatisfy { $0 > 0.1 && $0 < 30 })
        #expect(overview.examples.map(\.label) == dataset.labels)
        for example in overview.examples {
            #expect(example.durationSeconds <= CorpusOverview.exampleSeconds + 1e-6)
            #expect(example.spectrogramDB.count == 64)
            #expect(example.mfcc.count == 13)
            #expect(!example.waveformMaximum.isEmpty && example.waveformMaximum.contains { $0 > 0.01 })
        }
    }

    @Test func exampleFromRawMaterial() throws {
        // 1 s of a 5 Hz sine at 1000 Hz: 10 slices of 100 samples, each half a period.
        let samples = (0..<1000).map { Float(sin(2 * Double.pi * 5 * Double($0) / 1000)) }
        // 450 frames x 3 bands, value = band * 100 + frame; 2 MFCCs.
        let spectrogram = (0..<450).flatMap { frame in (0..<3).map { Float($0 * 100 + frame) } }
        let mfcc = (0..<450).flatMap { frame in [Float(frame), -Float(frame)] }
        let example = CorpusOverview.Example(label: "angry", path: "a.wav", speaker: "s1", samples: samples, sampleRate: 1000,
                                             spectrogramFrames: spectrogram, spectrogramBandCount: 3, spectrogramMaxFrequency: 500,
                                             spectrogramScale: "mel", mfccFrames: mfcc, mfccCount: 2, hopDuration: 0.002, slices: 10, maxFrames: 200)
        #expect(example.durationSeconds == 1)
        #expect(example.waveformMaximum.count == 10)
        #expect(abs(example.waveformMaximum[0] - 1) < 1e-3 && abs(example.waveformMinimum[0]) < 1e-3)
        #expect(abs(example.waveformMinimum[1] + 1) < 1e-3)
        // 450 frames pooled by 3 -> 150 frames of 6 ms; band 2, pooled frame 0 = mean(200, 201, 202).
        #expect(example.spectrogramDB.count == 3 && example.spectrogramDB[0].count == 150)
        #expect(example.spectrogramDB[2][0] == 201)
        #expect(example.mfcc[1][149] == -448)
        #expect(abs(example.frameDuration - 0.006) < 1e-12)
        let overview = CorpusOverview(corpus: "c", filesPerLabel: ["angry": 1], filesPerSpeaker: ["s1": 1], durationsSeconds: [1], examples: [example])
        let file = TestSupport.temporaryDirectory("serlab-overview").appendingPathComponent("corpusOverview.json")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try overview.write(to: file)
        let reread = try CorpusOverview.read(file)
        #expect(reread == overview.rounded())
        #expect(abs(reread.examples[0].waveformMaximum[3] - example.waveformMaximum[3]) <= 0.00005)
    }
}
