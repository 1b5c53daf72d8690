import Foundation
import SERExperiment
import SERReport
import Testing
@testable import serlab

@Suite struct RunCorpusOverviewTests {
    /// `serlab run` writes corpusOverview.json; it must read back through SERReport and hold one example per label.
    @Test func syntheticOverviewRoundTripsThroughTheReportReader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-overview-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try ConfigLoader.load(nil)
        let dataset = try SyntheticDatasetSource().load(config.dataset, cacheDirectory: folder.appendingPathComponent("cache"))
        let run = folder.appendingPathComponent("run", isDirectory: true)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try RunCorpusOverview.writeIfMissing(dataset, in: run)

        let overview = try CorpusOverview.read(run.appendingPathComponent("corpusOverview.json"))
        try overview.validate(path: "corpusOverview.json")
        #expect(overview.corpus == "synthetic")
        #expect(overview.syntheticData == true)
        #expect(overview.filesPerLabel.values.reduce(0, +) == dataset.items.count)
        #expect(overview.filesPerSpeaker.values.reduce(0, +) == dataset.items.count)
        #expect(overview.durationsSeconds.count == dataset.items.count)
        #expect(overview.durationsSeconds.allSatisfy { $0 > 0.1 && $0 < 30 })
        #expect(overview.examples.map(\.label) == dataset.labels)
        for example in overview.examples {
            #expect(example.durationSeconds <= RunCorpusOverview.exampleSeconds + 1e-6)
            #expect(example.spectrogramDB.count == 64)
            #expect(example.mfcc.count == 13)
            #expect(!example.waveformMaximum.isEmpty && example.waveformMaximum.contains { $0 > 0.01 })
        }
    }
}
