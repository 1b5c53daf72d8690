import Foundation
import Testing
@testable import SERReport

@Suite struct ScratchRender {
    @Test func wide() throws {
        let root = URL(fileURLWithPath: "/tmp/scratch-wide")
        try? FileManager.default.removeItem(at: root)
        var run = RunFixture(name: "cnn_ravdess", runID: "20261126-110000-7")
        run.corpus = "ravdess"
        run.labels = ["angry", "calm", "disgust", "fearful", "happy", "neutral", "sad", "pleasant_surprise"]
        run.speakers = (1...24).map { String(format: "Actor_%02d", $0) }
        run.utterancesPerCell = 2
        run.withOverview = true
        run.epochs = 40
        let url = try run.write(under: root)
        let html = try HTMLReport(runs: [RunFolder(url: url)]).html()
        try html.write(toFile: "/tmp/scratch-wide/report.html", atomically: true, encoding: .utf8)
    }
}
