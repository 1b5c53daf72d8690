import Foundation

/// The utterances of an experiment after the label policy, with the label order every result uses.
public struct LoadedDataset: Sendable {
    /// `"tess"`, `"synthetic"`, a manifest's name, ...
    public var corpusName: String
    public var root: URL
    public var items: [ExperimentItem]
    public var labels: [String]
    public var synthetic: Bool

    public init(corpusName: String, root: URL, items: [ExperimentItem], labels: [String], synthetic: Bool) {
        self.corpusName = corpusName
        self.root = root
        self.items = items
        self.labels = labels
        self.synthetic = synthetic
    }
}

/// Reads the dataset section into utterances.
public protocol DatasetSource: Sendable {
    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset
}

public enum DatasetError: LocalizedError, Equatable {
    case unknownLabel(path: String, label: String, suggestion: String?, known: [String])
    case empty(reason: String)

    public var errorDescription: String? {
        switch self {
        case let .unknownLabel(path, label, suggestion, known):
            return "\"\(path)\": label \"\(label)\" is not in the corpus" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "")
                + " Labels: \(known.joined(separator: ", "))."
        case let .empty(reason):
            return "dataset: no utterances left: \(reason)"
        }
    }
}

/// The synthetic corpus, with the same label policy (merge, then keep) as real corpora.
public struct SyntheticDatasetSource: DatasetSource {
    public init() {}

    public func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
        let (root, items) = try SyntheticCorpus.generate(dataset.synthetic, in: cacheDirectory)
        let (kept, labels) = try applyLabelPolicy(items, merge: dataset.merge, keep: dataset.labels, order: SyntheticCorpus.labels)
        return LoadedDataset(corpusName: "synthetic", root: root, items: kept, labels: labels, synthetic: true)
    }
}

/// Merges labels, keeps `keep` (in that order; all when empty, in `order` then alphabetically).
func applyLabelPolicy(_ items: [ExperimentItem], merge: [String: String], keep: [String], order: [String]) throws -> ([ExperimentItem], [String]) {
    let present = Set(items.map(\.label))
    for source in merge.keys.sorted() where !present.contains(source) {
        throw DatasetError.unknownLabel(path: "dataset.merge.\(source)", label: source, suggestion: closest(to: source, in: present.sorted()), known: present.sorted())
    }
    let merged = items.map { item -> ExperimentItem in
        var copy = item
        copy.label = merge[item.label] ?? item.label
        return copy
    }
    let mergedLabels = Set(merged.map(\.label))
    let labels: [String]
    if keep.isEmpty {
        labels = order.filter { mergedLabels.contains($0) } + mergedLabels.subtracting(order).sorted()
    } else {
        for (index, label) in keep.enumerated() where !mergedLabels.contains(label) {
            throw DatasetError.unknownLabel(path: "dataset.labels[\(index)]", label: label, suggestion: closest(to: label, in: mergedLabels.sorted()), known: mergedLabels.sorted())
        }
        labels = keep
    }
    let keepSet = Set(labels)
    let kept = merged.filter { keepSet.contains($0.label) }
    guard !kept.isEmpty else { throw DatasetError.empty(reason: "no utterance has one of the labels \(labels)") }
    return (kept, labels)
}
