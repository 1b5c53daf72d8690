/// How the learning rate changes from epoch to epoch. JSON: `{"kind": "cosine", "minimumLearningRate": 1e-5}`;
/// absent keys take the defaults below.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The base rate throughout.
        case constant
        /// base * gamma^(floor(epoch / stepSize)).
        case step
        /// min + (base - min) (1 + cos(pi epoch / epochs)) / 2.
        case cosine
        /// Multiply by `factor` when validation UAR has not improved for `plateauPatience` epochs.
        case reduceOnPlateau
    }

    public var kind: Kind = .constant
    /// Epochs between decays (step).
    public var stepSize: Int = 10
    /// Decay factor per step (step).
    public var gamma: Float = 0.5
    /// Floor of the rate (cosine, reduceOnPlateau).
    public var minimumLearningRate: Float = 1e-6
    /// Decay factor on a plateau (reduceOnPlateau).
    public var factor: Float = 0.5
    /// Epochs without improvement before a decay (reduceOnPlateau).
    public var plateauPatience: Int = 3

    public init(kind: Kind = .constant) { self.kind = kind }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, stepSize, gamma, minimumLearningRate, factor, plateauPatience
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "LearningRateSchedule")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.value(.kind, default: kind)
        stepSize = try c.value(.stepSize, default: stepSize)
        gamma = try c.value(.gamma, default: gamma)
        minimumLearningRate = try c.value(.minimumLearningRate, default: minimumLearningRate)
        factor = try c.value(.factor, default: factor)
        plateauPatience = try c.value(.plateauPatience, default: plateauPatience)
    }
}

/// The running state of a schedule during one training.
struct LearningRateScheduler {
    let schedule: LearningRateSchedule
    let baseLearningRate: Float
    let epochs: Int
    private(set) var plateauRate: Float
    private var best = -Double.infinity
    private var epochsWithoutImprovement = 0

    init(schedule: LearningRateSchedule, baseLearningRate: Float, epochs: Int) {
        self.schedule = schedule
        self.baseLearningRate = baseLearningRate
        self.epochs = epochs
        plateauRate = baseLearningRate
    }

    /// The rate for epoch `epoch` (0-based).
    func rate(epoch: Int) -> Float {
        switch schedule.kind {
        case .constant: return baseLearningRate
        case .step: return baseLearningRate * pow(schedule.gamma, Float(epoch / max(1, schedule.stepSize)))
        case .cosine:
            let progress = Double(epoch) / Double(max(1, epochs))
            let minimum = schedule.minimumLearningRate
            return minimum + (baseLearningRate - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
        case .reduceOnPlateau: return plateauRate
        }
    }

    /// Reports the validation UAR of the finished epoch (drives reduceOnPlateau).
    mutating func observe(validationUAR: Double) {
        guard schedule.kind == .reduceOnPlateau else { return }
        if validationUAR > best + 1e-9 {
            best = validationUAR
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
            if epochsWithoutImprovement >= schedule.plateauPatience {
                plateauRate = max(schedule.minimumLearningRate, plateauRate * schedule.factor)
                epochsWithoutImprovement = 0
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
