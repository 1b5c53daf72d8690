import Foundation
import SERCore
import SERFeatures

/// A deliberately weakened run: the accuracy gate's controls (`scripts/regression --ci`). Each must FAIL
/// `serlab check` against its config's baseline, which shows that the gate sees that kind of damage.
///
/// Test-only and never reachable by accident: only `serlab run` reads it, from the environment variable
/// `SERLAB_GATE_CONTROL` (no config key sets it); the run says so on the console, config.resolved.json and
/// metrics.json carry `"gateControl": "<case>"`, and `serlab check --update` refuses such a run as a baseline.
public enum GateControl: String, Sendable, CaseIterable {
    /// `training.epochs` = 1: an undertrained model.
    case oneEpoch
    /// The training part's labels permuted (validation and test keep theirs): a model that learns nothing.
    case shuffledTrainingLabels
    /// MFCC (and log-mel) from the mel power without `power_to_db` (`FeatureSpec.ControlFault.mfccWithoutLog`):
    /// a feature bug. Cached under its own spec hash, so no normal run ever reads these features.
    case mfccWithoutLog

    public static let environmentVariable = "SERLAB_GATE_CONTROL"

    /// The control `SERLAB_GATE_CONTROL` names; nil when unset or empty.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GateControl? {
        guard let text = environment[environmentVariable], !text.isEmpty else { return nil }
        guard let control = GateControl(rawValue: text) else {
            throw ConfigError.wrongValue(source: "environment", path: environmentVariable,
                                         expected: "one of " + allCases.map(\.rawValue).joined(separator: ", "), found: "'\(text)'")
        }
        return control
    }

    /// The config the weakened run trains: one epoch, or the feature bug in the feature spec.
    public func weaken(_ config: ExperimentConfig) -> ExperimentConfig {
        var weakened = config
        switch self {
        case .oneEpoch: weakened.training.epochs = 1
        case .shuffledTrainingLabels: break
        case .mfccWithoutLog: weakened.features.controlFault = .mfccWithoutLog
        }
        return weakened
    }

    /// Throws when `config` has nothing this control could weaken (no MFCC or log-mel for `mfccWithoutLog`).
    public func checkApplies(to config: ExperimentConfig) throws {
        if self == .mfccWithoutLog && Set(config.features.features).isDisjoint(with: [.mfcc, .deltaMFCC, .deltaDeltaMFCC, .logMel]) {
            throw ConfigError.wrongValue(source: "environment", path: Self.environmentVariable,
                                         expected: "a control that weakens this config (mfccWithoutLog needs MFCC or log-mel in features.features)",
                                         found: "'\(rawValue)'")
        }
    }

    /// The resolved config JSON with `"gateControl"` added (and the weakened values), so the run folder says what was done.
    public func mark(_ resolved: JSONValue, weakened: ExperimentConfig) -> JSONValue {
        var marked = resolved
        marked.set("gateControl", .string(rawValue))
        if self == .oneEpoch, var training = resolved["training"], training.objectPairs != nil {
            training.set("epochs", .integer(weakened.training.epochs))
            marked.set("training", training)
        }
        return marked
    }

    /// `shuffledTrainingLabels`: the training labels permuted by a stream of the fold's seed; otherwise unchanged.
    func trainingSet(_ set: LabeledFeatures, seed: Int, stream: String) -> LabeledFeatures {
        guard self == .shuffledTrainingLabels else { return set }
        var generator = SeededGenerator(seed: UInt64(seed), stream: "gate-control-labels").derived(stream)
        var shuffled = set
        shuffled.labels.shuffle(using: &generator)
        return shuffled
    }
}
