import Foundation
import SERCore
import SERFeatures
import SERNet
@testable import SERExperiment

/// Reads the 16-bit mono WAVs the synthetic corpus writes (tests only; serlab reads audio with SERAudio).
func readTestWAV(_ url: URL) throws -> [Float] {
    let data = try Data(contentsOf: url)
    let bytes = [UInt8](data)
    precondition(bytes.count >= 44, "not a WAV: \(url.path)")
    return stride(from: 44, to: bytes.count - 1, by: 2).map { i in Float(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)) / 32767 }
}

/// Frame features simple enough to compute here: log energy, zero-crossing rate and the ratio of
/// first-difference energy to energy (a spectral-tilt proxy), frames of 512 with hop 256.
struct TestFeatureProvider: FeatureProvider {
    func features(for urls: [URL], progress: @escaping @Sendable (Int, Int) -> Void) throws -> [FeatureMatrix] {
        try urls.enumerated().map { index, url in
            let samples = try readTestWAV(url)
            var values: [Float] = []
            var frames = 0
            for start in stride(from: 0, to: samples.count - 512, by: 256) {
                let frame = samples[start..<start + 512]
                var energy: Float = 1e-9, crossings: Float = 0, difference: Float = 1e-9
                var previous = frame.first!
                for sample in frame.dropFirst() {
                    energy += sample * sample
                    difference += (sample - previous) * (sample - previous)
                    if (sample >= 0) != (previous >= 0) { crossings += 1 }
                    previous = sample
                }
                values += [log(energy), crossings / 512, log(difference / energy)]
                frames += 1
            }
            progress(index + 1, urls.count)
            return FeatureMatrix(frameCount: frames, columnNames: ["logEnergy", "zcr", "tilt"], values: values)
        }
    }
}

/// Nearest class centroid of mean and std of the frames; "epochs" shrink the centroids toward the
/// grand mean less each time, so the curve and the kept epoch are real and deterministic.
struct CentroidBackend: ModelBackend {
    /// Throws when asked to train this fold (simulates a kill mid-run).
    var failOnFold: Int? = nil

    struct Killed: Error {}

    func modelName(_ model: ModelChoice) -> String { "centroid" }

    static func pool(_ matrix: FeatureMatrix) -> [Double] {
        let columns = matrix.columnCount
        var mean = [Double](repeating: 0, count: columns), square = [Double](repeating: 0, count: columns)
        for row in 0..<matrix.frameCount {
            for column in 0..<columns {
                let value = Double(matrix.values[row * columns + column])
                mean[column] += value
                square[column] += value * value
            }
        }
        let n = Double(max(matrix.frameCount, 1))
        return mean.map { $0 / n } + zip(square, mean).map { (max($0 / n - ($1 / n) * ($1 / n), 0)).squareRoot() }
    }

    static func probabilities(_ x: [Double], centroids: [[Double]]) -> [Double] {
        let distances = centroids.map { c in zip(x, c).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        let scores = distances.map { exp(-($0 - distances.min()!)) }
        let total = scores.reduce(0, +)
        return scores.map { $0 / total }
    }

    func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
        if request.foldIndex == failOnFold { throw Killed() }
        let classCount = request.labels.count
        let pooled = request.train.features.map(CentroidBackend.pool)
        let dimension = pooled[0].count
        var sums = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: classCount)
        var counts = [Double](repeating: 0, count: classCount)
        for (x, label) in zip(pooled, request.train.labels) {
            for d in 0..<dimension { sums[label][d] += x[d] }
            counts[label] += 1
        }
        let grand = (0..<dimension).map { d in pooled.map { $0[d] }.reduce(0, +) / Double(pooled.count) }
        var curve: [TrainingEpoch] = []
        var best: (uar: Double, epoch: Int, centroids: [[Double]]) = (-1, 0, [])
        let validation = request.validation.features.map(CentroidBackend.pool)
        for epoch in 1...request.training.epochs {
            let shrink = 1.0 / Double(epoch + 1)
            let centroids = (0..<classCount).map { c in (0..<dimension).map { d in
                let mean = counts[c] > 0 ? sums[c][d] / counts[c] : grand[d]
                return mean * (1 - shrink) + grand[d] * shrink
            } }
            let predicted = validation.map { x in
                let p = CentroidBackend.probabilities(x, centroids: centroids)
                return p.indices.max { p[$0] < p[$1] }!
            }
            let uar = ClassificationMetrics(truth: request.validation.labels, predicted: predicted, labels: request.labels).uar
            let record = TrainingEpoch(epoch: epoch, trainLoss: shrink, validationLoss: 1 - uar, validationUAR: uar, learningRate: 0)
            curve.append(record)
            request.onEpoch(record)
            if uar > best.uar { best = (uar, epoch, centroids) }
        }
        let centroids = best.centroids
        return TrainedFold(curve: curve, epochKept: best.epoch, predict: { matrices in
            matrices.map { CentroidBackend.probabilities(CentroidBackend.pool($0), centroids: centroids) }
        }, saveCheckpoint: { url in
            try Data(JSONValue.array(centroids.map { .array($0.map { .number($0) }) }).compact.utf8).write(to: url)
        })
    }
}

extension ExperimentComponents {
    static func test(failOnFold: Int? = nil) -> ExperimentComponents {
        ExperimentComponents(dataset: { _ in SyntheticDatasetSource() },
                             features: { _, _, _, _ in TestFeatureProvider() },
                             backend: CentroidBackend(failOnFold: failOnFold))
    }
}
