import Foundation
import SERCore
import SERCorpus
import SERFeatures

// Several corpora in one experiment (`dataset.corpora`): each loaded by its own source, its labels
// merged and dropped, its speakers and paths namespaced ("savee/DC"), then pooled under the global
// label policy (`dataset.labels`, `dataset.merge`, `dataset.sharedLabels`).

extension DatasetConfig {
    /// The single-corpus dataset section one entry is loaded with (its own merge; no keep list).
    func single(_ entry: CorpusEntry) -> DatasetConfig {
        DatasetConfig(corpus: entry.corpus, root: entry.root, manifest: entry.manifest, labels: [], merge: entry.merge, synthetic: synthetic)
    }

    /// The name an entry's utterances are namespaced under, when the config alone tells it (a
    /// manifest's or label folder's name is known only once it is read).
    static func declaredName(_ entry: CorpusEntry) -> String? {
        entry.name ?? (entry.corpus == .manifest || entry.corpus == .folders ? nil : entry.corpus.rawValue)
    }

    /// Checks what the schema cannot: the multi-corpus keys against each other.
    func validate(source: String) throws {
        if !isMultiCorpus {
            if sharedLabels {
                throw ConfigError.wrongValue(source: source, path: "dataset.sharedLabels", expected: "false without dataset.corpora (one corpus shares all its labels)", found: "true")
            }
            return
        }
        if corpus != .synthetic || root != nil || manifest != nil {
            let key = corpus != .synthetic ? "corpus" : root != nil ? "root" : "manifest"
            throw ConfigError.wrongValue(source: source, path: "dataset.\(key)",
                                         expected: "no dataset.\(key) beside dataset.corpora (give it inside each dataset.corpora entry)", found: "a value")
        }
        var seen: [String: Int] = [:]
        for (index, entry) in corpora.enumerated() {
            if let name = entry.name, name.isEmpty || name.contains("/") {
                throw ConfigError.wrongValue(source: source, path: "dataset.corpora[\(index)].name", expected: "a non-empty name without \"/\"", found: "\"\(name)\"")
            }
            guard let name = DatasetConfig.declaredName(entry) else { continue }
            if let first = seen[name] {
                throw ConfigError.wrongValue(source: source, path: "dataset.corpora[\(index)].name",
                                             expected: "a name no other corpus has (dataset.corpora[\(first)] is \"\(name)\"); set \"name\"",
                                             found: entry.name.map { "\"\($0)\"" } ?? "null (\"\(name)\")")
            }
            seen[name] = index
        }
    }

    /// The names every entry will have, when the config alone tells them all.
    var declaredCorpusNames: [String]? {
        let names = corpora.compactMap(DatasetConfig.declaredName)
        return names.count == corpora.count ? names : nil
    }
}

extension ProtocolConfig {
    /// The corpus protocols and `directions` against the dataset section.
    func validate(source: String, dataset: DatasetConfig) throws {
        let corpusProtocol = kind == .crossCorpus || kind == .leaveOneCorpusOut
        if corpusProtocol && dataset.corpora.count < 2 {
            throw ConfigError.wrongValue(source: source, path: "protocol.kind", expected: "a dataset.corpora list of at least 2 corpora for \"\(kind.rawValue)\"",
                                         found: "\(dataset.corpora.count) corpora")
        }
        if kind != .crossCorpus {
            if !directions.isEmpty {
                throw ConfigError.wrongValue(source: source, path: "protocol.directions", expected: "[] unless protocol.kind is \"crossCorpus\"",
                                             found: "\(directions.count) directions with protocol.kind \"\(kind.rawValue)\"")
            }
            return
        }
        guard !directions.isEmpty else {
            throw ConfigError.wrongValue(source: source, path: "protocol.directions",
                                         expected: "at least one direction for \"crossCorpus\", e.g. [{\"train\": [\"ravdess\"], \"test\": [\"savee\"]}]", found: "[]")
        }
        let known = dataset.declaredCorpusNames
        for (index, direction) in directions.enumerated() {
            for side in ["train", "test"] {
                let names = side == "train" ? direction.train : direction.test
                if names.isEmpty {
                    throw ConfigError.wrongValue(source: source, path: "protocol.directions[\(index)].\(side)", expected: "at least one corpus name", found: "[]")
                }
                for (position, name) in names.enumerated() {
                    if let known, !known.contains(name) {
                        let near = closest(to: name, in: known).map { "; did you mean \"\($0)\"?" } ?? ""
                        throw ConfigError.wrongValue(source: source, path: "protocol.directions[\(index)].\(side)[\(position)]",
                                                     expected: "one of the dataset.corpora names " + known.map { "\"\($0)\"" }.joined(separator: ", "),
                                                     found: "\"\(name)\"" + near)
                    }
                }
            }
            if let both = direction.train.first(where: direction.test.contains) {
                throw ConfigError.wrongValue(source: source, path: "protocol.directions[\(index)]",
                                             expected: "disjoint train and test corpora", found: "\"\(both)\" on both sides")
            }
        }
    }
}

/// One corpus of a pooled dataset.
public struct DatasetPart: Sendable, Equatable {
    /// Its namespace: `dataset.corpora[i].name`, else the corpus's own name.
    public var name: String
    /// The corpus's own name ("ravdess"): features are cached under it, as in a single-corpus run.
    public var cacheName: String
    public var root: URL
    public var synthetic: Bool
}

/// Loads every entry of `dataset.corpora` with the source `sourceFor` gives for it, and pools them.
struct PooledDatasetSource: DatasetSource {
    var sourceFor: @Sendable (DatasetConfig) -> DatasetSource

    func load(_ dataset: DatasetConfig, cacheDirectory: URL) throws -> LoadedDataset {
        var parts: [DatasetPart] = []
        var items: [ExperimentItem] = []
        var labelsByCorpus: [(name: String, labels: Set<String>)] = []
        for (index, entry) in dataset.corpora.enumerated() {
            let single = dataset.single(entry)
            let loaded = try sourceFor(single).load(single, cacheDirectory: cacheDirectory)
            let name = entry.name ?? loaded.corpusName
            if parts.contains(where: { $0.name == name }) {
                throw DatasetError.corpus(path: "dataset.corpora[\(index)].name", reason: "another corpus is already named \"\(name)\"; set a different \"name\"")
            }
            for (position, label) in entry.drop.enumerated() where !loaded.labels.contains(label) {
                throw DatasetError.corpus(path: "dataset.corpora[\(index)].drop[\(position)]",
                                          reason: "\"\(label)\" is not a label of \(name) (after its merge); its labels: \(loaded.labels.joined(separator: ", "))")
            }
            let kept = loaded.items.filter { !entry.drop.contains($0.label) }
            guard !kept.isEmpty else { throw DatasetError.empty(reason: "dataset.corpora[\(index)] (\(name)): drop leaves no utterance") }
            items += kept.map { item in
                var copy = item
                copy.path = name + "/" + item.path
                copy.speaker = name + "/" + item.speaker
                copy.corpus = name
                return copy
            }
            labelsByCorpus.append((name, Set(kept.map { dataset.merge[$0.label] ?? $0.label })))
            parts.append(DatasetPart(name: name, cacheName: loaded.corpusName, root: loaded.root, synthetic: loaded.synthetic))
        }
        var keep: [String]? = dataset.labels.isEmpty ? nil : dataset.labels
        if dataset.sharedLabels {
            let shared = labelsByCorpus.dropFirst().reduce(labelsByCorpus[0].labels) { $0.intersection($1.labels) }
            guard !shared.isEmpty else { throw DatasetError.empty(reason: "dataset.sharedLabels: the corpora share no label") }
            for (position, label) in dataset.labels.enumerated() where !shared.contains(label) {
                let lacking = labelsByCorpus.filter { !$0.labels.contains(label) }.map(\.name)
                throw DatasetError.corpus(path: "dataset.labels[\(position)]",
                                          reason: "\"\(label)\" is not shared (none in \(lacking.joined(separator: ", "))); shared labels: \(Emotion.sorted(shared).joined(separator: ", "))")
            }
            keep = keep ?? Emotion.sorted(shared)
        }
        let (pooled, labels) = try LabelPolicy(keep: keep, merge: dataset.merge).apply(to: items)
        return LoadedDataset(corpusName: parts.map(\.name).joined(separator: "+"), root: LoadedDataset.commonFolder(parts.map(\.root)),
                             items: pooled, labels: labels, synthetic: parts.contains(where: \.synthetic), parts: parts)
    }
}

extension LoadedDataset {
    /// The deepest folder holding every one of `roots` ("/" at worst).
    static func commonFolder(_ roots: [URL]) -> URL {
        let paths = roots.map { $0.standardizedFileURL.pathComponents }
        guard var common = paths.first else { return URL(fileURLWithPath: "/", isDirectory: true) }
        for path in paths.dropFirst() {
            common = Array(zip(common, path).prefix { $0 == $1 }.map(\.0))
        }
        return URL(fileURLWithPath: common.isEmpty ? "/" : NSString.path(withComponents: common), isDirectory: true)
    }
}

/// Features of a pooled dataset: each corpus's files from its own provider (its own cache file).
struct PooledFeatureProvider: FeatureProvider {
    var parts: [(provider: FeatureProvider, urls: Set<URL>)]

    func features(for urls: [URL], progress: @escaping @Sendable (Int, Int) -> Void) throws -> [FeatureMatrix] {
        var result = [FeatureMatrix?](repeating: nil, count: urls.count)
        var done = 0
        let total = urls.count
        for part in parts {
            let positions = urls.indices.filter { result[$0] == nil && part.urls.contains(urls[$0]) }
            guard !positions.isEmpty else { continue }
            let offset = done
            let matrices = try part.provider.features(for: positions.map { urls[$0] }) { partDone, _ in progress(offset + partDone, total) }
            for (position, matrix) in zip(positions, matrices) { result[position] = matrix }
            done += positions.count
        }
        return try result.enumerated().map { index, matrix in
            guard let matrix else { throw DatasetError.empty(reason: "\(urls[index].path) belongs to none of the dataset's corpora") }
            return matrix
        }
    }

    func knownContentHashes(for urls: [URL]) -> [URL: String] {
        parts.reduce(into: [:]) { hashes, part in
            hashes.merge(part.provider.knownContentHashes(for: urls.filter(part.urls.contains))) { first, _ in first }
        }
    }
}
