import Foundation
import Testing
@testable import SERReport

/// Reference values from scipy 1.17.1, printed by:
///   python3 -c "from scipy import stats; print(repr(stats.t.cdf(0.5, 3)))"   (and so on for each case)
@Suite struct DistributionsTests {
    @Test(arguments: [
        (-3.0, 0.0013498980316300933), (-1.96, 0.024997895148220435), (-0.5, 0.3085375387259869), (0.0, 0.5),
        (0.3, 0.6179114221889526), (1.0, 0.8413447460685429), (2.5, 0.9937903346742238), (5.0, 0.9999997133484281),
    ])
    func normalCDFMatchesScipy(x: Double, expected: Double) {
        #expect(abs(Distributions.normalCDF(x) - expected) < 1e-14)
    }

    // stats.t.cdf(x, df)
    @Test(arguments: [
        (0.5, 3.0, 0.6742760175759245), (1.0, 1.0, 0.75), (2.0, 4.0, 0.9419417382415922), (-1.5, 10.0, 0.08225366322272007),
        (2.776445105, 4.0, 0.9749999999949402), (0.1, 30.0, 0.5394951941048645), (3.5, 2.0, 0.9635863249727653), (-4.0, 7.0, 0.0025949566746484064),
    ])
    func studentTCDFMatchesScipy(t: Double, degreesOfFreedom: Double, expected: Double) {
        #expect(abs(Distributions.studentTCDF(t, degreesOfFreedom: degreesOfFreedom) - expected) < 1e-12)
    }

    // stats.t.ppf(q, df)
    @Test(arguments: [
        (0.975, 4.0, 2.7764451051977934), (0.975, 1.0, 12.706204736174694), (0.975, 9.0, 2.262157162798205),
        (0.975, 29.0, 2.045229642132703), (0.995, 5.0, 4.032142983555228),
    ])
    func studentTQuantileMatchesScipy(probability: Double, degreesOfFreedom: Double, expected: Double) {
        let value = Distributions.studentTQuantile(probability, degreesOfFreedom: degreesOfFreedom)
        #expect(abs(value - expected) < 1e-9 * expected)
        #expect(abs(Distributions.studentTQuantile(1 - probability, degreesOfFreedom: degreesOfFreedom) + expected) < 1e-9 * expected)
    }

    @Test func incompleteBetaEdgesAndSymmetry() {
        #expect(Distributions.regularizedIncompleteBeta(0, a: 2, b: 3) == 0)
        #expect(Distributions.regularizedIncompleteBeta(1, a: 2, b: 3) == 1)
        // I_x(1, 1) = x; I_x(a, b) = 1 - I_{1-x}(b, a).
        #expect(abs(Distributions.regularizedIncompleteBeta(0.37, a: 1, b: 1) - 0.37) < 1e-14)
        let left = Distributions.regularizedIncompleteBeta(0.3, a: 2.5, b: 4)
        let right = Distributions.regularizedIncompleteBeta(0.7, a: 4, b: 2.5)
        #expect(abs(left + right - 1) < 1e-13)
    }

    // stats.binomtest(k, n, 0.5).pvalue; stats.chi2.sf(x, 1)
    @Test func binomialAndChiSquaredMatchScipy() {
        #expect(abs(Distributions.binomialTwoSidedHalfP(successes: 3, trials: 15) - 0.03515625) < 1e-14)
        #expect(abs(Distributions.binomialTwoSidedHalfP(successes: 10, trials: 12) - 0.03857421875) < 1e-14)
        #expect(Distributions.binomialTwoSidedHalfP(successes: 5, trials: 10) == 1)
        #expect(abs(Distributions.chiSquaredOneSurvival(Double(19 * 19) / 60) - 0.014171388254012323) < 1e-14)
    }
}

/// Reference values from scipy 1.17.1:
///   python3 -c "from scipy import stats; d=[0.031,-0.012,0.054,0.047,0.022]; print(stats.wilcoxon(d), stats.ttest_1samp(d,0))"
@Suite struct SignificanceTestsTests {
    static let five = [0.031, -0.012, 0.054, 0.047, 0.022]
    static let eight = [0.031, -0.012, 0.054, 0.047, 0.022, 0.065, -0.008, 0.015]

    @Test func wilcoxonExactMatchesScipy() throws {
        let w5 = try #require(SignificanceTests.wilcoxonSignedRank(Self.five, Array(repeating: 0, count: 5)))
        #expect(w5.statistic == 1)
        #expect(abs(w5.pValue - 0.125) < 1e-14)
        #expect(w5.method == "exact")
        let w8 = try #require(SignificanceTests.wilcoxonSignedRank(Self.eight, Array(repeating: 0, count: 8)))
        #expect(w8.statistic == 3)
        #expect(abs(w8.pValue - 0.0390625) < 1e-14)
        // Twelve differences: stats.wilcoxon(d) -> statistic 10, p 0.02099609375.
        let twelve = [0.3, -0.1, 0.5, 0.7, 1.1, -0.2, 0.9, 1.3, 0.05, 0.4, 0.6, -0.35]
        let w12 = try #require(SignificanceTests.wilcoxonSignedRank(twelve, Array(repeating: 0, count: 12)))
        #expect(w12.statistic == 10)
        #expect(abs(w12.pValue - 0.02099609375) < 1e-14)
    }

    /// 60 rounded normal draws with one zero and ties; stats.wilcoxon(d, method="approx") -> 474, 0.0019191155912097204.
    @Test func wilcoxonNormalApproximationMatchesScipy() throws {
        let d = [0.122, -0.108, 0.041, -0.008, -0.003, 0.009, -0.081, 0.008, -0.023, 0.186, 0.031, 0.002, 0.006, -0.013, -0.033, 0.0, 0.044, 0.008, 0.068,
                 0.01, 0.021, 0.097, 0.047, -0.005, 0.011, 0.047, 0.117, 0.007, 0.008, 0.07, -0.024, 0.005, 0.064, 0.049, 0.025, 0.054, -0.121, 0.071,
                 -0.028, -0.063, 0.034, 0.055, -0.002, -0.034, 0.021, 0.017, 0.09, 0.057, 0.03, 0.076, 0.01, -0.026, 0.049, 0.049, 0.009, -0.019,
                 0.031, -0.105, 0.055, 0.045]
        let result = try #require(SignificanceTests.wilcoxonSignedRank(d, Array(repeating: 0, count: d.count)))
        #expect(result.sampleSize == 59)
        #expect(result.statistic == 474)
        #expect(result.method == "normal approximation")
        #expect(abs(result.pValue - 0.0019191155912097204) < 1e-12)
    }

    /// With ties the exact p is the conditional permutation p: check it against brute force over all 2^n signs.
    @Test func wilcoxonExactWithTiesEqualsBruteForce() throws {
        let d = [0.02, -0.02, 0.05, 0.02, -0.01, 0.05, 0.03]
        let result = try #require(SignificanceTests.wilcoxonSignedRank(d, Array(repeating: 0, count: d.count)))
        let ranks = SignificanceTests.averageRanks(d.map(abs))
        #expect(ranks == [3, 3, 6.5, 3, 1, 6.5, 5])
        var atMost = 0
        for mask in 0..<(1 << d.count) {
            var plus = 0.0, minus = 0.0
            for i in 0..<d.count { if mask & (1 << i) != 0 { plus += ranks[i] } else { minus += ranks[i] } }
            if min(plus, minus) <= result.statistic + 1e-9 { atMost += 1 }
        }
        // The two-sided p counts both tails: P(min(R+, R-) <= w) = 2 P(R+ <= w) for a symmetric null when w < total / 2.
        #expect(abs(result.pValue - min(1, Double(atMost) / Double(1 << d.count))) < 1e-12)
    }

    @Test func wilcoxonAllZeroIsNil() {
        #expect(SignificanceTests.wilcoxonSignedRank([0.5, 0.6], [0.5, 0.6]) == nil)
    }

    // stats.ttest_1samp(d, 0): five -> t 2.4528372474411606, p 0.07023045920906203; eight -> 2.6983502088069637, 0.03071226153080693
    @Test func pairedTMatchesScipy() throws {
        let t5 = try #require(SignificanceTests.pairedT(Self.five, Array(repeating: 0, count: 5)))
        #expect(abs(t5.statistic - 2.4528372474411606) < 1e-12)
        #expect(abs(t5.pValue - 0.07023045920906203) < 1e-12)
        #expect(t5.method == "t(4)")
        let t8 = try #require(SignificanceTests.pairedT(Self.eight, Array(repeating: 0, count: 8)))
        #expect(abs(t8.statistic - 2.6983502088069637) < 1e-12)
        #expect(abs(t8.pValue - 0.03071226153080693) < 1e-12)
        // scipy.stats.ttest_rel([.61,.55,.70,.58,.64],[.57,.56,.62,.51,.60]) -> t 2.8053375374786897, p 0.048546820372036906
        let rel = try #require(SignificanceTests.pairedT([0.61, 0.55, 0.70, 0.58, 0.64], [0.57, 0.56, 0.62, 0.51, 0.60]))
        #expect(abs(rel.statistic - 2.8053375374786897) < 1e-9)
        #expect(abs(rel.pValue - 0.048546820372036906) < 1e-9)
        #expect(SignificanceTests.pairedT([0.5, 0.6], [0.4, 0.5]) == nil)  // constant difference
    }

    @Test func mcnemarExactAndChiSquared() {
        let exact = SignificanceTests.mcnemar(onlyFirstCorrect: 12, onlySecondCorrect: 3)
        #expect(exact.method == "exact binomial")
        #expect(abs(exact.pValue - 0.03515625) < 1e-14)
        let large = SignificanceTests.mcnemar(onlyFirstCorrect: 40, onlySecondCorrect: 20)
        #expect(large.method == "chi-squared, continuity corrected")
        #expect(abs(large.statistic - 361.0 / 60) < 1e-12)
        #expect(abs(large.pValue - 0.014171388254012323) < 1e-14)
        #expect(SignificanceTests.mcnemar(onlyFirstCorrect: 0, onlySecondCorrect: 0).pValue == 1)
    }

    @Test func summaryUsesLogitScaleTInterval() {
        let summary = Summary([0.61, 0.55, 0.70, 0.58, 0.64])
        #expect(abs(summary.mean - 0.616) < 1e-12)
        // numpy: np.std([...], ddof=1) = 0.05770615218501401
        #expect(abs(summary.standardDeviation - 0.05770615218501401) < 1e-12)
        // l = logit(v); h = t.ppf(0.975, 4) * l.std(ddof=1) / sqrt(5); expit(l.mean() -/+ h)
        // (the plain t-interval was 0.616 -/+ 2.7764451051977934 * sd / sqrt(5))
        #expect(abs((summary.confidenceLow ?? 0) - 0.542306647613791) < 1e-9)
        #expect(abs((summary.confidenceHigh ?? 0) - 0.6873448136154681) < 1e-9)
        #expect(Summary([0.5]).confidenceLow == nil)
    }
}
