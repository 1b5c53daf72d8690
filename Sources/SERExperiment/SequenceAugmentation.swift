import Foundation
import SERCore
import SERFeatures

/// `augmentation`: SpecAugment-style masking of training sequences (Park et al. 2019), training part only.
///
/// Each training sequence gets `copies` extra masked copies (the original stays); each copy zeroes
/// `timeMasks` runs of 0...`timeMaskWidth` consecutive frames and `featureMasks` runs of
/// 0...`featureMaskWidth` consecutive columns. Masking happens after normalisation, so 0 is the
/// training mean. Validation and test data are never touched. Off when `copies` is 0.
public struct AugmentationConfig: Codable, Sendable, Equatable {
    public var copies: Int
    public var timeMasks: Int
    public var timeMaskWidth: Int
    public var featureMasks: Int
    public var featureMaskWidth: Int

    public init(copies: Int = 0, timeMasks: Int = 2, timeMaskWidth: Int = 20, featureMasks: Int = 2, featureMaskWidth: Int = 8) {
        self.copies = copies
        self.timeMasks = timeMasks
        self.timeMaskWidth = timeMaskWidth
        self.featureMasks = featureMasks
        self.featureMaskWidth = featureMaskWidth
    }

    public var isActive: Bool { copies > 0 && (timeMasks > 0 && timeMaskWidth > 0 || featureMasks > 0 && featureMaskWidth > 0) }

    /// The training set plus `copies` masked copies of each sequence (originals first, then copy 1 of
    /// each, ...). Draws from `SeededGenerator(seed:stream:"augment")` derived per fold: same seed, same copies.
    public func augment(_ set: LabeledFeatures, seed: Int, foldIndex: Int) -> LabeledFeatures {
        augment(set, seed: seed, stream: "fold-\(foldIndex)")
    }

    /// `augment` with the generator derived by `stream` (a fold's is `"fold-<index>"`).
    public func augment(_ set: LabeledFeatures, seed: Int, stream: String) -> LabeledFeatures {
        guard isActive else { return set }
        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: seed), stream: "augment").derived(stream)
        var features = set.features
        var labels = set.labels
        for _ in 0..<copies {
            for (matrix, label) in zip(set.features, set.labels) {
                features.append(masked(matrix, using: &generator))
                labels.append(label)
            }
        }
        return LabeledFeatures(features: features, labels: labels)
    }

    /// One masked copy of `matrix` (frame-major `values[frame * columnCount + column]`).
    func masked(_ matrix: FeatureMatrix, using generator: inout SeededGenerator) -> FeatureMatrix {
        var copy = matrix
        let frames = matrix.frameCount, columns = matrix.columnCount
        guard frames > 0, columns > 0 else { return copy }
        copy.values.withUnsafeMutableBufferPointer { values in
            for _ in 0..<timeMasks where timeMaskWidth > 0 {
                let width = min(frames, Int.random(in: 0...timeMaskWidth, using: &generator))
                let start = Int.random(in: 0...(frames - width), using: &generator)
                for frame in start..<(start + width) { for column in 0..<columns { values[frame * columns + column] = 0 } }
            }
            for _ in 0..<featureMasks where featureMaskWidth > 0 {
                let width = min(columns, Int.random(in: 0...featureMaskWidth, using: &generator))
                let start = Int.random(in: 0...(columns - width), using: &generator)
                for frame in 0..<frames { for column in start..<(start + width) { values[frame * columns + column] = 0 } }
            }
        }
        return copy
    }
}

/// `input.poolFrames`: averages each `k` consecutive frames of a frame-level matrix (the last group may
/// be shorter), so sequence models see `ceil(frames / k)` steps: k times less work per epoch.
public enum FramePooling {
    public static func pool(_ matrix: FeatureMatrix, frames k: Int) -> FeatureMatrix {
        precondition(k >= 1, "poolFrames must be >= 1, got \(k)")
        guard k > 1, matrix.frameCount > 1 else { return matrix }
        let columns = matrix.columnCount
        let pooledCount = (matrix.frameCount + k - 1) / k
        var out = [Float](repeating: 0, count: pooledCount * columns)
        matrix.values.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for pooled in 0..<pooledCount {
                    let start = pooled * k, end = min(matrix.frameCount, start + k)
                    let scale = 1 / Float(end - start)
                    for frame in start..<end {
                        for column in 0..<columns { output[pooled * columns + column] += input[frame * columns + column] }
                    }
                    for column in 0..<columns { output[pooled * columns + column] *= scale }
                }
            }
        }
        return FeatureMatrix(frameCount: pooledCount, columnNames: matrix.columnNames, values: out)
    }
}

/// `input.maxFrames`: keeps the first `limit` frames of a frame-level matrix, as fixed-length recipes do
/// (they cut every utterance to, say, 300 frames); shorter matrices are left as they are, never padded.
public enum FrameCropping {
    public static func crop(_ matrix: FeatureMatrix, toFirst limit: Int) -> FeatureMatrix {
        precondition(limit >= 1, "maxFrames must be >= 1, got \(limit)")
        guard matrix.frameCount > limit else { return matrix }
        return FeatureMatrix(frameCount: limit, columnNames: matrix.columnNames,
                             values: Array(matrix.values[0..<(limit * matrix.columnCount)]))
    }
}

/// `input`: how frame-level features are shaped before the model.
public struct InputConfig: Codable, Sendable, Equatable {
    /// Keep only the first this many frames of each utterance (before pooling); nil = whole utterances.
    public var maxFrames: Int?
    /// Average each this many consecutive frames (1 = off).
    public var poolFrames: Int

    public init(maxFrames: Int? = nil, poolFrames: Int = 1) {
        self.maxFrames = maxFrames
        self.poolFrames = poolFrames
    }

    /// One utterance as the model sees it: cut to `maxFrames`, then pooled by `poolFrames`.
    public func shape(_ matrix: FeatureMatrix) -> FeatureMatrix {
        let cut = maxFrames.map { FrameCropping.crop(matrix, toFirst: $0) } ?? matrix
        return FramePooling.pool(cut, frames: poolFrames)
    }
}
