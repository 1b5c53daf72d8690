import SERCore

/// Per-feature input standardisation x' = (x - mean) / standardDeviation, stored in checkpoints.
public struct InputNormalization: Codable, Sendable, Equatable {
    public var mean: [Float]
    public var standardDeviation: [Float]

    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count, "normalisation sizes differ: \(mean.count) vs \(standardDeviation.count)")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Mean and standard deviation over every frame of every sequence (Double accumulation); deviations
    /// below 1e-5 become 1 so constant features pass through centred.
    public static func fit(_ data: SequenceDataset) -> InputNormalization {
        let F = data.featureCount
        var sum = [Double](repeating: 0, count: F), squares = [Double](repeating: 0, count: F)
        var frames = 0
        for sequence in data.sequences {
            let count = sequence.count / F
            frames += count
            for t in 0..<count { for f in 0..<F { let v = Double(sequence[t * F + f]); sum[f] += v; squares[f] += v * v } }
        }
        let m = Double(max(frames, 1))
        var mean = [Float](repeating: 0, count: F), deviation = [Float](repeating: 1, count: F)
        for f in 0..<F {
            let mu = sum[f] / m
            let sd = max(0, squares[f] / m - mu * mu).squareRoot()
            mean[f] = Float(mu)
            deviation[f] = sd < 1e-5 ? 1 : Float(sd)
        }
        return InputNormalization(mean: mean, standardDeviation: deviation)
    }
}

/// A network built from a `ModelSpec`, with its optimizer state and training settings.
///
/// Inputs: `[N, T, F]` sequences with per-sequence `lengths` (frames t >= lengths[n] are padding and never
/// influence outputs or gradients), or `[N, F]` vectors (MLP). Randomness: initialisation draws from
/// `SeededGenerator(seed: seed, stream: "initialization")`, dropout from stream "dropout".
public final class Model {
    public let spec: ModelSpec
    public let inputSize: Int
    public let classCount: Int
    public let seed: UInt64
    /// Class names in label-index order (saved in checkpoints); defaults to "0", "1", ...
    public var labels: [String]
    /// Applied to every input before the first layer when set.
    public var inputNormalization: InputNormalization? {
        didSet {
            if let inputNormalization { precondition(inputNormalization.mean.count == inputSize, "normalisation for \(inputNormalization.mean.count) features, model takes \(inputSize)") }
        }
    }
    /// Task-level parallelism inside layers; 1 gives bit-reproducible results.
    public var threads: Int = 1
    public var optimizer: Optimizer
    public var loss: CrossEntropyLoss
    public var learningRate: Float = 1e-3
    /// Global gradient-norm clipping before each step; nil = off.
    public var clipNorm: Float? = nil

    let layers: [Layer]
    /// Index of the first layer with trainable parameters (where `backward` stops).
    private let firstTrainableLayer: Int
    private var dropoutGenerator: SeededGenerator

    /// Builds the network; throws `ModelSpecError` for a bad spec.
    public init(spec: ModelSpec, inputSize: Int, classCount: Int, seed: UInt64) throws {
        try spec.validate()
        guard inputSize >= 1 else { throw ModelSpecError(path: "inputSize", expected: ">= 1", found: "\(inputSize)") }
        guard classCount >= 2 else { throw ModelSpecError(path: "classCount", expected: ">= 2", found: "\(classCount)") }
        self.spec = spec
        self.inputSize = inputSize
        self.classCount = classCount
        self.seed = seed
        self.labels = (0..<classCount).map { "\($0)" }
        self.optimizer = Optimizer(kind: .adam)
        self.loss = CrossEntropyLoss()
        var generator = SeededGenerator(seed: seed, stream: "initialization")
        self.dropoutGenerator = SeededGenerator(seed: seed, stream: "dropout")
        self.layers = Model.build(spec: spec, inputSize: inputSize, classCount: classCount, generator: &generator)
        self.firstTrainableLayer = layers.firstIndex { $0.parameters.contains(where: \.isTrainable) } ?? layers.count
        let names = layers.flatMap(\.parameters).map(\.name)
        precondition(Set(names).count == names.count, "parameter names must be unique (checkpoints key on them): \(names)")
    }

    /// Every parameter and running statistic, in a fixed order (checkpoints rely on it).
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Trainable scalars.
    public var parameterCount: Int { parameters.filter(\.isTrainable).reduce(0) { $0 + $1.value.count } }

    /// Logits `[N, classCount]`.
    public func forward(batch: Tensor, lengths: [Int]?, training: Bool) -> Tensor {
        var context = ForwardContext(training: training, dropoutGenerator: dropoutGenerator, threads: threads)
        var activations = prepare(batch: batch, lengths: lengths)
        for layer in layers { activations = layer.forward(activations, context: &context) }
        if training { dropoutGenerator = context.dropoutGenerator }
        return activations.values
    }

    /// Backpropagates dLoss/dLogits through every layer, accumulating parameter gradients.
    /// Layers before the first trainable one have nothing to learn, and the input gradient of that one is
    /// not needed: backpropagation stops there.
    public func backward(_ logitsGradient: Tensor) {
        var gradient = logitsGradient
        for index in layers.indices.reversed() where index >= firstTrainableLayer {
            if index == firstTrainableLayer {
                layers[index].backwardParametersOnly(gradient)
            } else {
                gradient = layers[index].backward(gradient)
            }
        }
    }

    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// One optimisation step on one batch (forward in training mode, loss, backward, clipping, update);
    /// returns the batch loss before the update.
    @discardableResult
    public func trainStep(batch: Tensor, labels: [Int], lengths: [Int]?) -> Float {
        zeroGradients()
        let logits = forward(batch: batch, lengths: lengths, training: true)
        let (value, gradient) = loss.evaluate(logits: logits, labels: labels)
        backward(gradient)
        let parameters = self.parameters
        if let clipNorm { clipGradientNorm(parameters, maximumNorm: clipNorm) }
        optimizer.step(parameters, learningRate: learningRate)
        return value
    }

    /// Class probabilities `[N, classCount]` in inference mode (no dropout, BatchNorm running statistics).
    public func predictProbabilities(batch: Tensor, lengths: [Int]?) -> Tensor {
        softmaxRows(forward(batch: batch, lengths: lengths, training: false))
    }

    /// Checks shapes (programmer errors), standardises, zeroes padded frames, reshapes for the first layer.
    private func prepare(batch: Tensor, lengths: [Int]?) -> Activations {
        precondition(batch.rank == 2 || batch.rank == 3, "model input must be [N, F] or [N, T, F], got \(batch.shape)")
        precondition(batch.shape.last == inputSize, "model built for \(inputSize) input features, got batch \(batch.shape)")
        let N = batch.shape[0]
        let T = batch.rank == 3 ? batch.shape[1] : 1
        if let lengths {
            precondition(lengths.count == N, "\(lengths.count) lengths for a batch of \(N)")
            precondition(batch.rank == 3, "lengths given for a [N, F] batch")
            precondition(lengths.allSatisfy { $0 >= 1 && $0 <= T }, "lengths must be in 1...\(T), got \(lengths)")
        }
        if case .mlp = spec {} else {
            precondition(batch.rank == 3, "\(spec.typeName) models take [N, T, F] sequences, got \(batch.shape)")
        }
        var x = batch
        let F = inputSize
        x.scalars.withUnsafeMutableBufferPointer { xb in
            for n in 0..<N {
                let valid = lengths?[n] ?? T
                for t in 0..<T {
                    let row = xb.baseAddress! + (n * T + t) * F
                    if t >= valid {
                        row.update(repeating: 0, count: F)
                    } else if let inputNormalization {
                        for f in 0..<F { row[f] = (row[f] - inputNormalization.mean[f]) / inputNormalization.standardDeviation[f] }
                    }
                }
            }
        }
        if case .cnn(let cnn) = spec, cnn.dimensions == 2 {
            x = x.reshaped([N, T, F, 1])
        }
        return Activations(values: x, lengths: batch.rank == 3 ? (lengths ?? [Int](repeating: T, count: N)) : nil)
    }
}

extension Model {
    static func build(spec: ModelSpec, inputSize: Int, classCount: Int, generator: inout SeededGenerator) -> [Layer] {
        var layers: [Layer] = []
        switch spec {
        case .mlp(let mlp):
            layers.append(SequenceMeanIfNeeded())
            var width = inputSize
            for (index, hidden) in mlp.hiddenSizes.enumerated() {
                layers.append(Dense(inputSize: width, outputSize: hidden, generator: &generator, name: "hidden\(index)"))
                appendNormalization(mlp.normalization, channels: hidden, name: "hidden\(index)", to: &layers)
                layers.append(ActivationLayer(mlp.activation))
                if mlp.dropout > 0 { layers.append(Dropout(rate: mlp.dropout)) }
                width = hidden
            }
            layers.append(Dense(inputSize: width, outputSize: classCount, generator: &generator, name: "classifier"))
        case .cnn(let cnn):
            let width = appendConvolutionBlocks(cnn, inputSize: inputSize, to: &layers, generator: &generator, name: "block")
            layers.append(GlobalAveragePooling())
            if cnn.dropout > 0 { layers.append(Dropout(rate: cnn.dropout)) }
            layers.append(Dense(inputSize: width, outputSize: classCount, generator: &generator, name: "classifier"))
        case .lstm(let lstm):
            var width = inputSize
            if let frontEnd = lstm.frontEnd {
                width = appendConvolutionBlocks(frontEnd, inputSize: inputSize, to: &layers, generator: &generator, name: "frontEnd")
            }
            for index in 0..<lstm.layerCount {
                if index > 0 && lstm.dropout > 0 { layers.append(Dropout(rate: lstm.dropout)) }
                let layer = LSTMLayer(inputSize: width, hiddenSize: lstm.hiddenSize, bidirectional: lstm.bidirectional,
                                      generator: &generator, name: "lstm\(index)")
                layers.append(layer)
                width = layer.outputSize
            }
            switch lstm.pooling {
            case .last: layers.append(LastStepPooling(splitBidirectional: lstm.bidirectional))
            case .mean: layers.append(GlobalAveragePooling())
            case .attention:
                layers.append(AttentionPooling(inputSize: width, attentionSize: lstm.attentionSize, generator: &generator))
            }
            if lstm.dropout > 0 { layers.append(Dropout(rate: lstm.dropout)) }
            layers.append(Dense(inputSize: width, outputSize: classCount, generator: &generator, name: "classifier"))
        }
        return layers
    }

    /// Conv blocks (conv, normalisation, activation, max pool); returns the output channel count.
    private static func appendConvolutionBlocks(_ cnn: CNNSpec, inputSize: Int, to layers: inout [Layer],
                                                generator: inout SeededGenerator, name: String) -> Int {
        var channels = cnn.dimensions == 2 ? 1 : inputSize
        for (index, outputChannels) in cnn.channels.enumerated() {
            let blockName = "\(name)\(index)"
            if cnn.dimensions == 2 {
                layers.append(Conv2D(inputChannels: channels, outputChannels: outputChannels, kernelTime: cnn.kernelSize,
                                     kernelFrequency: cnn.kernelSize, generator: &generator, name: "\(blockName).conv"))
            } else {
                layers.append(Conv1D(inputChannels: channels, outputChannels: outputChannels, kernelSize: cnn.kernelSize,
                                     generator: &generator, name: "\(blockName).conv"))
            }
            appendNormalization(cnn.normalization, channels: outputChannels, name: blockName, to: &layers)
            layers.append(ActivationLayer(cnn.activation))
            if cnn.poolSize > 1 {
                layers.append(MaxPooling(poolTime: cnn.poolSize, poolFrequency: cnn.dimensions == 2 ? cnn.poolSize : 1))
            }
            channels = outputChannels
        }
        return channels
    }

    private static func appendNormalization(_ kind: NormalizationKind, channels: Int, name: String, to layers: inout [Layer]) {
        switch kind {
        case .none: break
        case .batch: layers.append(BatchNorm(channels: channels, name: "\(name).batchNorm"))
        case .layer: layers.append(LayerNorm(size: channels, name: "\(name).layerNorm"))
        }
    }
}

/// For the MLP: `[N, T, F]` sequences become their masked mean over frames; `[N, F]` passes through.
final class SequenceMeanIfNeeded: Layer {
    private let pooling = GlobalAveragePooling()
    private var pooled = false

    func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        pooled = input.values.rank == 3
        return pooled ? pooling.forward(input, context: &context) : input
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        pooled ? pooling.backward(outputGradient) : outputGradient
    }
}
