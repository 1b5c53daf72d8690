/// Labelled variable-length sequences of feature frames, as the trainer consumes them.
/// Each sequence is `[frames, featureCount]` flattened row-major; an utterance-level vector is a
/// one-frame sequence.
public struct SequenceDataset: Sendable {
    public let featureCount: Int
    public var sequences: [[Float]]
    public var labels: [Int]

    public init(featureCount: Int, sequences: [[Float]], labels: [Int]) {
        precondition(featureCount >= 1, "featureCount must be >= 1, got \(featureCount)")
        precondition(sequences.count == labels.count, "\(sequences.count) sequences but \(labels.count) labels")
        for (index, sequence) in sequences.enumerated() {
            precondition(!sequence.isEmpty && sequence.count % featureCount == 0,
                         "sequence \(index) has \(sequence.count) values, not a positive multiple of \(featureCount)")
        }
        self.featureCount = featureCount
        self.sequences = sequences
        self.labels = labels
    }

    public var count: Int { sequences.count }

    public func frameCount(_ index: Int) -> Int { sequences[index].count / featureCount }

    /// The items at `indices` zero-padded to `[N, Tmax, F]` with their lengths; `[N, F]` and nil lengths
    /// when every item is a single frame.
    public func batch(_ indices: [Int]) -> (batch: Tensor, lengths: [Int]?) {
        let F = featureCount
        let lengths = indices.map { frameCount($0) }
        let longest = lengths.max() ?? 1
        var scalars = [Float](repeating: 0, count: indices.count * longest * F)
        scalars.withUnsafeMutableBufferPointer { out in
            for (row, index) in indices.enumerated() {
                sequences[index].withUnsafeBufferPointer { source in
                    (out.baseAddress! + row * longest * F).update(from: source.baseAddress!, count: source.count)
                }
            }
        }
        if longest == 1 { return (Tensor(shape: [indices.count, F], scalars: scalars), nil) }
        return (Tensor(shape: [indices.count, longest, F], scalars: scalars), lengths)
    }
}
