import Foundation
import SERCore

/// The result of one significance test: the statistic, the two-sided p-value and how it was got.
public struct TestResult: Codable, Equatable, Sendable {
    /// "wilcoxon", "pairedT" or "mcnemar".
    public var test: String
    public var statistic: Double
    public var pValue: Double
    /// "exact", "normal approximation", "chi-squared, continuity corrected", "t(4)" ...
    public var method: String
    /// Sample size the test used (non-zero differences, folds, or discordant pairs).
    public var sampleSize: Int
    /// The p-value after Holm's adjustment over the family of tests it was run in (the same test
    /// on every pair of a comparison group); nil when it was run alone.
    public var holmPValue: Double?

    public init(test: String, statistic: Double, pValue: Double, method: String, sampleSize: Int, holmPValue: Double? = nil) {
        self.test = test; self.statistic = statistic; self.pValue = pValue; self.method = method; self.sampleSize = sampleSize
        self.holmPValue = holmPValue
    }
}

/// Paired significance tests: over folds (Wilcoxon signed-rank, paired t) and over utterances (McNemar).
public enum SignificanceTests {
    /// Above this many non-zero differences the Wilcoxon test uses the normal approximation.
    public static let wilcoxonExactLimit = 50
    /// Up to this many discordant pairs McNemar uses the exact binomial test.
    public static let mcnemarExactLimit = 25

    /// Wilcoxon signed-rank test of paired differences `a[i] - b[i]`, two-sided.
    ///
    /// Zero differences are dropped (scipy's `zero_method="wilcox"`); tied |differences| get their
    /// average rank. The statistic is min(R+, R-). With at most `wilcoxonExactLimit` differences the
    /// p-value is exact: the distribution of R+ over all 2^n sign assignments, counted by dynamic
    /// programming on doubled ranks (so ties stay exact: a conditional permutation test; without ties
    /// it equals scipy's exact method). Above, the normal approximation with tie-corrected variance
    /// and no continuity correction (scipy's `method="approx"`). Note: with n = 5 folds the smallest
    /// possible two-sided p is 2/32 = 0.0625.
    /// Returns nil when every difference is zero.
    public static func wilcoxonSignedRank(_ a: [Double], _ b: [Double]) -> TestResult? {
        precondition(a.count == b.count, "paired samples differ in length: \(a.count) vs \(b.count)")
        let differences = zip(a, b).map { $0 - $1 }.filter { $0 != 0 }
        let n = differences.count
        if n == 0 { return nil }
        let ranks = averageRanks(differences.map(abs))
        var rankPlus = 0.0, rankMinus = 0.0
        for (difference, rank) in zip(differences, ranks) {
            if difference > 0 { rankPlus += rank } else { rankMinus += rank }
        }
        let statistic = min(rankPlus, rankMinus)
        if n <= wilcoxonExactLimit {
            // Doubled ranks are integers even with ties (average ranks are multiples of 1/2).
            let doubled = ranks.map { Int(($0 * 2).rounded()) }
            let total = doubled.reduce(0, +)
            var counts = [Double](repeating: 0, count: total + 1)
            counts[0] = 1
            var reach = 0
            for rank in doubled {
                reach += rank
                for sum in stride(from: reach, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
            }
            let threshold = Int((statistic * 2).rounded())
            let lowerTail = counts[0...threshold].reduce(0, +)
            let p = min(1, 2 * lowerTail / pow(2, Double(n)))
            return TestResult(test: "wilcoxon", statistic: statistic, pValue: p, method: "exact", sampleSize: n)
        }
        let mean = Double(n * (n + 1)) / 4
        var variance = Double(n * (n + 1) * (2 * n + 1)) / 24
        var tieGroups: [Double: Int] = [:]
        for rank in ranks { tieGroups[rank, default: 0] += 1 }
        for (_, size) in tieGroups where size > 1 { variance -= Double(size * size * size - size) / 48 }
        let z = (statistic - mean) / variance.squareRoot()
        let p = min(1, 2 * Distributions.normalCDF(-abs(z)))
        return TestResult(test: "wilcoxon", statistic: statistic, pValue: p, method: "normal approximation", sampleSize: n)
    }

    /// Paired t-test of `a[i] - b[i]`: t = mean(d) / (sd(d) / √n), ν = n - 1, two-sided.
    /// Returns nil for fewer than two pairs, or when every difference is the same (sd = 0: t undefined).
    public static func pairedT(_ a: [Double], _ b: [Double]) -> TestResult? {
        precondition(a.count == b.count, "paired samples differ in length: \(a.count) vs \(b.count)")
        let differences = zip(a, b).map { $0 - $1 }
        let n = differences.count
        guard n >= 2 else { return nil }
        let mean = Summary.mean(differences)
        let sd = Summary.standardDeviation(differences)
        guard sd > 0 else { return nil }
        let t = mean / (sd / Double(n).squareRoot())
        let p = Distributions.studentTTwoSidedP(t, degreesOfFreedom: Double(n - 1))
        return TestResult(test: "pairedT", statistic: t, pValue: p, method: "t(\(n - 1))", sampleSize: n)
    }

    /// McNemar's test on paired correctness: `onlyFirstCorrect` (b) and `onlySecondCorrect` (c)
    /// discordant utterances. Exact binomial (b ~ Bin(b + c, 1/2)) up to `mcnemarExactLimit`
    /// discordant pairs, otherwise χ² = (|b - c| - 1)² / (b + c) with one degree of freedom.
    /// The statistic reported is min(b, c) for the exact test and χ² otherwise.
    public static func mcnemar(onlyFirstCorrect b: Int, onlySecondCorrect c: Int) -> TestResult {
        precondition(b >= 0 && c >= 0, "negative discordant counts \(b), \(c)")
        let n = b + c
        if n <= mcnemarExactLimit {
            let p = Distributions.binomialTwoSidedHalfP(successes: min(b, c), trials: n)
            return TestResult(test: "mcnemar", statistic: Double(min(b, c)), pValue: p, method: "exact binomial", sampleSize: n)
        }
        let chi = pow(Double(abs(b - c)) - 1, 2) / Double(n)
        return TestResult(test: "mcnemar", statistic: chi, pValue: Distributions.chiSquaredOneSurvival(chi),
                          method: "chi-squared, continuity corrected", sampleSize: n)
    }

    /// Ranks 1...n of `values` in ascending order, ties given their average rank.
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end + 2) / 2
            for position in start...end { ranks[order[position]] = average }
            start = end + 1
        }
        return ranks
    }
}

extension SignificanceTests {
    /// Holm's step-down adjustment (Holm 1979) of m p-values from one family of tests: sorted
    /// ascending, the i-th (from 0) becomes min(1, (m - i) p), then each is raised to the largest
    /// adjusted value before it so the order is kept. Returned in the order given (as statsmodels'
    /// `multipletests(method="holm")`). Controls the family-wise error rate without assuming
    /// the tests are independent.
    public static func holmAdjusted(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 0.0
        for (position, index) in order.enumerated() {
            running = max(running, min(1, Double(m - position) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
