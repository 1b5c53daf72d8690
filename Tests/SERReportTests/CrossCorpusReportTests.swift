import Foundation
import Testing
import SERCore
@testable import SERReport
import SERResults

@Suite struct CrossCorpusReportTests {
    /// A run on RAVDESS + SAVEE with `kind`, two folds of the given UARs, the same folds hash for every kind
    /// (so only the protocol kind can keep runs apart).
    static func run(_ model: String, kind: String, uars: [Double]) -> RunFolder {
        let folds = uars.enumerated().map { index, uar in
            RunMetrics.FoldMetrics(fold: index, testCount: 100, accuracy: uar, uar: uar, macroF1: uar, perClass: nil, epochKept: 3,
                                   trainCorpora: [["ravdess"], ["savee"]][index], testCorpora: [["savee"], ["ravdess"]][index])
        }
        let metrics = RunMetrics(name: "\(model)_\(kind)", corpus: "ravdess+savee", model: model, labels: ["angry", "sad"],
                                 protocol: .init(kind: kind, folds: 2, foldsHash: "same-hash"), speakerOverlap: false, syntheticData: false,
                                 folds: folds, mean: nil, std: nil, pooled: nil, confidence95: nil, corpora: ["ravdess", "savee"],
                                 perCorpus: OrderedObject([("savee", .init(testCount: 100, accuracy: uars[0], uar: uars[0])),
                                                           ("ravdess", .init(testCount: 100, accuracy: uars[1], uar: uars[1]))]))
        return RunFolder(url: URL(fileURLWithPath: "/results/\(model)_\(kind)/20261207-120000-0"), runID: "20261207-120000-0", metrics: metrics)
    }

    @Test func compareKeepsCrossCorpusRunsApartFromWithinCorpusRuns() throws {
        let runs = [Self.run("mlp", kind: "crossCorpus", uars: [0.3, 0.35]), Self.run("cnn", kind: "crossCorpus", uars: [0.32, 0.33]),
                    Self.run("mlp", kind: "speakerKFold", uars: [0.6, 0.62]), Self.run("cnn", kind: "leaveOneCorpusOut", uars: [0.3, 0.31])]
        let comparison = try Comparison(runs: runs)
        // Within-corpus first; the cross-corpus runs (same fake folds hash) together; never a cross/within pair.
        #expect(comparison.groups.map(\.rows.count) == [1, 3])
        #expect(comparison.groups[0].crossCorpus == nil && comparison.groups[0].rows[0].run.hasPrefix("mlp_speakerKFold"))
        #expect(comparison.groups.dropFirst().allSatisfy { $0.crossCorpus == true && $0.title.hasPrefix("cross-corpus · ravdess+savee") })
        for group in comparison.groups {
            let kinds = Set(group.rows.map { row in runs.first { $0.displayName == row.run }!.metrics.isCrossCorpus })
            #expect(kinds.count == 1)
        }
        #expect(comparison.groups[1].pairs.count == 2)
        #expect(throws: ReportError.self) { try Comparison.pair(runs[0], runs[2]) }
        #expect(Comparison.incompatibility(runs[0], runs[2])?.contains("cross-corpus run (crossCorpus)") == true)
        #expect(Comparison.incompatibility(runs[0], runs[1]) == nil)
    }

    @Test func theReportShowsPerCorpusFigures() throws {
        let html = try HTMLReport(runs: [Self.run("mlp", kind: "crossCorpus", uars: [0.3, 0.35])]).html()
        #expect(html.contains("<h3>Per corpus</h3>"))
        #expect(html.contains("<tr><td>pooled</td><td></td><td>savee</td><td class=\"num\">100</td>"))
        #expect(html.contains("<tr><td>1</td><td>savee</td><td>ravdess</td>"))
        let single = CorpusRankingTests.run("mlp", "savee", 0.5)
        #expect(!(try HTMLReport(runs: [single]).html().contains("Per corpus")))
    }
}
