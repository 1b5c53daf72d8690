import Foundation
import Testing
import SERTestSupport
@testable import SERReport
import SERResults

@Suite struct CorpusRankingTests {
    /// A run of `model` on `corpus` whose single fold has UAR `uar`.
    static func run(_ model: String, _ corpus: String, _ uar: Double, runID: String = "20261201-120000-0", kind: String = "speakerKFold") -> RunFolder {
        let fold = RunMetrics.FoldMetrics(fold: 0, testCount: 100, accuracy: uar, uar: uar, macroF1: uar, perClass: nil, epochKept: nil)
        let metrics = RunMetrics(name: "\(model)_\(corpus)", corpus: corpus, model: model, labels: ["a", "b"],
                                 protocol: .init(kind: kind, folds: 1, foldsHash: "hash-\(corpus)-\(kind)"), speakerOverlap: false, syntheticData: false,
                                 folds: [fold], mean: nil, std: nil, pooled: nil, confidence95: nil)
        return RunFolder(url: URL(fileURLWithPath: "/results/\(model)_\(corpus)/\(runID)"), runID: runID, metrics: metrics)
    }

    /// The matrix of `RankTestsTests.friedmanMatchesScipy` as runs: scipy's friedmanchisquare gives
    /// 8.437499999999995, p 0.03778446460863443; average ranks mlp 1.4, cnn 2.3, lstm 3.7, svm 2.6;
    /// Nemenyi CD for k = 4, N = 5: 2.569032 · √(20 / 30) = 2.0976.
    @Test func rankingMatchesScipyAndSaysWhatItLeftOut() throws {
        let table: [String: [Double]] = ["mlp": [0.641, 0.579, 0.992, 0.617, 0.55], "cnn": [0.519, 0.505, 0.997, 0.452, 0.55],
                                         "lstm": [0.505, 0.443, 0.992, 0.372, 0.48], "svm": [0.60, 0.52, 0.95, 0.50, 0.53]]
        var runs = table.flatMap { model, values in values.enumerated().map { Self.run(model, "c\($0.offset + 1)", $0.element) } }
        runs.append(Self.run("mlp", "c1", 0.2, runID: "20261101-120000-0"))  // older: not used
        runs.append(Self.run("mlp", "c6", 0.7))                              // no other model on c6
        let ranking = CorpusRanking(runs: runs)
        #expect(ranking.models == ["mlp", "cnn", "svm", "lstm"])
        #expect(ranking.datasets == ["c1", "c2", "c3", "c4", "c5", "c6"])
        #expect(ranking.completeDatasets == ["c1", "c2", "c3", "c4", "c5"])
        #expect(ranking.averageRanks == [1.4, 2.3, 2.6, 3.7])
        let friedman = try #require(ranking.friedman)
        #expect(abs(friedman.chiSquared.statistic - 8.437499999999995) < 1e-12)
        #expect(abs(friedman.chiSquared.pValue - 0.03778446460863443) < 1e-12)
        let nemenyi = try #require(ranking.nemenyi)
        #expect(abs(nemenyi.criticalDifference - 2.0976) < 1e-4)
        #expect(nemenyi.groups == [[0, 1, 2], [1, 2, 3]])
        // Ties share the average rank (c5: mlp and cnn both 0.55).
        #expect(ranking.ranks[0][4] == 1.5 && ranking.ranks[1][4] == 1.5)
        #expect(ranking.ranks[0][5] == nil && ranking.cells[0][5]?.meanUAR == 0.7 && ranking.cells[1][5] == nil)
        #expect(ranking.cells[0][0]?.run == "mlp_c1/20261201-120000-0")
        #expect(ranking.notes.contains("mlp on c1: used mlp_c1/20261201-120000-0, the latest run; not used: mlp_c1/20261101-120000-0"))
        #expect(ranking.notes.contains("c6 left out of the ranks: no run of cnn, lstm, svm"))
        let text = try ranking.render(.table)
        #expect(text.contains("mlp    64.1 (1)"))
        #expect(text.contains("χ²(3) = 8.44, p=0.0378 (tie-corrected)"))
        #expect(text.contains("critical difference 2.10 (q = 2.569); average ranks further apart differ: mlp vs lstm"))
        #expect(try ranking.render(.csv).split(separator: "\n").count == 1 + 4 * 6)
        let diagram = try #require(ranking.diagram()).svg()
        #expect(XMLCheck.parse(diagram).error == nil)
        #expect(diagram.contains("CD = 2.10") && diagram.contains("mlp (1.40)") && diagram.contains("lstm (3.70)"))
    }

    /// A corpus run under two protocols is two data sets; one corpus alone gives no tests.
    @Test func protocolsSplitACorpusAndOneCorpusHasNoTests() {
        let runs = [Self.run("mlp", "tess", 0.99), Self.run("cnn", "tess", 0.98),
                    Self.run("mlp", "tess", 0.6, kind: "crossSpeaker"), Self.run("cnn", "tess", 0.45, kind: "crossSpeaker")]
        let ranking = CorpusRanking(runs: runs)
        #expect(ranking.datasets == ["tess (crossSpeaker)", "tess (speakerKFold)"])
        #expect(ranking.friedman != nil)
        let single = CorpusRanking(runs: Array(runs.prefix(2)))
        #expect(single.friedman == nil && single.diagram() == nil)
        #expect(single.notes.last?.hasPrefix("no rank tests: they need at least two models and two corpora") == true)
    }

    /// `--run-id` names need not sort by time: the most recently written metrics.json counts.
    @Test func latestRunIsTheMostRecentlyWritten() throws {
        let root = TestSupport.temporaryDirectory("serlab-across-latest")
        defer { try? FileManager.default.removeItem(at: root) }
        var urls: [URL] = []
        for (runID, skill) in [("z-old", 0.5), ("a-new", 0.8)] {
            var fixture = RunFixture(name: "mlp_alpha", runID: runID)
            fixture.corpus = "alpha"; fixture.model = "mlp"; fixture.skill = skill; fixture.withPredictions = false
            urls.append(try fixture.write(under: root))
        }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)],
                                              ofItemAtPath: urls[0].appendingPathComponent("metrics.json").path)
        let ranking = CorpusRanking(runs: try RunFolder.discover([root]))
        #expect(ranking.cells[0][0]?.run == "mlp_alpha/a-new")
        #expect(ranking.notes.first == "mlp on alpha: used mlp_alpha/a-new, the latest run; not used: mlp_alpha/z-old")
    }

    @Test func commandAndReport() throws {
        let root = TestSupport.temporaryDirectory("serlab-across")
        defer { try? FileManager.default.removeItem(at: root) }
        for (corpus, skills) in [("alpha", [0.8, 0.6, 0.5]), ("beta", [0.7, 0.65, 0.4]), ("gamma", [0.75, 0.5, 0.55])] {
            for (model, skill) in zip(["lstm", "cnn", "mlp"], skills) {
                var fixture = RunFixture(name: "\(model)_\(corpus)", runID: "r1")
                fixture.corpus = corpus; fixture.model = model; fixture.skill = skill; fixture.withPredictions = false
                try fixture.write(under: root)
            }
        }
        let result = try TestSupport.runSerlab(["compare", root.path, "--across", "corpora"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(CorpusRanking.heading))
        #expect(result.standardOutput.contains("Friedman test over 3 corpora and 3 models"))
        let wrong = try TestSupport.runSerlab(["compare", root.path, "--across", "speakers"])
        #expect(wrong.status != 0)
        let html = try HTMLReport(runs: try RunFolder.discover([root])).html()
        #expect(html.contains("id=\"across-corpora\"") && html.contains("href=\"#across-corpora\""))
        #expect(html.contains("Average rank over 3 corpora (Nemenyi"))
        for svg in svgElements(in: html) { #expect(XMLCheck.parse(svg).error == nil) }
    }
}
