/// How to weight classes in the training loss. JSON: "none", "balanced".
public enum ClassWeighting: String, Codable, Sendable, CaseIterable {
    case none
    /// w_k = N / (K * count_k) over the training labels (scikit-learn's "balanced"); absent classes get 0.
    case balanced
}

/// Training settings. Every default is here; JSON keys are the property names; unknown keys are an error.
public struct TrainingOptions: Codable, Sendable, Equatable {
    /// Maximum number of passes over the training set.
    public var epochs: Int = 30
    public var batchSize: Int = 32
    public var optimizer: OptimizerKind = .adam
    /// SGD momentum.
    public var momentum: Float = 0.9
    public var learningRate: Float = 1e-3
    /// L2 (sgd, adam) or decoupled (adamW) weight decay.
    public var weightDecay: Float = 0
    public var schedule: LearningRateSchedule = LearningRateSchedule()
    /// Global gradient-norm clip; nil = off.
    public var clipNorm: Float? = 5
    /// Stop after this many epochs without a better validation UAR; nil = never stop early.
    public var patience: Int? = 10
    public var classWeighting: ClassWeighting = .none
    public var labelSmoothing: Float = 0
    /// Threads for OpenBLAS and task-level parallelism; 1 = bit-reproducible.
    public var threads: Int = 2
    /// Seed of the shuffling stream (initialisation and dropout come from the model's seed).
    public var seed: UInt64 = 0
    /// Networks trained per fold, each from its own initialisation, shuffling and dropout streams; their
    /// class probabilities are averaged (a seed ensemble). 1 = one network. The trainer itself trains one.
    public var ensemble: Int = 1

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case epochs, batchSize, optimizer, momentum, learningRate, weightDecay, schedule, clipNorm, patience
        case classWeighting, labelSmoothing, threads, seed, ensemble
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "TrainingOptions")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.value(.epochs, default: epochs)
        batchSize = try c.value(.batchSize, default: batchSize)
        optimizer = try c.value(.optimizer, default: optimizer)
        momentum = try c.value(.momentum, default: momentum)
        learningRate = try c.value(.learningRate, default: learningRate)
        weightDecay = try c.value(.weightDecay, default: weightDecay)
        schedule = try c.value(.schedule, default: schedule)
        if c.contains(.clipNorm) { clipNorm = try c.decodeIfPresent(Float.self, forKey: .clipNorm) }
        if c.contains(.patience) { patience = try c.decodeIfPresent(Int.self, forKey: .patience) }
        classWeighting = try c.value(.classWeighting, default: classWeighting)
        labelSmoothing = try c.value(.labelSmoothing, default: labelSmoothing)
        threads = try c.value(.threads, default: threads)
        seed = try c.value(.seed, default: seed)
        ensemble = try c.value(.ensemble, default: ensemble)
        try validate()
    }

    /// Throws `ModelSpecError` naming the field when a value is out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ expected: String, _ found: Any) throws {
            if !ok { throw ModelSpecError(path: "training.\(field)", expected: expected, found: "\(found)") }
        }
        try check(epochs >= 1, "epochs", ">= 1", epochs)
        try check(batchSize >= 1, "batchSize", ">= 1", batchSize)
        try check(learningRate > 0 && learningRate.isFinite, "learningRate", "> 0", learningRate)
        try check(weightDecay >= 0, "weightDecay", ">= 0", weightDecay)
        try check(momentum >= 0 && momentum < 1, "momentum", "in [0, 1)", momentum)
        try check(clipNorm.map { $0 > 0 } ?? true, "clipNorm", "> 0 or null", clipNorm.map { "\($0)" } ?? "null")
        try check(patience.map { $0 >= 1 } ?? true, "patience", ">= 1 or null", patience.map { "\($0)" } ?? "null")
        try check(labelSmoothing >= 0 && labelSmoothing < 1, "labelSmoothing", "in [0, 1)", labelSmoothing)
        try check(threads >= 1, "threads", ">= 1", threads)
        try check(ensemble >= 1 && ensemble <= 100, "ensemble", "in 1...100", ensemble)
    }
}

/// One epoch of the training curve. Validation fields are nil without a validation set.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    /// Mean training loss over the epoch's batches (with class weights and smoothing, dropout on).
    public var trainLoss: Double
    /// Plain cross-entropy on the validation set in inference mode.
    public var validationLoss: Double?
    public var validationUAR: Double?
    public var validationAccuracy: Double?
    public var learningRate: Double
}

/// What `Trainer.fit` returns; the model keeps the weights of `bestEpoch`.
public struct TrainingResult: Codable, Sendable, Equatable {
    public var curve: [EpochRecord]
    /// 1-based epoch whose weights the model holds (best validation UAR, earliest on ties; the last
    /// epoch without validation).
    public var bestEpoch: Int
    public var bestValidationUAR: Double?
    public var stoppedEarly: Bool
}
