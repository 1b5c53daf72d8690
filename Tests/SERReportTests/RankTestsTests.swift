import Foundation
import Testing
@testable import SERReport

/// Holm's adjustment, Friedman's test and Nemenyi's critical difference against a hand-worked
/// example, scipy 1.17.1 and Demšar (2006).
@Suite struct RankTestsTests {
    /// By hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; the last
    /// is raised to 0.06 to keep the order.
    @Test func holmByHand() {
        let adjusted = SignificanceTests.holmAdjusted([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (value, want) in zip(adjusted, expected) { #expect(abs(value - want) < 1e-15, "\(adjusted)") }
        #expect(SignificanceTests.holmAdjusted([0.6, 0.5]) == [1, 1])
        #expect(SignificanceTests.holmAdjusted([0.2]) == [0.2])
        #expect(SignificanceTests.holmAdjusted([]) == [])
    }

    /// `scipy.stats.friedmanchisquare(mlp, cnn, lstm, svm)` on these mean UARs (columns are
    /// models, rows corpora; the last row has a tie) = 8.437499999999995, p 0.03778446460863443.
    @Test func friedmanMatchesScipy() {
        let scores: [[Double]] = [
            [0.641, 0.519, 0.505, 0.60],
            [0.579, 0.505, 0.443, 0.52],
            [0.992, 0.997, 0.992, 0.95],
            [0.617, 0.452, 0.372, 0.50],
            [0.55, 0.55, 0.48, 0.53],
        ]
        let friedman = RankTests.friedman(scores)
        #expect(abs(friedman.chiSquared.statistic - 8.437499999999995) < 1e-12)
        #expect(abs(friedman.chiSquared.pValue - 0.03778446460863443) < 1e-12)
        #expect(friedman.averageRanks == [1.4, 2.3, 3.7, 2.6])
        #expect(friedman.blocks == 5)
    }

    /// scipy: `chi2.sf(9.28, 3)`, `chi2.sf(20, 5)`, `chi2.sf(0.5, 1)`, `chi2.sf(1e-3, 4)`, `f.sf(3.69, 3, 39)`.
    @Test func chiSquaredAndFTailsMatchScipy() {
        let cases: [(Double, Double, Double)] = [(9.28, 3, 0.025790724198756772), (20, 5, 0.0012497305630313773),
                                                 (0.5, 1, 0.47950012218695337), (1e-3, 4, 0.9999998750416589)]
        for (x, df, p) in cases {
            let computed = Distributions.chiSquaredSurvival(x, degreesOfFreedom: df)
            #expect(abs(computed - p) < 1e-12 * max(1, p), "chi2.sf(\(x), \(df)) = \(computed), scipy \(p)")
        }
        #expect(abs(Distributions.chiSquaredSurvival(3.2, degreesOfFreedom: 1) - Distributions.chiSquaredOneSurvival(3.2)) < 1e-13)
        #expect(abs(Distributions.fSurvival(3.69, numeratorDegrees: 3, denominatorDegrees: 39) - 0.01974409968948888) < 1e-12)
    }

    /// Demšar's Table 5a (q_0.05 for k = 2...10); more digits from scipy:
    /// `studentized_range.ppf(0.95, k, np.inf) / np.sqrt(2)`.
    @Test func nemenyiQuantilesMatchDemsarsTable() {
        let scipy = [1.959964, 2.343701, 2.569032, 2.727774, 2.849705, 2.94832, 3.030878, 3.10173, 3.163684]
        for (k, value) in zip(2...10, scipy) {
            let q = RankTests.nemenyi(averageRanks: (1...k).map(Double.init), blocks: 10).q
            #expect(abs(q - value) < 2e-6, "k=\(k): \(q) vs \(value)")
        }
    }

    /// Demšar (2006), the paper's worked example for Friedman and Nemenyi: four variants of C4.5 on 14
    /// data sets with average ranks 3.143, 2.000, 2.893 and 1.964 give χ²_F = 9.28, F_F = 3.69 and
    /// a Nemenyi critical difference of 1.25 at α = 0.05; the largest rank difference, 1.179, is
    /// below it, so the post-hoc test tells no pair apart. Ranks as exact fractions of 14.
    @Test func demsarsWorkedExample() throws {
        let ranks = [44.0 / 14, 28.0 / 14, 40.5 / 14, 27.5 / 14]
        let chi = RankTests.friedmanStatistic(averageRanks: ranks, blocks: 14)
        #expect((chi * 100).rounded() / 100 == 9.28)
        let f = try #require(RankTests.imanDavenportStatistic(chi, models: 4, blocks: 14))
        #expect((f * 100).rounded() / 100 == 3.69)
        let nemenyi = RankTests.nemenyi(averageRanks: ranks, blocks: 14)
        #expect((nemenyi.criticalDifference * 100).rounded() / 100 == 1.25)
        // Every pair lies within CD: one bar over all four models.
        #expect(nemenyi.groups == [[3, 1, 2, 0]])
    }

    @Test func nemenyiGroupsAreMaximalRuns() {
        // CD for k = 4, N = 40 is 2.569 * sqrt(20 / 240) = 0.7416.
        let nemenyi = RankTests.nemenyi(averageRanks: [1.2, 1.8, 2.7, 3.3], blocks: 40)
        #expect(abs(nemenyi.criticalDifference - 0.7416) < 1e-3)
        #expect(nemenyi.groups == [[0, 1], [2, 3]])
        let chained = RankTests.nemenyi(averageRanks: [1.0, 1.5, 2.1, 3.4], blocks: 40)
        #expect(chained.groups == [[0, 1], [1, 2]])
    }
}
