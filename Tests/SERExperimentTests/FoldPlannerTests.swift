import Foundation
import SERCore
import Testing
import SERTestSupport
@testable import SERExperiment

/// Items of `speakers` speakers with uneven utterance counts over 4 labels.
func makeItems(speakers: Int, perLabel: Int = 5, labels: [String] = ["neutral", "happy", "sad", "angry"], uneven: Bool = true) -> [ExperimentItem] {
    var items: [ExperimentItem] = []
    for s in 0..<speakers {
        let count = uneven ? perLabel + (s % 3) : perLabel
        for label in labels {
            for take in 0..<count {
                let path = "s\(s)/\(label)_\(take).wav"
                items.append(ExperimentItem(path: path, url: URL(fileURLWithPath: "/tmp/\(path)"), speaker: "s\(s)", label: label))
            }
        }
    }
    return items
}

func protocolConfig(_ kind: ProtocolKind, folds: Int = 5, testSpeakers: [[String]] = [], foldsFile: String? = nil, repeats: Int = 1) -> ProtocolConfig {
    ProtocolConfig(kind: kind, folds: folds, testSpeakers: testSpeakers, foldsFile: foldsFile, repeats: repeats,
                   validationFraction: 0.15, speakerValidationMinimumSpeakers: 4)
}

@Suite struct FoldPlannerTests {
    func checkPartition(_ plan: ProtocolPlan, itemCount: Int) {
        for repeatIndex in Set(plan.folds.map(\.repeatIndex)) {
            let tests = plan.folds.filter { $0.repeatIndex == repeatIndex }.flatMap(\.test)
            #expect(tests.sorted() == Array(0..<itemCount), "each utterance is tested exactly once per repeat")
        }
        for fold in plan.folds {
            let all = fold.train + fold.validation + fold.test
            #expect(Set(all).count == all.count, "train, validation and test are disjoint")
            #expect(all.count == itemCount)
        }
    }

    @Test(arguments: [7, 12, 24])
    func speakerFoldsNeverLeakSpeakers(speakerCount: Int) throws {
        let items = makeItems(speakers: speakerCount)
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.speakerKFold, folds: 5), seed: 3)
        checkPartition(plan, itemCount: items.count)
        #expect(plan.speakerOverlap == false)
        for fold in plan.folds {
            let testSpeakers = Set(fold.test.map { items[$0].speaker })
            let trainSpeakers = Set((fold.train + fold.validation).map { items[$0].speaker })
            #expect(testSpeakers.isDisjoint(with: trainSpeakers), "fold \(fold.index) leaks \(testSpeakers.intersection(trainSpeakers))")
            #expect(fold.validationKind == "speaker")
            let validationSpeakers = Set(fold.validation.map { items[$0].speaker })
            let fitSpeakers = Set(fold.train.map { items[$0].speaker })
            #expect(validationSpeakers.isDisjoint(with: fitSpeakers))
            #expect(!fold.validation.isEmpty)
        }
        // Balanced: fold sizes differ by at most the largest speaker's utterance count.
        let sizes = plan.folds.map(\.test.count)
        let largestSpeaker = Dictionary(grouping: items, by: \.speaker).values.map(\.count).max()!
        #expect(sizes.max()! - sizes.min()! <= largestSpeaker)
    }

    @Test func stratifiedFoldsKeepLabelProportionsAndFlagOverlap() throws {
        let items = makeItems(speakers: 2, perLabel: 10, uneven: false)
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.stratifiedKFold, folds: 5), seed: 1)
        checkPartition(plan, itemCount: items.count)
        #expect(plan.speakerOverlap == true)
        #expect(plan.warnings.contains { $0.contains("speaker overlap") })
        for fold in plan.folds {
            let counts = Dictionary(grouping: fold.test, by: { items[$0].label }).mapValues(\.count)
            #expect(counts.values.allSatisfy { $0 == 4 }, "20 per label over 5 folds: \(counts)")
            #expect(fold.validationKind == "stratified", "2 speakers are too few for a speaker-disjoint validation part")
        }
    }

    @Test func foldsDependOnlyOnTheSeed() throws {
        let items = makeItems(speakers: 9)
        let a = try FoldPlanner.plan(items: items, config: protocolConfig(.speakerKFold), seed: 5)
        let b = try FoldPlanner.plan(items: items, config: protocolConfig(.speakerKFold), seed: 5)
        let c = try FoldPlanner.plan(items: items, config: protocolConfig(.speakerKFold), seed: 6)
        #expect(a.folds == b.folds)
        #expect(a.foldsHash == b.foldsHash)
        #expect(a.foldsHash != c.foldsHash)
    }

    @Test func autoPicksSpeakerFoldsOnMultiSpeakerCorpora() throws {
        let plan = try FoldPlanner.plan(items: makeItems(speakers: 3), config: protocolConfig(.auto, folds: 5), seed: 1)
        #expect(plan.kind == .speakerKFold)
        #expect(plan.folds.count == 3)
        #expect(!plan.speakerOverlap)
    }

    @Test func leaveOneSpeakerOutTestsEachSpeakerAlone() throws {
        let items = makeItems(speakers: 4)
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.leaveOneSpeakerOut), seed: 1)
        #expect(plan.folds.count == 4)
        for (index, fold) in plan.folds.enumerated() {
            #expect(Set(fold.test.map { items[$0].speaker }) == ["s\(index)"])
        }
        checkPartition(plan, itemCount: items.count)
    }

    @Test func fixedTestSpeakersAndUnknownSpeakerError() throws {
        let items = makeItems(speakers: 3)
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.testSpeakers, testSpeakers: [["s2"], ["s0"]]), seed: 1)
        #expect(plan.folds.count == 2)
        #expect(Set(plan.folds[0].test.map { items[$0].speaker }) == ["s2"])
        #expect(Set(plan.folds[0].train.map { items[$0].speaker }).isDisjoint(with: ["s2"]))
        do {
            _ = try FoldPlanner.plan(items: items, config: protocolConfig(.testSpeakers, testSpeakers: [["s9"]]), seed: 1)
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("protocol.testSpeakers[0][0]"))
            #expect(error.localizedDescription.contains("s9"))
        }
    }

    @Test func tooFewSpeakersIsAnError() {
        #expect(throws: ProtocolError.self) {
            try FoldPlanner.plan(items: makeItems(speakers: 3), config: protocolConfig(.speakerKFold, folds: 5), seed: 1)
        }
    }

    @Test func foldsFileMatchesPathsWithoutExtension() throws {
        let items = makeItems(speakers: 3)
        var csv = "path,speaker,emotion,fold\n"
        for item in items { csv += "\(item.path.replacingOccurrences(of: ".wav", with: ".flac")),\(item.speaker),\(item.label),\(item.speaker == "s1" ? 0 : 1)\n" }
        csv += "s9/extra.flac,s9,sad,1\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folds-\(UUID().uuidString).csv")
        try csv.write(to: url, atomically: true, encoding: .utf8)
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.foldsFile), seed: 1, foldsFileURL: url)
        #expect(plan.folds.count == 2)
        #expect(Set(plan.folds[0].test.map { items[$0].speaker }) == ["s1"])
        #expect(plan.warnings.contains { $0.contains("1 listed files") })

        let partial = FileManager.default.temporaryDirectory.appendingPathComponent("folds-\(UUID().uuidString).csv")
        try "path,fold\ns0/neutral_0.wav,0\n".write(to: partial, atomically: true, encoding: .utf8)
        do {
            _ = try FoldPlanner.plan(items: items, config: protocolConfig(.foldsFile), seed: 1, foldsFileURL: partial)
            Issue.record("expected an error")
        } catch {
            #expect(error.localizedDescription.contains("expected a fold for every utterance"))
        }
    }

    @Test func repeatsGiveNewStratifiedFolds() throws {
        let items = makeItems(speakers: 2, perLabel: 10, uneven: false)
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.stratifiedKFold, folds: 4, repeats: 3), seed: 1)
        #expect(plan.folds.count == 12)
        #expect(plan.folds.map(\.index) == Array(0..<12))
        #expect(plan.folds.map(\.seed) == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        checkPartition(plan, itemCount: items.count)
        #expect(plan.folds[0].test != plan.folds[4].test)
    }

    @Test func sharedRAVDESSFoldsFileKeepsActorsTogether() throws {
        // The real folds file (configs/folds, or $SERLAB_FOLDS) against items named like RAVDESS.
        let url = TestSupport.foldsRoot.appendingPathComponent("ravdess_spk6.csv")
        let rows = CSV.parse(try String(contentsOf: url, encoding: .utf8)).dropFirst().filter { $0.count >= 4 }
        let items = rows.map { ExperimentItem(path: $0[0].replacingOccurrences(of: ".flac", with: ".wav"), url: URL(fileURLWithPath: "/x"), speaker: $0[1], label: $0[2]) }
        let plan = try FoldPlanner.plan(items: items, config: protocolConfig(.foldsFile), seed: 1, foldsFileURL: url)
        #expect(plan.folds.count == 6)
        #expect(!plan.speakerOverlap)
        #expect(plan.folds.allSatisfy { Set($0.test.map { items[$0].speaker }).count == 4 })
        #expect(plan.folds.allSatisfy { $0.validationKind == "speaker" })
    }
}
