import Foundation
import Testing
import SERCore
import SERFeatures
import SERNet
import SERTestSupport
@testable import SERExperiment

/// Records what the runner hands the backend, then trains the centroid model.
final class RecordingBackend: ModelBackend, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var trainSets: [LabeledFeatures] = []
    private(set) var validationSets: [LabeledFeatures] = []
    private(set) var testInputs: [[FeatureMatrix]] = []

    func modelName(_ model: ModelChoice) -> String { "centroid" }

    func train(_ request: FoldTrainingRequest) throws -> TrainedFold {
        lock.withLock { trainSets.append(request.train); validationSets.append(request.validation) }
        let trained = try CentroidBackend().train(request)
        return TrainedFold(curve: trained.curve, epochKept: trained.epochKept, predict: { matrices in
            self.lock.withLock { self.testInputs.append(matrices) }
            return try trained.predict(matrices)
        }, saveCheckpoint: nil)
    }
}

@Suite(.serialized) struct AugmentationTests {
    func run(_ overrides: [String]) throws -> RecordingBackend {
        let folder = TestSupport.temporaryDirectory("serlab-augment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let all = ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=3", "training.epochs=2",
                   "protocol.kind=speakerKFold", "protocol.folds=2", "output.bootstrapResamples=100"] + overrides
        let loaded = try ConfigLoader.resolve(nil, overrides: all)
        let tree = loaded.json, config = loaded.config
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.hashData = false
        let backend = RecordingBackend()
        let components = ExperimentComponents(dataset: { _ in SyntheticDatasetSource() }, features: { _, _, _, _ in TestFeatureProvider() }, backend: backend)
        let summary = try ExperimentRunner(config: config, resolvedConfig: tree, options: options, components: components, progress: SilentProgress()).run()
        let resolved = try String(contentsOf: summary.directory.appendingPathComponent("config.resolved.json"), encoding: .utf8)
        #expect(resolved.contains("\"augmentation\"") && resolved.contains("\"poolFrames\""))
        return backend
    }

    @Test func onlyTheTrainingPartIsAugmented() throws {
        let plain = try run([])
        let augmented = try run(["augmentation.copies=2", "augmentation.timeMaskWidth=5", "augmentation.featureMaskWidth=1"])
        #expect(plain.trainSets.count == 2 && augmented.trainSets.count == 2)
        for (base, more) in zip(plain.trainSets, augmented.trainSets) {
            #expect(more.features.count == 3 * base.features.count)
            #expect(Array(more.features.prefix(base.features.count)) == base.features)
            #expect(more.labels == base.labels + base.labels + base.labels)
            #expect(more.features.suffix(from: base.features.count).contains { $0.values.contains(0) })
        }
        for (base, more) in zip(plain.validationSets, augmented.validationSets) {
            #expect(base.features == more.features && base.labels == more.labels)
        }
        #expect(plain.testInputs == augmented.testInputs)
    }

    @Test func sameSeedSameCopiesOtherSeedOtherCopies() {
        let matrices = (0..<4).map { index in
            FeatureMatrix(frameCount: 30, columnNames: (0..<10).map { "c\($0)" }, values: (0..<300).map { Float($0 + index) + 1 })
        }
        let set = LabeledFeatures(features: matrices, labels: [0, 1, 0, 1])
        let config = AugmentationConfig(copies: 2, timeMasks: 2, timeMaskWidth: 8, featureMasks: 2, featureMaskWidth: 3)
        let first = config.augment(set, seed: 7, foldIndex: 0)
        let again = config.augment(set, seed: 7, foldIndex: 0)
        let other = config.augment(set, seed: 8, foldIndex: 0)
        #expect(first.features == again.features)
        #expect(first.features != other.features)
        #expect(first.features.count == 12)
        let zeros = first.features.suffix(from: 4).map { $0.values.filter { $0 == 0 }.count }
        #expect(zeros.allSatisfy { $0 <= 2 * 8 * 10 + 2 * 3 * 30 })
        #expect(zeros.reduce(0, +) > 0)
        #expect(AugmentationConfig().augment(set, seed: 7, foldIndex: 0).features == matrices)
    }

    @Test func poolingAveragesConsecutiveFrames() {
        let matrix = FeatureMatrix(frameCount: 5, columnNames: ["a", "b"], values: [1, 10, 3, 30, 5, 50, 7, 70, 9, 90])
        let pooled = FramePooling.pool(matrix, frames: 2)
        #expect(pooled.frameCount == 3)
        #expect(pooled.values == [2, 20, 6, 60, 9, 90])
        #expect(FramePooling.pool(matrix, frames: 1) == matrix)
    }

    @Test func croppingKeepsTheFirstFramesAndNeverPads() {
        let matrix = FeatureMatrix(frameCount: 4, columnNames: ["a", "b"], values: [1, 10, 2, 20, 3, 30, 4, 40])
        let cropped = FrameCropping.crop(matrix, toFirst: 3)
        #expect(cropped.frameCount == 3)
        #expect(cropped.values == [1, 10, 2, 20, 3, 30])
        #expect(FrameCropping.crop(matrix, toFirst: 9) == matrix)
    }

    @Test func maxFramesCutsEverySequenceBeforePooling() throws {
        let plain = try run([])
        let cut = try run(["input.maxFrames=10", "input.poolFrames=4"])
        for (base, short) in zip(plain.trainSets + plain.validationSets, cut.trainSets + cut.validationSets) {
            #expect(base.features.map { (min($0.frameCount, 10) + 3) / 4 } == short.features.map(\.frameCount))
        }
        #expect(plain.testInputs.map { $0.map { (min($0.frameCount, 10) + 3) / 4 } } == cut.testInputs.map { $0.map(\.frameCount) })
        #expect(plain.trainSets.flatMap(\.features).contains { $0.frameCount > 10 })
    }

    @Test func poolFramesShortensEverySequenceTheModelSees() throws {
        let plain = try run([])
        let pooled = try run(["input.poolFrames=4"])
        for (base, short) in zip(plain.trainSets + plain.validationSets, pooled.trainSets + pooled.validationSets) {
            #expect(base.features.map { ($0.frameCount + 3) / 4 } == short.features.map(\.frameCount))
        }
        #expect(plain.testInputs.map { $0.map { ($0.frameCount + 3) / 4 } } == pooled.testInputs.map { $0.map(\.frameCount) })
    }
}

@Suite struct RunLockTests {
    @Test func aSecondWriterOfTheSameRunFolderIsRefusedNamingTheHolder() throws {
        let folder = TestSupport.temporaryDirectory("serlab-lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolved = try ConfigLoader.resolve(nil, overrides: ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=3",
                                                                   "training.epochs=1", "protocol.folds=2", "output.bootstrapResamples=100"])
        let tree = resolved.json, config = resolved.config
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.runID = "locked"
        options.hashData = false
        let runFolder = folder.appendingPathComponent("results/\(config.resolvedName)/locked", isDirectory: true)
        let held = try RunLock(folder: runFolder)
        let runner = ExperimentRunner(config: config, resolvedConfig: tree, options: options, components: .test(), progress: SilentProgress())
        do {
            _ = try runner.run()
            Issue.record("a run on a locked folder went ahead")
        } catch {
            #expect(error.localizedDescription.contains("process \(getpid())"))
        }
        #expect(!FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("config.resolved.json").path))
        held.release()
        #expect(!FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("run.lock").path))
        let summary = try runner.run()
        #expect(FileManager.default.fileExists(atPath: summary.directory.appendingPathComponent("metrics.json").path))
        #expect(!FileManager.default.fileExists(atPath: summary.directory.appendingPathComponent("run.lock").path),
                "a finished run removes its run.lock")
    }
}
