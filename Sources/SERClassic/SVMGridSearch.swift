import Foundation

/// One (C, gamma) pair of the grid and the UAR it reached on the validation part.
public struct SVMGridPoint: Sendable, Equatable {
    public var cost: Double
    /// The number trained with (`"scale"` resolved on the training part).
    public var gamma: Double
    public var validationUAR: Double
    /// Mean negative log probability of the true class on the validation part; computed only for pairs
    /// tied at the best validation UAR (nil otherwise), to break the tie.
    public var validationLogLoss: Double? = nil
}

/// A fold's SVM: C and gamma chosen on the validation part, then refitted on training + validation.
public struct SVMFit {
    public var classifier: SVMClassifier
    /// The pair kept (ties on validation UAR: the lowest validation log loss, then the first in grid order, C outer).
    public var chosen: SVMGridPoint
    /// Every pair tried, in grid order (one pair: no search, its UAR is the validation UAR of that model).
    public var grid: [SVMGridPoint]
}

/// Model selection for `SVMSpec`: each (C, gamma) pair is trained on the training part alone (no
/// probability model: the decided class is enough for UAR) and scored on the validation part; the best
/// pair is refitted on training + validation with the spec's probability setting. Pairs tied at the best
/// validation UAR (common when the validation part is easy, e.g. stratified from a single training
/// speaker, where every pair reaches 100%) are refitted with LIBSVM's probability model and the one
/// with the lowest validation log loss is kept: without that, the first pair of the grid (the smallest
/// C) won every tie, and on TESS cross-speaker it predicted one class for the unseen speaker. Test data
/// never enters: the caller passes only the fold's training and validation parts.
public enum SVMGridSearch {
    public static func fit(_ spec: SVMSpec, train: [[Double]], trainLabels: [Int], validation: [[Double]], validationLabels: [Int],
                           classCount: Int, balanced: Bool, seed: UInt32) throws -> SVMFit {
        guard let width = train.first?.count else { throw SVMError.emptyTraining }
        let trainVariance = variance(of: train)
        func parameters(_ cost: Double, _ gamma: SVMGamma, probability: Bool, labels: [Int]) -> SVMParameters {
            SVMParameters(kernel: spec.kernel, cost: cost, gamma: spec.kernel == .linear ? 0 : gamma.resolved(featureCount: width, variance: trainVariance),
                          degree: spec.degree, coef0: spec.coef0, probability: probability,
                          classWeights: balanced ? balancedWeights(labels, classCount: classCount) : nil)
        }
        var points: [SVMGridPoint] = []
        var best: (index: Int, pair: (cost: Double, gamma: SVMGamma))? = nil
        for (index, pair) in spec.grid.enumerated() {
            let candidate = parameters(pair.cost, pair.gamma, probability: false, labels: trainLabels)
            var uar = Double.nan
            if !validation.isEmpty {
                let model = try SVMClassifier(vectors: train, labels: trainLabels, classCount: classCount, parameters: candidate, seed: seed)
                uar = unweightedAverageRecall(truth: validationLabels, predicted: try model.predictClasses(validation), classCount: classCount)
            } else if spec.grid.count > 1 {
                throw SVMError.invalidParameters("a grid of \(spec.grid.count) (C, gamma) pairs needs a validation part to choose from, and it is empty")
            }
            points.append(SVMGridPoint(cost: candidate.cost, gamma: candidate.gamma, validationUAR: uar))
            if best == nil || uar > points[best!.index].validationUAR { best = (index, pair) }
        }
        var chosen = best!
        let bestUAR = points[chosen.index].validationUAR
        let tied = spec.grid.indices.filter { points[$0].validationUAR == bestUAR }
        if tied.count > 1 {
            var lowest = Double.infinity
            for index in tied {
                let pair = spec.grid[index]
                let model = try SVMClassifier(vectors: train, labels: trainLabels, classCount: classCount,
                                              parameters: parameters(pair.cost, pair.gamma, probability: true, labels: trainLabels), seed: seed)
                let loss = logLoss(truth: validationLabels, probabilities: try model.predictProbabilities(validation))
                points[index].validationLogLoss = loss
                if loss < lowest { lowest = loss; chosen = (index, pair) }
            }
        }
        let allVectors = train + validation, allLabels = trainLabels + validationLabels
        let final = parameters(chosen.pair.cost, chosen.pair.gamma, probability: spec.probability, labels: allLabels)
        let classifier = try SVMClassifier(vectors: allVectors, labels: allLabels, classCount: classCount, parameters: final, seed: seed)
        return SVMFit(classifier: classifier, chosen: points[chosen.index], grid: points)
    }

    /// Mean of -log p(true class), each probability floored at 1e-15.
    public static func logLoss(truth: [Int], probabilities: [[Double]]) -> Double {
        guard !truth.isEmpty else { return 0 }
        return zip(truth, probabilities).reduce(0) { $0 - log(max($1.1[$1.0], 1e-15)) } / Double(truth.count)
    }

    /// scikit-learn's "balanced": n / (classes present x n_c); absent classes get 1.
    public static func balancedWeights(_ labels: [Int], classCount: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        let present = Double(counts.filter { $0 > 0 }.count)
        return counts.map { $0 > 0 ? Double(labels.count) / (present * Double($0)) : 1 }
    }

    /// The variance of every value of the vectors together (scikit-learn's `X.var()` for gamma "scale").
    public static func variance(of vectors: [[Double]]) -> Double {
        var count = 0.0, mean = 0.0, m2 = 0.0
        for vector in vectors {
            for value in vector {
                count += 1
                let delta = value - mean
                mean += delta / count
                m2 += delta * (value - mean)
            }
        }
        return count > 0 ? m2 / count : 0
    }

    /// The mean recall over the classes present in `truth`.
    public static func unweightedAverageRecall(truth: [Int], predicted: [Int], classCount: Int) -> Double {
        var support = [Int](repeating: 0, count: classCount), hits = [Int](repeating: 0, count: classCount)
        for (t, p) in zip(truth, predicted) {
            support[t] += 1
            if t == p { hits[t] += 1 }
        }
        let recalls = (0..<classCount).filter { support[$0] > 0 }.map { Double(hits[$0]) / Double(support[$0]) }
        return recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count)
    }
}
