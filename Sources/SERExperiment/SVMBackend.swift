import Foundation
import SERClassic
import SERCore
import SERFeatures
import SERResults

/// Trains SERClassic's SVM on a fold: each utterance becomes one vector (its row at level utterance, the
/// mean over frames at level frame, as the MLP does), C and gamma are chosen on the validation part
/// (`SVMGridSearch`), and the choice is recorded as the fold's `modelSelection`. Class weighting is the
/// training section's `classWeighting`; LIBSVM's random draws are seeded from the fold's stream "svm".
/// Other training keys (epochs, optimiser, ...) do not apply. No checkpoint: an SVM run cannot be bundled.
struct SVMBackend: ModelBackend {
    func modelName(_ model: ModelChoice) -> String { model.typeName }

    func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
        guard case .svm(let spec) = request.model else { preconditionFailure("SVMBackend asked to train a \(request.model.typeName)") }
        guard let featureCount = request.train.features.first?.columnCount, featureCount > 0 else {
            throw DatasetError.empty(reason: "\(request.stream): the feature spec gives no columns")
        }
        var stream = SeededGenerator(seed: UInt64(truncatingIfNeeded: request.seed), stream: "svm").derived(request.stream)
        let seed = UInt32(truncatingIfNeeded: stream.next())
        let fit = try SVMGridSearch.fit(spec, train: request.train.features.map(SVMBackend.vector), trainLabels: request.train.labels,
                                        validation: request.validation.features.map(SVMBackend.vector), validationLabels: request.validation.labels,
                                        classCount: request.labels.count, balanced: request.training.classWeighting == .balanced, seed: seed)
        let classifier = fit.classifier
        var selection: OrderedObject<Double> = ["cost": fit.chosen.cost]
        if spec.kernel != .linear { selection.entries.append(("gamma", ResultsFile.rounded(fit.chosen.gamma))) }
        if fit.chosen.validationUAR.isFinite { selection.entries.append(("validationUAR", ResultsFile.rounded(fit.chosen.validationUAR))) }
        if let loss = fit.chosen.validationLogLoss { selection.entries.append(("validationLogLoss", ResultsFile.rounded(loss))) }
        return TrainedFold(curve: [], epochKept: 1, predict: { matrices in
            try classifier.predictProbabilities(matrices.map(SVMBackend.vector))
        }, modelSelection: selection)
    }

    /// An utterance's vector: the mean of its frames (a single row at level utterance is itself).
    static func vector(_ matrix: FeatureMatrix) -> [Double] {
        let columns = matrix.columnCount
        var sums = [Double](repeating: 0, count: columns)
        for frame in 0..<matrix.frameCount {
            for column in 0..<columns { sums[column] += Double(matrix.values[frame * columns + column]) }
        }
        let count = Double(max(matrix.frameCount, 1))
        return sums.map { $0 / count }
    }
}
