import Foundation
import SERCore
import SERResults

/// Precision, recall and F1 of one class; `support` is its number of true utterances. The results
/// format's type: the report computes the same figures from confusion.csv (`ConfusionMatrix.classMetrics`).
public typealias ClassMetrics = RunMetrics.ClassMetrics

/// Scores of a set of predictions. Fractions in [0, 1].
public struct ClassificationMetrics: Sendable, Equatable {
    public var labels: [String]
    /// counts[true][predicted].
    public var confusion: [[Int]]
    /// Weighted accuracy: correct / total.
    public var accuracy: Double
    /// Unweighted average recall: mean of the per-class recalls over classes present in the truth.
    public var uar: Double
    /// Mean of per-class F1 over classes present in the truth.
    public var macroF1: Double
    public var perClass: [ClassMetrics]
    public var count: Int

    /// Scores of `predicted` against `truth` (label indices into `labels`).
    public init(truth: [Int], predicted: [Int], labels: [String]) {
        precondition(truth.count == predicted.count, "truth \(truth.count) vs predicted \(predicted.count)")
        let classCount = labels.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
        self.init(confusion: confusion, labels: labels)
    }

    public init(confusion: [[Int]], labels: [String]) {
        let classCount = labels.count
        self.labels = labels
        self.confusion = confusion
        let total = confusion.joined().reduce(0, +)
        count = total
        let correct = (0..<classCount).map { confusion[$0][$0] }.reduce(0, +)
        accuracy = total > 0 ? Double(correct) / Double(total) : 0
        perClass = ConfusionMatrix(labels: labels, counts: confusion).classMetrics
        let present = perClass.filter { $0.support > 0 }
        let recalls = present.map(\.recall), f1s = present.map(\.f1)
        uar = recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count)
        macroF1 = f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count)
    }
}

/// Mean and sample standard deviation (n - 1; 0 for a single value) by SERCore's `SampleStatistics`,
/// the same numbers SERReport computes; (0, 0) for no values (SampleStatistics' mean would be NaN).
func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
    guard !values.isEmpty else { return (0, 0) }
    return (SampleStatistics.mean(values), SampleStatistics.standardDeviation(values))
}

/// Percentile bootstrap over utterances: `resamples` draws with replacement of the pooled
/// predictions; the interval is the 2.5th and 97.5th percentiles of accuracy and UAR.
public struct BootstrapInterval: Sendable, Equatable {
    public var accuracy: ClosedRange<Double>
    public var uar: ClosedRange<Double>
    public var resamples: Int

    public init(truth: [Int], predicted: [Int], classCount: Int, resamples: Int, seed: Int) {
        precondition(truth.count == predicted.count && !truth.isEmpty, "bootstrap needs predictions, got \(truth.count)")
        var generator = SeededGenerator(seed: UInt64(seed), stream: "bootstrap")
        let n = truth.count
        var accuracies: [Double] = []
        var uars: [Double] = []
        accuracies.reserveCapacity(resamples)
        uars.reserveCapacity(resamples)
        var support = [Int](repeating: 0, count: classCount)
        var hits = [Int](repeating: 0, count: classCount)
        for _ in 0..<resamples {
            for c in 0..<classCount { support[c] = 0; hits[c] = 0 }
            var correct = 0
            for _ in 0..<n {
                let i = Int(generator.next() % UInt64(n))
                support[truth[i]] += 1
                if truth[i] == predicted[i] { hits[truth[i]] += 1; correct += 1 }
            }
            accuracies.append(Double(correct) / Double(n))
            var recallSum = 0.0
            var present = 0
            for c in 0..<classCount where support[c] > 0 {
                recallSum += Double(hits[c]) / Double(support[c])
                present += 1
            }
            uars.append(present > 0 ? recallSum / Double(present) : 0)
        }
        accuracy = BootstrapInterval.interval(accuracies)
        uar = BootstrapInterval.interval(uars)
        self.resamples = resamples
    }

    /// 2.5th and 97.5th percentiles, linear interpolation between order statistics (numpy's default).
    static func interval(_ values: [Double]) -> ClosedRange<Double> {
        let sorted = values.sorted()
        func percentile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = min(low + 1, sorted.count - 1)
            let weight = position - Double(low)
            return sorted[low] * (1 - weight) + sorted[high] * weight
        }
        return percentile(0.025)...percentile(0.975)
    }
}
