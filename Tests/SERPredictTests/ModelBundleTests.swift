import Foundation
import SERCore
import SERExperiment
import SERFeatures
import SERHDF5
import SERNet
import SERPredictTestSupport
import SERTestSupport
import Testing
@testable import SERPredict

@Suite("Model bundles")
struct ModelBundleTests {
    /// Unseals a bundle, lets `body` edit it with HDF5, and seals it again, so the checks behind the seal are reached.
    func editResealed(_ url: URL, _ body: (HDF5Group) throws -> Void) throws {
        let image = try #require(HDF5File.verifiedSealedImage(try Data(contentsOf: url)))
        try Data(image).write(to: url)
        let file = try HDF5File.open(url, mode: .readWrite)
        try body(try file.root)
        try file.close()
        let edited = try Data(contentsOf: url)
        try (edited + HDF5File.sealTrailer(for: edited)).write(to: url)
    }

    func probabilities(_ model: Model, _ input: [Float]) -> [Float] {
        model.predictProbabilities(SequenceDataset(featureCount: model.inputSize, sequences: [input], labels: [0]))[0]
    }

    @Test func roundTripKeepsEverything() throws {
        let bundle = try BundleFixture.bundle()
        let url = BundleFixture.temporaryFile("round-trip.serlab")
        try bundle.write(to: url)
        let read = try ModelBundle.read(url)
        #expect(read.labels == bundle.labels)
        #expect(read.featureSpec.canonicalJSON == bundle.featureSpec.canonicalJSON)  // stored resolved (nil defaults spelled out)
        #expect(read.featureCodeVersion == featureCodeVersion)
        #expect(read.input == bundle.input)
        #expect(read.normalization == .global)
        #expect(read.resolvedConfig == bundle.resolvedConfig)
        #expect(read.dataFingerprint == bundle.dataFingerprint)
        #expect(read.provenance == "test fixture")
        #expect(read.serlabVersion == serlabVersion)
        #expect(read.members.count == 2)
        let input: [Float] = (0..<8).map { Float($0) * 0.7 - 2 }
        for (original, loaded) in zip(bundle.members, read.members) {
            #expect(loaded.normalizer.global?.mean == original.normalizer.global?.mean)
            #expect(loaded.normalizer.global?.std == original.normalizer.global?.std)
            #expect(loaded.model.spec == original.model.spec)
            #expect(probabilities(loaded.model, input) == probabilities(original.model, input))
        }
        // The two members differ (different seeds), so each member was stored in its own group.
        #expect(probabilities(read.members[0].model, input) != probabilities(read.members[1].model, input))
    }

    @Test func noneNormalizationStoresNoStatistics() throws {
        let url = BundleFixture.temporaryFile("none.serlab")
        try BundleFixture.bundle(members: 1, normalization: .none).write(to: url)
        let read = try ModelBundle.read(url)
        #expect(read.normalization == .none)
        #expect(read.members[0].normalizer.global == nil)
    }

    @Test func truncatedOrCorruptIsUnreadable() throws {
        let url = BundleFixture.temporaryFile("corrupt.serlab")
        try BundleFixture.bundle().write(to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        #expect(throws: ModelBundleError.self) { try ModelBundle.read(url) }
        do { _ = try ModelBundle.read(url) } catch let error as ModelBundleError {
            guard case .unreadable(let path, _) = error else { Issue.record("expected .unreadable, got \(error)"); return }
            #expect(path == url.path)
        }
        var flipped = bytes
        flipped[flipped.count / 3] ^= 0x40
        try flipped.write(to: url)
        #expect { try ModelBundle.read(url) } throws: { error in
            if case .unreadable = error as? ModelBundleError { return true } else { return false }
        }
        #expect { try ModelBundle.read(BundleFixture.temporaryFile("missing.serlab")) } throws: { error in
            if case .unreadable = error as? ModelBundleError { return true } else { return false }
        }
    }

    @Test func checkpointIsNotABundle() throws {
        let url = BundleFixture.temporaryFile("model.h5")
        try BundleFixture.member(seed: 1).model.save(to: url)
        #expect { try ModelBundle.read(url) } throws: { error in
            guard case .notABundle(let path, let reason) = error as? ModelBundleError else { return false }
            return path == url.path && reason.contains("serlab bundle")
        }
    }

    @Test func newerFormatIsRefused() throws {
        let url = BundleFixture.temporaryFile("newer.serlab")
        try BundleFixture.bundle().write(to: url)
        try editResealed(url) { root in
            try root.deleteAttribute("format_version")
            try root.setAttribute("format_version", Int64(ModelBundle.formatVersion + 1))
        }
        #expect(throws: ModelBundleError.newerFormat(path: url.path, found: ModelBundle.formatVersion + 1)) { try ModelBundle.read(url) }
    }

    @Test func otherFeatureCodeOrSpecIsRefused() throws {
        let url = BundleFixture.temporaryFile("features.serlab")
        try BundleFixture.bundle().write(to: url)
        try editResealed(url) { root in
            try root.deleteAttribute("feature_code_version")
            try root.setAttribute("feature_code_version", Int64(featureCodeVersion - 1))
        }
        #expect { try ModelBundle.read(url) } throws: { error in
            guard case .otherFeatures(let path, let reason) = error as? ModelBundleError else { return false }
            return path == url.path && reason.contains("feature code version \(featureCodeVersion - 1)")
        }
        // A spec key this serlab does not know (written by a newer one).
        try BundleFixture.bundle().write(to: url)
        try editResealed(url) { root in
            let spec = try root.stringAttribute("feature_spec")
            try root.deleteAttribute("feature_spec")
            try root.setAttribute("feature_spec", "{\"aNewOption\":1," + spec.dropFirst())
        }
        #expect { try ModelBundle.read(url) } throws: { error in
            if case .otherFeatures = error as? ModelBundleError { return true } else { return false }
        }
    }

    @Test func memberShapeMismatchIsNamed() throws {
        // A network for 5 columns where the spec gives 8: refused when writing and when reading.
        var bundle = try BundleFixture.bundle()
        bundle.members[1] = try BundleFixture.member(seed: 7, columns: 5)
        let url = BundleFixture.temporaryFile("shape.serlab")
        #expect { try bundle.write(to: url) } throws: { error in
            guard case .memberMismatch(_, let member, let reason) = error as? ModelBundleError else { return false }
            return member == 1 && reason.contains("5 input features")
        }
        // Statistics of the wrong width in the file.
        try BundleFixture.bundle().write(to: url)
        try editResealed(url) { root in
            try root.delete("members/0/normalizer/mean")
            _ = try root.createDataset("members/0/normalizer/mean", values: [Double](repeating: 0, count: 3), shape: [3])
        }
        #expect { try ModelBundle.read(url) } throws: { error in
            guard case .memberMismatch(let path, let member, let reason) = error as? ModelBundleError else { return false }
            return path == url.path && member == 0 && reason.contains("3 means")
        }
        // A weight of the wrong shape inside a member's checkpoint group.
        try BundleFixture.bundle().write(to: url)
        var weightName = ""
        try editResealed(url) { root in
            let parameters = try root.openGroup("members/1/parameters")
            weightName = try parameters.stringArrayAttribute("order")[0]
            try parameters.delete(weightName)
            _ = try parameters.createDataset(weightName, values: [Float](repeating: 0, count: 2), shape: [2])
        }
        #expect { try ModelBundle.read(url) } throws: { error in
            guard case .memberMismatch(_, let member, let reason) = error as? ModelBundleError else { return false }
            return member == 1 && reason.contains(weightName)
        }
    }

    /// `serlab bundle` on folders that cannot give a bundle says why (what a run needs).
    @Test func runFoldersWithoutModelsAreRefused() throws {
        let run = TestSupport.temporaryDirectory("serpredict-run").appendingPathComponent("x/20250101-000000-0")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("folds/fold-0"), withIntermediateDirectories: true)
        #expect(throws: RunBundleError.notARun(path: run.path)) { try ModelBundle.fromRun(run) }
        try Data("{}".utf8).write(to: run.appendingPathComponent("config.resolved.json"))
        #expect(throws: RunBundleError.unfinished(path: run.path)) { try ModelBundle.fromRun(run) }
        try Data("{}".utf8).write(to: run.appendingPathComponent("metrics.json"))
        try Data().write(to: run.appendingPathComponent("folds/fold-0/done"))
        #expect(throws: RunBundleError.noSavedModels(path: run.path)) { try ModelBundle.fromRun(run) }
        #expect(RunBundleError.noSavedModels(path: run.path).localizedDescription.contains("--save-models"))
        // A gate control run (SERLAB_GATE_CONTROL marks config.resolved.json) is refused before anything else.
        try Data(#"{"gateControl": "shuffledTrainingLabels"}"#.utf8).write(to: run.appendingPathComponent("config.resolved.json"))
        #expect(throws: RunBundleError.weakened(path: run.path, control: "shuffledTrainingLabels")) { try ModelBundle.fromRun(run) }
        // An SVM run (or a fusion) has no network to bundle: refused by its model type, not as "no saved models".
        for model in ["svm", "fusion"] {
            try Data(#"{"model": {"type": "\#(model)"}}"#.utf8).write(to: run.appendingPathComponent("config.resolved.json"))
            #expect(throws: RunBundleError.unsupportedModel(path: run.path, model: model)) { try ModelBundle.fromRun(run) }
        }
        try Data(#"{"model": {"type": "mlp"}}"#.utf8).write(to: run.appendingPathComponent("config.resolved.json"))
        #expect(throws: RunBundleError.noSavedModels(path: run.path)) { try ModelBundle.fromRun(run) }
    }
}
