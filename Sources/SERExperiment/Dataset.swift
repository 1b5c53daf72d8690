import Foundation
import SERCorpus

/// The utterances of an experiment after the label policy, with the label order every result uses.
public struct LoadedDataset: Sendable {
    /// `"tess"`, `"synthetic"`, a manifest's name, ...
    public var corpusName: String
    public var root: URL
    public var items: [ExperimentItem]
    public var labels: [String]
    public var synthetic: Bool
    /// A multi-corpus dataset's corpora in config order (`corpusName` is then their names joined by "+",
    /// `root` the folder holding them all); empty for a single corpus.
    public var parts: [DatasetPart]

    public init(corpusName: String, root: URL, items: [ExperimentItem], labels: [String], synthetic: Bool, parts: [DatasetPart] = []) {
        self.corpusName = corpusName
        self.root = root
        self.items = items
        self.labels = labels
        self.synthetic = synthetic
        self.parts = parts
    }

    /// The corpus names of a multi-corpus dataset, in config order (nil for a single corpus).
    public var corpusNames: [String]? { parts.isEmpty ? nil : parts.map(\.name) }
}

/// Reads the dataset section into utterances.
public protocol DatasetSource: Sendable {
    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset
}

public enum DatasetError: LocalizedError, Equatable {
    case empty(reason: String)
    /// A multi-corpus key that does not fit the corpora as read (`path` is the JSON path).
    case corpus(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .empty(reason):
            return "dataset: no utterances left: \(reason)"
        case let .corpus(path, reason):
            return "\(path): \(reason)"
        }
    }
}

extension DatasetConfig {
    /// `labels` (kept, in this order; all when empty) and `merge` as SERCorpus's label policy, the one
    /// every corpus goes through, the synthetic one included.
    public var labelPolicy: LabelPolicy { LabelPolicy(keep: labels.isEmpty ? nil : labels, merge: merge) }
}

extension LabelPolicy {
    /// `items` relabelled and filtered by the policy, and the label order (`apply(to: Corpus)` for item lists).
    func apply(to items: [ExperimentItem]) throws -> (items: [ExperimentItem], labels: [String]) {
        let mapping = try resolve(present: Set(items.map(\.label)))
        let kept = items.compactMap { item -> ExperimentItem? in
            guard let label = mapping.label(for: item.label) else { return nil }
            var copy = item
            copy.label = label
            return copy
        }
        guard !kept.isEmpty else { throw DatasetError.empty(reason: "no utterance has one of the labels \(mapping.labels)") }
        return (kept, mapping.labels)
    }
}

/// The synthetic corpus, through the same label policy as real corpora.
public struct SyntheticDatasetSource: DatasetSource {
    public init() {}

    public func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
        let (root, items) = try SyntheticCorpus.generate(dataset.synthetic, in: cacheDirectory)
        let (kept, labels) = try dataset.labelPolicy.apply(to: items)
        return LoadedDataset(corpusName: "synthetic", root: root, items: kept, labels: labels, synthetic: true)
    }
}
