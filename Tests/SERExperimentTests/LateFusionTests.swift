import Foundation
import SERCore
import SERResults
import Testing
import SERTestSupport
@testable import SERExperiment

/// Late fusion over member runs of the test pipeline (synthetic corpus, `CentroidBackend`).
@Suite(.serialized) struct LateFusionTests {
    static let common = #""dataset": {"synthetic": {"speakers": 4, "utterancesPerLabel": 4}}, "output": {"bootstrapResamples": 100}"#

    /// A folder with member configs `a` (2 epochs) and `b` (4 epochs, no normalisation, `bProtocol`, `bLabels`), and `fusion.json` fusing them.
    static func folder(bProtocol: String = #"{"kind": "leaveOneSpeakerOut"}"#, bLabels: String = "[]") throws -> URL {
        let folder = TestSupport.temporaryDirectory("serlab-fusion")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try #"{\#(common), "training": {"epochs": 2}, "protocol": {"kind": "leaveOneSpeakerOut"}}"#
            .write(to: folder.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try #"{"dataset": {"labels": \#(bLabels), "synthetic": {"speakers": 4, "utterancesPerLabel": 4}}, "output": {"bootstrapResamples": 100}, "normalization": "none", "training": {"epochs": 4}, "protocol": \#(bProtocol)}"#
            .write(to: folder.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
        try #"{"name": "ab", "description": "a + b", "fusion": ["a.json", "b.json"]}"#
            .write(to: folder.appendingPathComponent("fusion.json"), atomically: true, encoding: .utf8)
        return folder
    }

    static func runFusion(in folder: URL, hashData: Bool = false) throws -> RunSummary {
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.hashData = hashData
        let fusion = try LateFusion.load(ConfigFile.read(folder.appendingPathComponent("fusion.json")))
        return try fusion.run(options: options, components: .test(), progress: SilentProgress())
    }

    static func latestRun(_ folder: URL, member: String) throws -> URL {
        let experiment = folder.appendingPathComponent("results/\(member)")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: experiment.path).sorted().last)
        return experiment.appendingPathComponent(name)
    }

    @Test func fusedProbabilitiesAreTheMembersMeans() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try Self.runFusion(in: folder)
        let a = try PredictionRow.read(Self.latestRun(folder, member: "a").appendingPathComponent("predictions.csv"))
        let b = try PredictionRow.read(Self.latestRun(folder, member: "b").appendingPathComponent("predictions.csv"))
        let fused = try PredictionRow.read(summary.directory.appendingPathComponent("predictions.csv"))
        #expect(fused.labels == a.labels && fused.rows.count == a.rows.count && a.rows.count == 4 * 4 * a.labels.count)
        let bRows = Dictionary(uniqueKeysWithValues: b.rows.map { ($0.path, $0) })
        var differ = false
        for (fusedRow, aRow) in zip(fused.rows, a.rows) {
            let bRow = try #require(bRows[aRow.path])
            #expect(fusedRow.path == aRow.path && fusedRow.fold == aRow.fold && fusedRow.trueLabel == aRow.trueLabel)
            for k in fusedRow.probabilities.indices {
                let mean = (aRow.probabilities[k] + bRow.probabilities[k]) / 2
                #expect(abs(fusedRow.probabilities[k] - mean) <= 1e-6, "\(aRow.path) class \(k): \(fusedRow.probabilities[k]) vs \(mean)")
            }
            let best = fusedRow.probabilities.indices.max { fusedRow.probabilities[$0] < fusedRow.probabilities[$1] }!
            #expect(fusedRow.predictedLabel == fused.labels[best])
            differ = differ || aRow.probabilities != bRow.probabilities
        }
        #expect(differ, "the members predicted the same probabilities: the test shows nothing")
        let metrics = try ResultsFile.read(RunMetrics.self, from: summary.directory.appendingPathComponent("metrics.json"))
        #expect(metrics.name == "ab" && metrics.model == "fusion(mlp+mlp)" && metrics.folds.count == 4)
        let correct = fused.rows.filter(\.isCorrect).count
        #expect(abs((metrics.pooled?.accuracy ?? -1) - ResultsFile.rounded(Double(correct) / Double(fused.rows.count))) < 1e-9)
        // The fusion records its environment and the fingerprint of the data it fused, the members' data.
        let environment = try ResultsFile.read(RunEnvironment.self, from: summary.directory.appendingPathComponent("environment.json"))
        let aEnvironment = try ResultsFile.read(RunEnvironment.self, from: Self.latestRun(folder, member: "a").appendingPathComponent("environment.json"))
        #expect(environment.data.fileCount == a.rows.count && environment.data.fingerprint == aEnvironment.data.fingerprint)
        // A second fusion reuses the members' finished runs instead of training again.
        _ = try Self.runFusion(in: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("results/a").path).count == 1)
    }

    /// With hashing on, the fusion's fingerprint is the members' (taken from the lead's record, hashes and all).
    @Test func aFusionFingerprintsTheDataItFused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try Self.runFusion(in: folder, hashData: true)
        let fused = try ResultsFile.read(RunEnvironment.self, from: summary.directory.appendingPathComponent("environment.json"))
        let b = try ResultsFile.read(RunEnvironment.self, from: Self.latestRun(folder, member: "b").appendingPathComponent("environment.json"))
        #expect(fused.data.files.count == b.data.files.count && fused.data.files.allSatisfy { $0.sha256.count == 64 })
        #expect(fused.data.fingerprint == b.data.fingerprint)
    }

    @Test func membersOnOtherFoldsAreNamed() throws {
        let folder = try Self.folder(bProtocol: #"{"kind": "testSpeakers", "testSpeakers": [["spk00", "spk01"], ["spk02", "spk03"]]}"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try Self.runFusion(in: folder)
            Issue.record("members on other folds were fused")
        } catch let error as FusionError {
            guard case .foldsDiffer(let member, _) = error else { Issue.record("\(error)"); return }
            #expect(member == "b")
        }
    }

    @Test func membersWithOtherLabelsAreNamed() throws {
        let folder = try Self.folder(bLabels: #"["angry", "happy", "neutral", "sad"]"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: FusionError.self) { _ = try Self.runFusion(in: folder) }
        do { _ = try Self.runFusion(in: folder) } catch let error as FusionError {
            guard case .labelsDiffer(let member, _, _) = error else { Issue.record("\(error)"); return }
            #expect(member == "b")
        }
    }

    @Test func aFusionNeedsTwoExistingMembers() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (text, path) in [(#"{"fusion": ["a.json"]}"#, "fusion"), (#"{"fusion": ["a.json", "missing.json"]}"#, "fusion[1]"),
                             (#"{"fusion": ["a.json", "b.json"], "members": []}"#, "members")] {
            let url = folder.appendingPathComponent("bad.json")
            try text.write(to: url, atomically: true, encoding: .utf8)
            do {
                _ = try LateFusion.load(ConfigFile.read(url))
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.localizedDescription.contains("\"\(path)"), "\(error.localizedDescription)")
            }
        }
    }
}
