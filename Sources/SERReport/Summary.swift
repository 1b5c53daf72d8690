import Foundation
import SERCore

/// Mean, sample standard deviation and a 95% interval over a few per-fold values of a metric that
/// lives in [0, 1] (accuracy, UAR, macro-F1).
///
/// The interval is a t-interval on the logit scale, mapped back: with ℓᵢ = logit(vᵢ),
/// expit(mean(ℓ) ± t(0.975, n - 1) · sd(ℓ) / √n). It keeps the t-interval's width for few folds
/// but can never leave (0, 1): a plain mean ± t · sd / √n over 4 folds printed [85.6, 101.9] for a
/// real run. It is asymmetric (longer on the side away from the bound) and centred on the mean of
/// the logits, so near 0% or 100% it need not be centred on the arithmetic mean.
/// A fold value of exactly 0 or 1 has no logit; it is pulled in by half an utterance of that
/// fold, to 0.5 / testCount or 1 - 0.5 / testCount (`defaultTestCount` utterances when unknown).
/// When every fold has the same value the interval is that value (no spread to scale); with one
/// fold there is none.
public struct Summary: Codable, Equatable, Sendable {
    public var mean: Double
    /// Sample standard deviation (n - 1 in the denominator); 0 for a single value.
    public var standardDeviation: Double
    /// The 95% logit-scale t-interval described above; nil with fewer than two values.
    public var confidenceLow: Double?
    public var confidenceHigh: Double?
    public var count: Int

    /// What the interval is, for table headers.
    public static let intervalName = "95% logit-scale t-interval over folds"
    /// The utterances per fold assumed when pulling a fold value of 0 or 1 in, when not given.
    public static let defaultTestCount = 1000

    /// `testCounts[i]` is the number of test utterances behind `values[i]` (nil: `defaultTestCount` each).
    public init(_ values: [Double], testCounts: [Int]? = nil) {
        precondition(!values.isEmpty, "Summary of no values")
        precondition(testCounts == nil || testCounts!.count == values.count, "\(values.count) values but \(testCounts!.count) test counts")
        count = values.count
        mean = Summary.mean(values)
        standardDeviation = Summary.standardDeviation(values)
        guard values.count >= 2, values.allSatisfy(\.isFinite) else { return }
        if values.allSatisfy({ $0 == values[0] }) {
            confidenceLow = values[0]
            confidenceHigh = values[0]
            return
        }
        let logits = values.indices.map { index -> Double in
            let edge = 0.5 / Double(max(1, testCounts?[index] ?? Summary.defaultTestCount))
            let value = min(max(values[index], edge), 1 - edge)
            return log(value / (1 - value))
        }
        let center = Summary.mean(logits)
        let half = Distributions.studentTQuantile(0.975, degreesOfFreedom: Double(values.count - 1))
            * Summary.standardDeviation(logits) / Double(values.count).squareRoot()
        confidenceLow = Summary.expit(center - half)
        confidenceHigh = Summary.expit(center + half)
    }

    /// 1 / (1 + e^-x), the inverse of the logit.
    static func expit(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// `SampleStatistics.mean` (SERCore): NaN for no values.
    public static func mean(_ values: [Double]) -> Double { SampleStatistics.mean(values) }

    /// `SampleStatistics.standardDeviation` (SERCore): n - 1, 0 for fewer than two values.
    public static func standardDeviation(_ values: [Double]) -> Double { SampleStatistics.standardDeviation(values) }
}
