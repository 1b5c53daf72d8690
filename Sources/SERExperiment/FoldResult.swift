import Foundation
import SERResults

/// One epoch of a training curve.
public struct TrainingEpoch: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationUAR: Double
    public var learningRate: Double

    public init(epoch: Int, trainLoss: Double, validationLoss: Double, validationUAR: Double, learningRate: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationUAR = validationUAR
        self.learningRate = learningRate
    }
}

/// Everything one finished fold leaves behind.
public struct FoldResult: Sendable {
    public var plan: FoldPlan
    public var metrics: ClassificationMetrics
    public var epochKept: Int
    public var curve: [TrainingEpoch]
    public var predictions: [PredictionRow]
    public var testSpeakers: [String]
    /// Wall-clock seconds of training and prediction (goes to timings.json only).
    public var seconds: Double
    /// Multi-corpus runs only: the corpora of the training and validation part, and of the test part, in corpus order.
    public var trainCorpora: [String]? = nil
    public var testCorpora: [String]? = nil
    /// What model selection chose on the validation part (`TrainedFold.modelSelection`), nil for networks.
    public var modelSelection: OrderedObject<Double>? = nil
}
