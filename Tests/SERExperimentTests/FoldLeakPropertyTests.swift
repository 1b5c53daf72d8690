import Foundation
import SERCore
import Testing
import SERTestSupport
@testable import SERExperiment

/// Property tests of the fold planner over many seeds and every protocol: a speaker-independent
/// protocol never puts a speaker in both the test part and the training or validation part of a fold,
/// and `speakerOverlap` says exactly whether any fold does (so a stratified plan is flagged).
/// Each case prints its seed in a failure, so it can be replayed.
@Suite struct FoldLeakPropertyTests {
    static let seeds = Array(0..<40)

    /// Speakers of the test part that also train or validate, per fold.
    static func leaks(_ plan: ProtocolPlan, items: [ExperimentItem]) -> [Int: Set<String>] {
        var leaks: [Int: Set<String>] = [:]
        for fold in plan.folds {
            let test = Set(fold.test.map { items[$0].speaker })
            let rest = Set((fold.train + fold.validation).map { items[$0].speaker })
            let shared = test.intersection(rest)
            if !shared.isEmpty { leaks[fold.index] = shared }
        }
        return leaks
    }

    /// A random corpus for `seed`: 2-13 speakers, 2-6 labels, 1-7 utterances per label and speaker
    /// (some speakers lack some labels).
    static func randomItems(seed: Int) -> [ExperimentItem] {
        var generator = SeededGenerator(seed: UInt64(seed), stream: "fold-leak-corpus")
        let speakerCount = Int.random(in: 2...13, using: &generator)
        let labels = Array(["neutral", "happy", "sad", "angry", "fear", "disgust"].prefix(Int.random(in: 2...6, using: &generator)))
        var items: [ExperimentItem] = []
        for s in 0..<speakerCount {
            for label in labels {
                let count = Int.random(in: 0...7, using: &generator) + (label == labels[0] ? 1 : 0)
                for take in 0..<count {
                    let path = "spk\(s)/\(label)_\(take).wav"
                    items.append(ExperimentItem(path: path, url: URL(fileURLWithPath: "/tmp/\(path)"), speaker: "spk\(s)", label: label))
                }
            }
        }
        return items
    }

    static func config(_ kind: ProtocolKind, folds: Int = 5, testSpeakers: [[String]] = [], foldsFile: String? = nil, minimumSpeakers: Int) -> ProtocolConfig {
        ProtocolConfig(kind: kind, folds: folds, testSpeakers: testSpeakers, foldsFile: foldsFile, repeats: 2,
                       validationFraction: 0.2, speakerValidationMinimumSpeakers: minimumSpeakers)
    }

    /// The speakers dealt at random into 1-3 test groups (not necessarily covering every speaker).
    static func randomGroups(_ speakers: [String], generator: inout SeededGenerator) -> [[String]] {
        let shuffled = speakers.shuffled(using: &generator)
        let groupCount = min(Int.random(in: 1...3, using: &generator), shuffled.count - 1)
        return (0..<groupCount).map { g in stride(from: g, to: shuffled.count - 1, by: groupCount).map { shuffled[$0] } }
    }

    /// auto, speakerKFold, leaveOneSpeakerOut, testSpeakers and a speaker-grouped folds file: no leak, no flag.
    @Test(arguments: seeds)
    func speakerIndependentProtocolsNeverLeak(seed: Int) throws {
        let items = Self.randomItems(seed: seed)
        let speakers = Set(items.map(\.speaker)).sorted()
        var generator = SeededGenerator(seed: UInt64(seed), stream: "fold-leak-choices")
        let minimumSpeakers = Int.random(in: 2...6, using: &generator)   // speaker or stratified validation parts
        let folds = Int.random(in: 2...speakers.count, using: &generator)
        var configs: [(String, ProtocolConfig, URL?)] = [
            ("auto", Self.config(.auto, folds: folds, minimumSpeakers: minimumSpeakers), nil),
            ("speakerKFold", Self.config(.speakerKFold, folds: folds, minimumSpeakers: minimumSpeakers), nil),
            ("leaveOneSpeakerOut", Self.config(.leaveOneSpeakerOut, minimumSpeakers: minimumSpeakers), nil),
            ("testSpeakers", Self.config(.testSpeakers, testSpeakers: Self.randomGroups(speakers, generator: &generator), minimumSpeakers: minimumSpeakers), nil),
        ]
        // A folds file that deals whole speakers into folds.
        let folder = TestSupport.temporaryDirectory("serlab-fold-leak")
        defer { try? FileManager.default.removeItem(at: folder) }
        let foldOfSpeaker = Dictionary(uniqueKeysWithValues: speakers.map { ($0, Int.random(in: 0..<folds, using: &generator)) })
        let file = folder.appendingPathComponent("folds.csv")
        try (["path,fold"] + items.map { "\($0.path),\(foldOfSpeaker[$0.speaker]!)" }).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        if Set(foldOfSpeaker.values).count >= 2 {
            configs.append(("foldsFile", Self.config(.foldsFile, foldsFile: file.path, minimumSpeakers: minimumSpeakers), file))
        }
        for (name, config, url) in configs {
            let plan = try FoldPlanner.plan(items: items, config: config, seed: seed, foldsFileURL: url)
            #expect(!plan.folds.isEmpty, "seed \(seed) \(name): no folds")
            let leaks = Self.leaks(plan, items: items)
            #expect(leaks.isEmpty, "seed \(seed) \(name) (\(speakers.count) speakers): speakers in test and training/validation \(leaks)")
            let flagged = plan.speakerOverlap
            #expect(!flagged, "seed \(seed) \(name): flagged an overlap")
            for fold in plan.folds {
                #expect(!fold.test.isEmpty && !fold.train.isEmpty, "seed \(seed) \(name) fold \(fold.index): empty part")
            }
        }
    }

    /// A stratified plan (and a folds file mixing speakers) puts speakers on both sides, and says so.
    @Test(arguments: seeds)
    func overlapIsFlaggedExactlyWhenItHappens(seed: Int) throws {
        let items = Self.randomItems(seed: seed)
        let plan = try FoldPlanner.plan(items: items, config: Self.config(.stratifiedKFold, folds: 3, minimumSpeakers: 4), seed: seed)
        let flagged = plan.speakerOverlap, leaked = !Self.leaks(plan, items: items).isEmpty
        #expect(flagged == leaked, "seed \(seed)")
        #expect(flagged, "seed \(seed): a stratified split of \(items.count) utterances kept every speaker on one side")
    }

    /// The shipped speaker folds files (RAVDESS 6 speaker folds, SAVEE leave one speaker out) over their
    /// own listing (path and speaker columns; no audio needed), at several seeds (validation parts differ).
    @Test(arguments: ["ravdess_spk6.csv", "savee_loso.csv"])
    func shippedFoldsFilesNeverLeak(name: String) throws {
        let url = TestSupport.foldsRoot.appendingPathComponent(name)
        let table = try CSVTable(contentsOf: url)
        let path = try table.column("path"), speaker = try table.column("speaker"), emotion = try table.column("emotion")
        let items = table.rows.map { ExperimentItem(path: $0[path], url: URL(fileURLWithPath: "/tmp/" + $0[path]), speaker: $0[speaker], label: $0[emotion]) }
        #expect(items.count >= 480)
        for seed in 0..<5 {
            for minimumSpeakers in [2, 4] {
                let plan = try FoldPlanner.plan(items: items, config: Self.config(.foldsFile, foldsFile: url.path, minimumSpeakers: minimumSpeakers),
                                                seed: seed, foldsFileURL: url)
                let foldCount = plan.foldsPerRepeat, leaks = Self.leaks(plan, items: items), flagged = plan.speakerOverlap
                #expect(foldCount >= 4)
                #expect(leaks.isEmpty, "\(name) seed \(seed): speakers in test and training/validation \(leaks)")
                #expect(!flagged, "\(name) seed \(seed): flagged an overlap")
            }
        }
    }
}
