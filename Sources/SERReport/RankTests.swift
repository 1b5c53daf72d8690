import Foundation

/// Comparing several models over several data sets by their ranks (Demšar 2006, "Statistical
/// comparisons of classifiers over multiple data sets", JMLR 7): Friedman's test that all models
/// rank alike, then Nemenyi's critical difference for which pairs differ.
public enum RankTests {
    /// Friedman's test on `scores[block][model]` (a block is one data set; higher is better).
    public struct Friedman: Codable, Equatable, Sendable {
        /// Average rank of each model over the blocks, 1 = best; ties share their average rank.
        public var averageRanks: [Double]
        public var blocks: Int
        /// χ²_F with k - 1 degrees of freedom, divided by the tie correction
        /// 1 - Σ(t³ - t) / (N k (k² - 1)) as scipy's `friedmanchisquare` does.
        public var chiSquared: TestResult
        /// Iman and Davenport's F_F = (N - 1) χ²_F / (N (k - 1) - χ²_F) with (k - 1, (k - 1)(N - 1))
        /// degrees of freedom, which Demšar recommends over χ²_F (less conservative); nil when the
        /// models' ranks are identical in every block (the denominator is 0).
        public var imanDavenport: TestResult?
    }

    /// Nemenyi's post-hoc test: two models differ when their average ranks differ by more than
    /// CD = q_α √(k (k + 1) / (6 N)), q_α the studentized range quantile (infinite degrees of
    /// freedom) divided by √2 (Demšar's Table 5a: 2.569 for k = 4 at α = 0.05).
    public struct Nemenyi: Codable, Equatable, Sendable {
        public var alpha: Double
        public var q: Double
        public var criticalDifference: Double
        /// Maximal runs of models (indices, best rank first) whose ranks all lie within CD of each
        /// other: the bars of a critical-difference diagram. Single models are left out.
        public var groups: [[Int]]
    }

    /// Ranks 1...k within one block, 1 for the highest score, ties given their average rank.
    public static func descendingRanks(_ scores: [Double]) -> [Double] {
        SignificanceTests.averageRanks(scores.map { -$0 })
    }

    /// Friedman's test of `scores[block][model]`; needs at least two blocks and two models, every
    /// block with a score for each model.
    public static func friedman(_ scores: [[Double]]) -> Friedman {
        let n = scores.count, k = scores.first?.count ?? 0
        precondition(n >= 2 && k >= 2 && scores.allSatisfy { $0.count == k }, "Friedman needs a complete table of at least 2x2, got \(scores.map(\.count))")
        let ranks = scores.map(descendingRanks)
        let average = (0..<k).map { model in ranks.map { $0[model] }.reduce(0, +) / Double(n) }
        var ties = 0.0
        for block in ranks {
            var sizes: [Double: Int] = [:]
            for rank in block { sizes[rank, default: 0] += 1 }
            for (_, t) in sizes where t > 1 { ties += Double(t * t * t - t) }
        }
        let kk = Double(k), nn = Double(n)
        let correction = 1 - ties / (nn * kk * (kk * kk - 1))
        let chi = correction > 0 ? max(0, friedmanStatistic(averageRanks: average, blocks: n) / correction) : 0
        let chiResult = TestResult(test: "friedman", statistic: chi, pValue: Distributions.chiSquaredSurvival(chi, degreesOfFreedom: kk - 1),
                                   method: "chi-squared(\(k - 1)), tie-corrected", sampleSize: n)
        var imanDavenport: TestResult? = nil
        if let f = imanDavenportStatistic(chi, models: k, blocks: n) {
            let d2 = (kk - 1) * (nn - 1)
            imanDavenport = TestResult(test: "imanDavenport", statistic: f,
                                       pValue: Distributions.fSurvival(f, numeratorDegrees: kk - 1, denominatorDegrees: d2),
                                       method: "F(\(k - 1), \(Int(d2)))", sampleSize: n)
        }
        return Friedman(averageRanks: average, blocks: n, chiSquared: chiResult, imanDavenport: imanDavenport)
    }

    /// Demšar's equation for χ²_F from the average ranks of k models over N blocks, without the
    /// tie correction: 12 N / (k (k + 1)) [Σ R_j² - k (k + 1)² / 4].
    public static func friedmanStatistic(averageRanks: [Double], blocks: Int) -> Double {
        let k = Double(averageRanks.count), n = Double(blocks)
        return 12 * n / (k * (k + 1)) * (averageRanks.map { $0 * $0 }.reduce(0, +) - k * (k + 1) * (k + 1) / 4)
    }

    /// Iman and Davenport's F_F = (N - 1) χ²_F / (N (k - 1) - χ²_F); nil when the denominator is not positive.
    public static func imanDavenportStatistic(_ chiSquared: Double, models k: Int, blocks n: Int) -> Double? {
        let denominator = Double(n) * Double(k - 1) - chiSquared
        return denominator > 0 ? Double(n - 1) * chiSquared / denominator : nil
    }

    /// Nemenyi's critical difference for k = `averageRanks.count` models ranked over `blocks` data sets.
    public static func nemenyi(averageRanks: [Double], blocks: Int, alpha: Double = 0.05) -> Nemenyi {
        let k = averageRanks.count
        precondition(k >= 2 && blocks >= 1, "Nemenyi needs at least two models and one block, got \(k) and \(blocks)")
        let q = Distributions.normalRangeQuantile(1 - alpha, groups: k) / 2.0.squareRoot()
        let cd = q * (Double(k * (k + 1)) / (6 * Double(blocks))).squareRoot()
        let order = averageRanks.indices.sorted { (averageRanks[$0], $0) < (averageRanks[$1], $1) }
        var groups: [[Int]] = []
        var lastEnd = -1
        for start in order.indices {
            var end = start
            while end + 1 < order.count && averageRanks[order[end + 1]] - averageRanks[order[start]] <= cd { end += 1 }
            // A run is kept when it reaches further than every run before it (so none is inside another).
            if end > start && end > lastEnd { groups.append(Array(order[start...end])) }
            lastEnd = max(lastEnd, end)
        }
        return Nemenyi(alpha: alpha, q: q, criticalDifference: cd, groups: groups)
    }
}
