import Foundation
import SERCore
import SERResults

/// Per-class precision, recall and F1 of one run, pooled over folds and per fold, computed from the
/// confusion matrices the run folder holds (`RunFolder.pooledConfusion`, `foldConfusions`); where a
/// matrix is missing, metrics.json's `perClass` (the same numbers, written by the runner).
public struct PerClassMetrics: Codable, Equatable, Sendable {
    public struct Fold: Codable, Equatable, Sendable {
        public var fold: Int
        /// In `labels` order.
        public var classes: [RunMetrics.ClassMetrics]
    }

    /// The three per-class metrics, in the order tables and charts show them.
    public enum Measure: String, CaseIterable, Codable, Sendable {
        case precision, recall, f1

        public var title: String { self == .f1 ? "F1" : rawValue }

        public func value(_ metrics: RunMetrics.ClassMetrics) -> Double {
            switch self {
            case .precision: return metrics.precision
            case .recall: return metrics.recall
            case .f1: return metrics.f1
            }
        }
    }

    public var run: String
    /// The run's label order (metrics.json's `labels`).
    public var labels: [String]
    /// Over all test utterances; nil when the run has neither a confusion matrix nor pooled perClass.
    public var pooled: [RunMetrics.ClassMetrics]?
    /// Folds with per-class numbers, in fold order.
    public var folds: [Fold]

    public init(run: String, labels: [String], pooled: [RunMetrics.ClassMetrics]?, folds: [Fold]) {
        self.run = run; self.labels = labels; self.pooled = pooled; self.folds = folds
    }

    public init(run: RunFolder) {
        let labels = run.metrics.labels
        var folds: [Fold] = []
        for fold in run.metrics.folds.sorted(by: { $0.fold < $1.fold }) {
            if let classes = run.foldConfusions[fold.fold].flatMap({ Self.classes($0, labels: labels) }) ?? Self.classes(fold.perClass, labels: labels) {
                folds.append(Fold(fold: fold.fold, classes: classes))
            }
        }
        let pooled = run.pooledConfusion.flatMap { Self.classes($0, labels: labels) } ?? Self.classes(run.metrics.pooled?.perClass, labels: labels)
        self.init(run: run.displayName, labels: labels, pooled: pooled, folds: folds)
    }

    /// `measure` of class `index` in every fold that has it.
    public func foldValues(_ measure: Measure, classIndex index: Int) -> [Double] {
        folds.map { measure.value($0.classes[index]) }
    }

    /// A matrix's class metrics in `labels` order; nil when its labels are another set.
    static func classes(_ matrix: ConfusionMatrix, labels: [String]) -> [RunMetrics.ClassMetrics]? {
        guard Set(matrix.labels) == Set(labels), matrix.labels.count == labels.count else { return nil }
        let all = matrix.classMetrics
        return labels.map { all[matrix.labels.firstIndex(of: $0)!] }
    }

    /// metrics.json's perClass in `labels` order; nil when absent or missing a label.
    static func classes(_ perClass: OrderedObject<RunMetrics.ClassMetrics>?, labels: [String]) -> [RunMetrics.ClassMetrics]? {
        guard let perClass else { return nil }
        let found = labels.compactMap { perClass[$0] }
        return found.count == labels.count ? found : nil
    }
}
