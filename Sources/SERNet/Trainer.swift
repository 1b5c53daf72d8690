import SERCore

/// Runs epochs of shuffled mini-batches with early stopping on validation UAR.
public struct Trainer {
    public let model: Model

    public init(model: Model) { self.model = model }

    /// Trains `model` on `train`; evaluates on `validation` after each epoch. Shuffling draws from
    /// `SeededGenerator(seed: options.seed, stream: "shuffle")`. Sets OpenBLAS to `options.threads`.
    /// The model ends holding the best epoch's weights (and running statistics).
    /// `scheduleEpochs`: the epochs the learning-rate schedule spans (cosine), when it differs from the
    /// `options.epochs` trained: a model retrained for the k epochs a longer run kept follows the
    /// rates that run had in its first k epochs. Default: `options.epochs`.
    public func fit(train: SequenceDataset, validation: SequenceDataset?, options: TrainingOptions, scheduleEpochs: Int? = nil,
                    progress: ((EpochRecord) -> Void)? = nil) throws -> TrainingResult {
        try options.validate()
        precondition(train.featureCount == model.inputSize, "training data has \(train.featureCount) features, model takes \(model.inputSize)")
        precondition(train.count > 0, "empty training set")
        if let validation { precondition(validation.featureCount == model.inputSize, "validation has \(validation.featureCount) features") }
        for label in train.labels + (validation?.labels ?? []) {
            precondition(label >= 0 && label < model.classCount, "label \(label) outside 0..<\(model.classCount)")
        }
        BLAS.setThreads(options.threads)
        model.threads = options.threads
        model.optimizer = Optimizer(kind: options.optimizer, weightDecay: options.weightDecay, momentum: options.momentum)
        model.loss = CrossEntropyLoss(classWeights: options.classWeighting == .balanced ? balancedWeights(train.labels) : nil,
                                      labelSmoothing: options.labelSmoothing)
        model.clipNorm = options.clipNorm
        var scheduler = LearningRateScheduler(schedule: options.schedule, baseLearningRate: options.learningRate,
                                              epochs: scheduleEpochs ?? options.epochs)
        var shuffle = SeededGenerator(seed: options.seed, stream: "shuffle")
        var order = Array(0..<train.count)
        var curve: [EpochRecord] = []
        var best: (epoch: Int, uar: Double, loss: Double, weights: [[Float]])?
        var stoppedEarly = false

        for epoch in 0..<options.epochs {
            let rate = scheduler.rate(epoch: epoch)
            model.learningRate = rate
            fisherYates(&order, generator: &shuffle)
            var lossSum: Double = 0
            var start = 0
            while start < order.count {
                let indices = Array(order[start..<min(start + options.batchSize, order.count)])
                let (batch, lengths) = train.batch(indices)
                lossSum += Double(model.trainStep(batch: batch, labels: indices.map { train.labels[$0] }, lengths: lengths)) * Double(indices.count)
                start += options.batchSize
            }
            var record = EpochRecord(epoch: epoch + 1, trainLoss: lossSum / Double(train.count), learningRate: Double(rate))
            if let validation {
                let evaluation = evaluate(validation, batchSize: max(options.batchSize, 64))
                record.validationLoss = evaluation.loss
                record.validationUAR = evaluation.uar
                record.validationAccuracy = evaluation.accuracy
                scheduler.observe(validationUAR: evaluation.uar)
                if Trainer.improves(uar: evaluation.uar, loss: evaluation.loss, over: best.map { ($0.uar, $0.loss) }) {
                    best = (epoch + 1, evaluation.uar, evaluation.loss, model.parameters.map(\.value))
                }
            }
            curve.append(record)
            progress?(record)
            if let patience = options.patience, let best, validation != nil, epoch + 1 - best.epoch >= patience {
                stoppedEarly = epoch + 1 < options.epochs
                break
            }
        }
        if let best {
            for (parameter, values) in zip(model.parameters, best.weights) { parameter.value = values }
        }
        return TrainingResult(curve: curve, bestEpoch: best?.epoch ?? curve.count, bestValidationUAR: best?.uar, stoppedEarly: stoppedEarly)
    }

    /// Model selection: a higher validation UAR wins; an equal UAR wins with a lower validation loss.
    /// Small validation parts reach their top UAR within a few epochs (TESS: 100% at epoch 2-9), and
    /// keeping the first such epoch kept undertrained models; the loss still separates them.
    static func improves(uar: Double, loss: Double, over best: (uar: Double, loss: Double)?) -> Bool {
        guard let best else { return true }
        return uar > best.uar || (uar == best.uar && loss < best.loss)
    }

    /// Plain cross-entropy, UAR and accuracy of the model on `data` in inference mode.
    public func evaluate(_ data: SequenceDataset, batchSize: Int = 64) -> (loss: Double, uar: Double, accuracy: Double) {
        let probabilities = model.predictProbabilities(data, batchSize: batchSize)
        var loss: Double = 0
        var predictions: [Int] = []
        for (row, label) in zip(probabilities, data.labels) {
            loss -= _log(Double(max(row[label], 1e-12)))
            predictions.append(row.indices.max { row[$0] < row[$1] }!)
        }
        let accuracy = Double(zip(predictions, data.labels).filter { $0 == $1 }.count) / Double(max(1, data.count))
        return (loss / Double(max(1, data.count)), unweightedAverageRecall(predictions: predictions, labels: data.labels, classCount: model.classCount), accuracy)
    }

    private func balancedWeights(_ labels: [Int]) -> [Float] {
        var counts = [Int](repeating: 0, count: model.classCount)
        for label in labels { counts[label] += 1 }
        return counts.map { $0 == 0 ? 0 : Float(labels.count) / Float(model.classCount * $0) }
    }
}

extension Model {
    /// Probabilities for every item of `data`, batched, in inference mode; rows in data order.
    public func predictProbabilities(_ data: SequenceDataset, batchSize: Int = 64) -> [[Float]] {
        var rows: [[Float]] = []
        var start = 0
        while start < data.count {
            let indices = Array(start..<min(start + batchSize, data.count))
            let (batch, lengths) = data.batch(indices)
            let p = predictProbabilities(batch: batch, lengths: lengths)
            for n in 0..<indices.count { rows.append(Array(p.scalars[(n * classCount)..<((n + 1) * classCount)])) }
            start += batchSize
        }
        return rows
    }
}

/// Mean of per-class recalls over the classes present in `labels`.
public func unweightedAverageRecall(predictions: [Int], labels: [Int], classCount: Int) -> Double {
    var hits = [Int](repeating: 0, count: classCount), totals = [Int](repeating: 0, count: classCount)
    for (prediction, label) in zip(predictions, labels) {
        totals[label] += 1
        if prediction == label { hits[label] += 1 }
    }
    let present = (0..<classCount).filter { totals[$0] > 0 }
    guard !present.isEmpty else { return 0 }
    return present.reduce(0.0) { $0 + Double(hits[$1]) / Double(totals[$1]) } / Double(present.count)
}

/// Fisher-Yates with our own generator (stable across Swift versions, unlike `shuffle(using:)`).
func fisherYates(_ array: inout [Int], generator: inout SeededGenerator) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
        let j = Int(generator.next() % UInt64(i + 1))
        array.swapAt(i, j)
    }
}
