import Foundation

/// Which labels an experiment uses and under what names: `merge`, then `keep`, then `rename`.
///
/// 1. `merge` maps a label to another (`{"calm": "neutral"}`); the target may be a new name
///    (`{"angry": "negative", "sad": "negative"}`).
/// 2. `keep` lists the labels, after merging, that stay, in the order every result, confusion matrix
///    and checkpoint uses; utterances with other labels are dropped. Without `keep` every label stays,
///    in `Emotion.sorted` order (canonical emotions first, then others alphabetically).
/// 3. `rename` changes the final names (`{"surprise": "surprised"}`); the order is kept.
///
/// Unknown labels are errors naming the label and listing the valid ones: a `merge` source must be in
/// the corpus or the canonical vocabulary, a `keep` label must occur after merging (a kept class with
/// no utterances would break per-class metrics), a `rename` key must be kept.
/// The utterance's label before the policy is kept in `metadata["originalLabel"]`.
public struct LabelPolicy: Codable, Hashable, Sendable {
    public var keep: [String]?
    public var merge: [String: String]
    public var rename: [String: String]

    public init(keep: [String]? = nil, merge: [String: String] = [:], rename: [String: String] = [:]) {
        self.keep = keep
        self.merge = merge
        self.rename = rename
    }

    /// Every label of the corpus, unchanged.
    public static let all = LabelPolicy()
    /// The four classes most papers report: neutral, happy, sad, angry (calm merged into neutral when present).
    public static let fourClass = LabelPolicy(keep: [Emotion.neutral, Emotion.happy, Emotion.sad, Emotion.angry],
                                              merge: [Emotion.calm: Emotion.neutral])

    enum CodingKeys: String, CodingKey, CaseIterable { case keep, merge, rename }

    /// Decodes with every key optional; an unknown key is an error naming it and the valid ones.
    public init(from decoder: Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        for key in any.allKeys where CodingKeys(rawValue: key.stringValue) == nil {
            throw DecodingError.dataCorruptedError(forKey: key, in: any,
                debugDescription: "unknown label policy key '\(key.stringValue)'; valid keys are keep, merge, rename")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keep = try container.decodeIfPresent([String].self, forKey: .keep)
        merge = try container.decodeIfPresent([String: String].self, forKey: .merge) ?? [:]
        rename = try container.decodeIfPresent([String: String].self, forKey: .rename) ?? [:]
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The corpus relabelled and filtered, and the label set in its fixed order.
    public func apply(to corpus: Corpus) throws -> (corpus: Corpus, labels: [String]) {
        let mapping = try resolve(present: corpus.labels)
        var result = corpus
        result.utterances = corpus.utterances.compactMap { utterance in
            guard let label = mapping.label(for: utterance.label) else { return nil }
            var changed = utterance
            changed.label = label
            if label != utterance.label { changed.metadata["originalLabel"] = utterance.label }
            return changed
        }
        return (result, mapping.labels)
    }

    /// What the policy does to a corpus whose utterances carry the labels `present`: the checks above,
    /// the final label order, and each original label's final name. For item lists that are not a
    /// `Corpus` (the synthetic corpus); `apply(to:)` uses it too.
    public func resolve<Labels: Sequence>(present labels: Labels) throws -> LabelMapping where Labels.Element == String {
        let present = Emotion.sorted(labels)
        let mergeable = Emotion.sorted(present + Emotion.canonicalOrder)
        for source in merge.keys.sorted() where !mergeable.contains(source) {
            throw CorpusError.unknownLabel(label: source, role: "merge", valid: present)
        }
        for (source, target) in merge where target.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CorpusError.invalidPolicy(reason: "merge maps '\(source)' to an empty label")
        }
        let merged = Emotion.sorted(present.map { merge[$0] ?? $0 })
        let kept: [String]
        if let keep {
            guard !keep.isEmpty else { throw CorpusError.invalidPolicy(reason: "keep lists no labels; omit it to keep every label") }
            var seen = Set<String>()
            for label in keep {
                guard merged.contains(label) else { throw CorpusError.unknownLabel(label: label, role: "keep", valid: merged) }
                guard seen.insert(label).inserted else { throw CorpusError.invalidPolicy(reason: "keep lists '\(label)' twice") }
            }
            kept = keep
        } else {
            kept = merged
        }
        for source in rename.keys.sorted() where !kept.contains(source) {
            throw CorpusError.unknownLabel(label: source, role: "rename", valid: kept)
        }
        let final = kept.map { rename[$0] ?? $0 }
        if Set(final).count != final.count {
            throw CorpusError.invalidPolicy(reason: "rename gives two labels the same name (\(final.joined(separator: ", "))); use merge to combine labels")
        }
        var finalName: [String: String] = [:]
        for label in present {
            let mergedLabel = merge[label] ?? label
            if kept.contains(mergedLabel) { finalName[label] = rename[mergedLabel] ?? mergedLabel }
        }
        return LabelMapping(labels: final, finalName: finalName)
    }
}

/// A label policy resolved against the labels of one corpus.
public struct LabelMapping: Equatable, Sendable {
    /// The final labels, in the order every result, confusion matrix and checkpoint uses.
    public let labels: [String]
    /// Original label -> final label; labels the policy drops are absent.
    let finalName: [String: String]

    /// The final name of an utterance labelled `original`, or nil when the policy drops it.
    public func label(for original: String) -> String? { finalName[original] }
}
