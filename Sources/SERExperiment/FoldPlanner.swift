import Foundation
import SERCore

/// One train/validation/test split. Indices point into the experiment's item list.
public struct FoldPlan: Sendable, Equatable {
    /// Position over all repeats: `repeatIndex * foldsPerRepeat + foldInRepeat`; names `folds/fold-<index>`.
    public var index: Int
    public var repeatIndex: Int
    public var foldInRepeat: Int
    /// Seed of this repeat (training.seed + repeatIndex): initialisation and shuffling streams derive from it.
    public var seed: Int
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]
    /// "speaker" (validation speakers absent from training) or "stratified".
    public var validationKind: String
}

/// Folds for a protocol, ready to run.
public struct ProtocolPlan: Sendable {
    public var kind: ProtocolKind
    public var foldsPerRepeat: Int
    public var folds: [FoldPlan]
    /// True when some fold tests a speaker it also trained on.
    public var speakerOverlap: Bool
    /// sha256 of the sorted `path,fold` lines (path relative to the corpus root).
    public var foldsHash: String
    public var warnings: [String]
}

public enum ProtocolError: LocalizedError, Equatable {
    case tooFewSpeakers(kind: String, needed: Int, found: Int)
    case tooFewUtterances(needed: Int, found: Int)
    case unknownSpeaker(path: String, speaker: String, suggestion: String?, known: [String])
    case foldsFile(path: String, reason: String)
    case emptyTraining(fold: Int)
    /// A corpus protocol on utterances without corpora, or a direction naming a corpus the dataset lacks.
    case corpus(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .tooFewSpeakers(kind, needed, found):
            return "protocol \(kind): expected at least \(needed) speakers, found \(found); use protocol.kind \"leaveOneSpeakerOut\" or fewer protocol.folds"
        case let .tooFewUtterances(needed, found):
            return "protocol: expected at least \(needed) utterances, found \(found)"
        case let .unknownSpeaker(path, speaker, suggestion, known):
            return "\(path): unknown speaker \"\(speaker)\"" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "") + " Speakers: \(known.joined(separator: ", "))."
        case let .foldsFile(path, reason):
            return "\(path): \(reason)"
        case let .emptyTraining(fold):
            return "protocol: fold \(fold) leaves no utterance for training"
        case let .corpus(path, reason):
            return "\(path): \(reason)"
        }
    }
}

public enum FoldPlanner {
    /// Splits `items` according to `config`. `foldsFileURL` is the resolved `protocol.foldsFile`.
    public static func plan(items: [ExperimentItem], config: ProtocolConfig, seed: Int, foldsFileURL: URL? = nil) throws -> ProtocolPlan {
        let speakers = Set(items.map(\.speaker))
        var kind = config.kind
        var folds = config.folds
        var warnings: [String] = []
        if kind == .auto {
            if speakers.count >= 2 {
                kind = .speakerKFold
                folds = min(config.folds, speakers.count)
            } else {
                kind = .stratifiedKFold
            }
        }
        let fixed: [[Int]]?
        // Per fold, the utterances training and validation may use (nil = every utterance outside the test part).
        var pools: [[Int]]? = nil
        switch kind {
        case .leaveOneCorpusOut:
            let corpora = try corpusOrder(items, kind: kind)
            fixed = corpora.map { corpus in items.indices.filter { items[$0].corpus == corpus } }
        case .crossCorpus:
            let corpora = try corpusOrder(items, kind: kind)
            guard !config.directions.isEmpty else {
                throw ProtocolError.corpus(path: "protocol.directions", reason: "expected at least one direction for protocol.kind \"crossCorpus\", found []")
            }
            for (index, direction) in config.directions.enumerated() {
                for (side, names) in [("train", direction.train), ("test", direction.test)] {
                    for (position, name) in names.enumerated() where !corpora.contains(name) {
                        throw ProtocolError.corpus(path: "protocol.directions[\(index)].\(side)[\(position)]",
                                                   reason: "unknown corpus \"\(name)\"" + (closest(to: name, in: corpora).map { "; did you mean \"\($0)\"?" } ?? "")
                                                   + " Corpora: \(corpora.joined(separator: ", ")).")
                    }
                }
            }
            fixed = config.directions.map { direction in items.indices.filter { direction.test.contains(items[$0].corpus ?? "") } }
            pools = config.directions.map { direction in items.indices.filter { direction.train.contains(items[$0].corpus ?? "") } }
        case .leaveOneSpeakerOut:
            guard speakers.count >= 2 else { throw ProtocolError.tooFewSpeakers(kind: kind.rawValue, needed: 2, found: speakers.count) }
            fixed = speakers.sorted().map { speaker in items.indices.filter { items[$0].speaker == speaker } }
        case .testSpeakers:
            fixed = try speakerGroups(items: items, groups: config.testSpeakers)
        case .foldsFile:
            guard let url = foldsFileURL else {
                throw ProtocolError.foldsFile(path: "protocol.foldsFile", reason: "expected a CSV path for protocol.kind \"foldsFile\", found null")
            }
            let (groups, fileWarnings) = try foldsFromFile(url, items: items)
            fixed = groups
            warnings += fileWarnings
        default:
            fixed = nil
        }
        if kind == .speakerKFold && speakers.count < folds {
            throw ProtocolError.tooFewSpeakers(kind: kind.rawValue, needed: folds, found: speakers.count)
        }
        if kind == .stratifiedKFold && items.count < folds {
            throw ProtocolError.tooFewUtterances(needed: folds, found: items.count)
        }

        var plans: [FoldPlan] = []
        let foldsPerRepeat = fixed?.count ?? folds
        for repeatIndex in 0..<config.repeats {
            let repeatSeed = seed + repeatIndex
            var splitGenerator = SeededGenerator(seed: UInt64(repeatSeed), stream: "folds")
            let testSets: [[Int]]
            switch kind {
            case .stratifiedKFold: testSets = stratifiedFolds(labels: items.map(\.label), count: folds, generator: &splitGenerator)
            case .speakerKFold: testSets = speakerFolds(speakers: items.map(\.speaker), count: folds, generator: &splitGenerator)
            default: testSets = fixed ?? []
            }
            for (foldInRepeat, test) in testSets.enumerated() {
                let index = repeatIndex * foldsPerRepeat + foldInRepeat
                let testSet = Set(test)
                let rest = (pools?[foldInRepeat] ?? Array(items.indices)).filter { !testSet.contains($0) }
                guard !rest.isEmpty else { throw ProtocolError.emptyTraining(fold: index) }
                var validationGenerator = SeededGenerator(seed: UInt64(repeatSeed), stream: "validation").derived("fold-\(foldInRepeat)")
                let (train, validation, validationKind) = validationSplit(
                    rest, items: items, fraction: config.validationFraction,
                    minimumSpeakers: config.speakerValidationMinimumSpeakers, generator: &validationGenerator)
                plans.append(FoldPlan(index: index, repeatIndex: repeatIndex, foldInRepeat: foldInRepeat, seed: repeatSeed,
                                      train: train, validation: validation, test: test.sorted(), validationKind: validationKind))
            }
        }
        let overlap = plans.contains { plan in
            let testSpeakers = Set(plan.test.map { items[$0].speaker })
            return (plan.train + plan.validation).contains { testSpeakers.contains(items[$0].speaker) }
        }
        if overlap {
            warnings.append("speaker overlap: some speakers are in both training and test folds, so the scores include speaker leakage (protocol \(kind.rawValue))")
        }
        let lines = plans.flatMap { plan in plan.test.map { "\(items[$0].path),\(plan.index)" } }.sorted()
        let hash = SHA256.hexDigest(of: Data(lines.joined(separator: "\n").utf8))
        return ProtocolPlan(kind: kind, foldsPerRepeat: foldsPerRepeat, folds: plans, speakerOverlap: overlap, foldsHash: hash, warnings: warnings)
    }

    /// The corpora of `items` in order of first appearance (the config's order); a corpus protocol needs two.
    static func corpusOrder(_ items: [ExperimentItem], kind: ProtocolKind) throws -> [String] {
        var order: [String] = []
        for item in items {
            guard let corpus = item.corpus else {
                throw ProtocolError.corpus(path: "protocol.kind", reason: "\"\(kind.rawValue)\" needs several corpora (dataset.corpora); this dataset has one")
            }
            if !order.contains(corpus) { order.append(corpus) }
        }
        guard order.count >= 2 else {
            throw ProtocolError.corpus(path: "protocol.kind", reason: "\"\(kind.rawValue)\" needs at least 2 corpora with utterances, found \(order.count)")
        }
        return order
    }

    /// Per label: shuffle, then deal round-robin, continuing the dealer position across labels so
    /// fold sizes differ by at most one. Labels are visited in sorted order.
    static func stratifiedFolds(labels: [String], count: Int, generator: inout SeededGenerator) -> [[Int]] {
        var folds = [[Int]](repeating: [], count: count)
        var dealer = 0
        for label in Set(labels).sorted() {
            let members = seededShuffle(labels.indices.filter { labels[$0] == label }, using: &generator)
            for index in members {
                folds[dealer % count].append(index)
                dealer += 1
            }
        }
        return folds.map { $0.sorted() }
    }

    /// Whole speakers per fold, balanced by utterance count: speakers in a seeded random order,
    /// largest first (stable), each to the fold with the fewest utterances so far.
    static func speakerFolds(speakers: [String], count: Int, generator: inout SeededGenerator) -> [[Int]] {
        var bySpeaker: [String: [Int]] = [:]
        for (index, speaker) in speakers.enumerated() { bySpeaker[speaker, default: []].append(index) }
        let order = seededShuffle(bySpeaker.keys.sorted(), using: &generator)
        let sorted = order.enumerated().sorted { lhs, rhs in
            let a = bySpeaker[lhs.element]!.count, b = bySpeaker[rhs.element]!.count
            return a != b ? a > b : lhs.offset < rhs.offset
        }.map(\.element)
        var folds = [[Int]](repeating: [], count: count)
        var foldSpeakers = [Int](repeating: 0, count: count)
        for speaker in sorted {
            // Fewest utterances first; then fewest speakers, so every fold gets a speaker before any gets two.
            let target = (0..<count).min { a, b in
                (foldSpeakers[a] == 0 ? 0 : 1, folds[a].count, a) < (foldSpeakers[b] == 0 ? 0 : 1, folds[b].count, b)
            }!
            folds[target] += bySpeaker[speaker]!
            foldSpeakers[target] += 1
        }
        return folds.map { $0.sorted() }
    }

    static func speakerGroups(items: [ExperimentItem], groups: [[String]]) throws -> [[Int]] {
        let known = Set(items.map(\.speaker)).sorted()
        guard !groups.isEmpty else {
            throw ProtocolError.foldsFile(path: "protocol.testSpeakers", reason: "expected at least one group of speakers for protocol.kind \"testSpeakers\", found []")
        }
        return try groups.enumerated().map { groupIndex, group in
            for (index, speaker) in group.enumerated() where !known.contains(speaker) {
                throw ProtocolError.unknownSpeaker(path: "protocol.testSpeakers[\(groupIndex)][\(index)]", speaker: speaker,
                                                   suggestion: closest(to: speaker, in: known), known: known)
            }
            let members = Set(group)
            return items.indices.filter { members.contains(items[$0].speaker) }
        }
    }

    /// Reads `path,fold` (other columns ignored) and assigns every item by its path without extension.
    static func foldsFromFile(_ url: URL, items: [ExperimentItem]) throws -> ([[Int]], [String]) {
        let table: CSVTable
        do { table = try CSVTable(contentsOf: url) } catch {
            switch error {
            case .unreadable: throw ProtocolError.foldsFile(path: url.path, reason: "no readable folds file at this path")
            case let .malformed(_, line, problem): throw ProtocolError.foldsFile(path: url.path, reason: "line \(line): \(problem)")
            }
        }
        guard let pathColumn = table.header.firstIndex(of: "path"), let foldColumn = table.header.firstIndex(of: "fold") else {
            throw ProtocolError.foldsFile(path: url.path, reason: "expected a header with columns path and fold, found \(table.header.joined(separator: ","))")
        }
        var foldOf: [String: Int] = [:]
        for (line, row) in zip(table.lines, table.rows) {
            guard let fold = Int(row[foldColumn].trimmingCharacters(in: .whitespaces)), fold >= 0 else {
                throw ProtocolError.foldsFile(path: url.path, reason: "line \(line): expected a path and a fold number >= 0, found \"\(row.joined(separator: ","))\"")
            }
            foldOf[ExperimentItem.key(row[pathColumn])] = fold
        }
        var groups: [Int: [Int]] = [:]
        var missing: [String] = []
        for (index, item) in items.enumerated() {
            if let fold = foldOf[item.pathKey] { groups[fold, default: []].append(index) } else { missing.append(item.path) }
        }
        if !missing.isEmpty {
            throw ProtocolError.foldsFile(path: url.path, reason: "expected a fold for every utterance, found none for \(missing.count) of them, e.g. \(missing.prefix(3).joined(separator: ", "))")
        }
        var warnings: [String] = []
        let used = Set(items.map(\.pathKey))
        let unused = foldOf.keys.filter { !used.contains($0) }.count
        if unused > 0 { warnings.append("\(url.lastPathComponent): \(unused) listed files are not in the (filtered) corpus and were ignored") }
        return (groups.keys.sorted().map { groups[$0]! }, warnings)
    }

    /// Holds out `fraction` of a training fold: whole speakers when there are at least `minimumSpeakers`,
    /// else per label.
    static func validationSplit(_ indices: [Int], items: [ExperimentItem], fraction: Double, minimumSpeakers: Int,
                                generator: inout SeededGenerator) -> (train: [Int], validation: [Int], kind: String) {
        let speakers = Set(indices.map { items[$0].speaker }).sorted()
        let target = max(1, Int((Double(indices.count) * fraction).rounded()))
        if speakers.count >= minimumSpeakers {
            var chosen: Set<String> = []
            var held = 0
            for speaker in seededShuffle(speakers, using: &generator) where held < target && chosen.count < speakers.count - 1 {
                chosen.insert(speaker)
                held += indices.filter { items[$0].speaker == speaker }.count
            }
            let validation = indices.filter { chosen.contains(items[$0].speaker) }
            let train = indices.filter { !chosen.contains(items[$0].speaker) }
            return (train, validation, "speaker")
        }
        var validation: [Int] = []
        for label in Set(indices.map { items[$0].label }).sorted() {
            let members = seededShuffle(indices.filter { items[$0].label == label }, using: &generator)
            let take = members.count >= 2 ? max(1, Int((Double(members.count) * fraction).rounded())) : 0
            validation += members.prefix(take)
        }
        let held = Set(validation)
        return (indices.filter { !held.contains($0) }, validation.sorted(), "stratified")
    }
}
