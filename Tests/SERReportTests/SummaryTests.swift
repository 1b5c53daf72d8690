import Foundation
import Testing
@testable import SERReport

/// The interval over folds stays inside [0, 1]. Reference values from scipy 1.17.1:
///
///     from scipy import stats; from scipy.special import logit, expit; import numpy as np
///     v = np.array(values); e = 0.5 / np.array(test_counts); l = logit(np.clip(v, e, 1 - e))
///     h = stats.t.ppf(0.975, len(v) - 1) * l.std(ddof=1) / np.sqrt(len(v))
///     expit(l.mean() - h), expit(l.mean() + h)
@Suite struct SummaryTests {
    @Test(arguments: [
        // Four folds, one at 100% of 100 utterances: the plain t-interval was [86.1, 101.4].
        ([1.0, 0.95, 0.9, 0.9], [100, 100, 100, 100], 0.6952160468973754, 0.9958951672463284),
        // TESS-like: five folds near 100% of 560 utterances (plain: [99.3, 100.07]).
        ([1.0, 0.996, 1.0, 0.993, 0.996], [560, 560, 560, 560, 560], 0.9920107009320536, 0.9992467894237376),
        // Near 0% (plain: [-14.8, 34.8]).
        ([0.0, 0.2, 0.1], [50, 50, 50], 0.001036275254427051, 0.8051282307951724),
    ])
    func logitIntervalMatchesScipyAndStaysInRange(values: [Double], testCounts: [Int], low: Double, high: Double) throws {
        let summary = Summary(values, testCounts: testCounts)
        let computedLow = try #require(summary.confidenceLow), computedHigh = try #require(summary.confidenceHigh)
        #expect(abs(computedLow - low) < 1e-9, "\(computedLow) vs scipy \(low)")
        #expect(abs(computedHigh - high) < 1e-9, "\(computedHigh) vs scipy \(high)")
        #expect(computedLow > 0 && computedHigh < 1)
        #expect(computedLow < summary.mean && summary.mean < computedHigh)
    }

    @Test(arguments: [1.0, 0.0, 0.625])
    func foldsAllEqualGiveThatValue(value: Double) throws {
        let summary = Summary([value, value, value, value, value], testCounts: [80, 80, 80, 80, 80])
        #expect(summary.mean == value && summary.standardDeviation == 0)
        #expect(summary.confidenceLow == value && summary.confidenceHigh == value)
    }

    @Test func oneFoldHasNoInterval() {
        let summary = Summary([0.7], testCounts: [120])
        #expect(summary.mean == 0.7 && summary.standardDeviation == 0 && summary.count == 1)
        #expect(summary.confidenceLow == nil && summary.confidenceHigh == nil)
    }

    /// Without test counts a fold at 100% is pulled in by half an utterance of `defaultTestCount`.
    @Test func unknownTestCountsUseTheDefault() {
        let values = [1.0, 0.9, 0.95]
        let counts = [Int](repeating: Summary.defaultTestCount, count: 3)
        #expect(Summary(values) == Summary(values, testCounts: counts))
        #expect((Summary(values).confidenceHigh ?? 2) < 1)
    }
}
