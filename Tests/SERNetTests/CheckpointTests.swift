import Foundation
import SERCore
import SERHDF5
import SERTestSupport
import Testing
@testable import SERNet

@Suite("Checkpoints")
struct CheckpointTests {
    static let specJSON = #"{"type": "lstm", "hiddenSize": 8, "layerCount": 2, "bidirectional": true, "pooling": "attention", "attentionSize": 5, "frontEnd": {"channels": [6], "kernelSize": 3}}"#

    /// A small trained model (batch norm statistics moved, Adam steps taken) and a batch to predict.
    func trainedModel() throws -> (Model, Tensor, [Int]) {
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(Self.specJSON.utf8))
        let model = try Model(spec: spec, inputSize: 7, classCount: 3, seed: 9)
        model.labels = ["angry", "happy", "sad"]
        model.inputNormalization = InputNormalization(mean: (0..<7).map { Float($0) * 0.1 }, standardDeviation: (0..<7).map { 1 + Float($0) * 0.2 })
        let batch = randomTensor([4, 10, 7], seed: 3)
        let lengths = [10, 6, 3, 8]
        for _ in 0..<5 { model.trainStep(batch: batch, labels: [0, 1, 2, 1], lengths: lengths) }
        return (model, batch, lengths)
    }

    func temporaryFile(_ name: String) -> URL {
        TestSupport.temporaryDirectory("sernet-checkpoint").appendingPathComponent(name)
    }

    /// Edits a sealed checkpoint in place and seals it again (an edit alone breaks the seal, which is tested
    /// separately), so the checks behind the seal can be reached.
    func editResealed(_ url: URL, _ body: (HDF5File) throws -> Void) throws {
        let image = try #require(HDF5File.verifiedSealedImage(try Data(contentsOf: url)))
        try Data(image).write(to: url)
        let file = try HDF5File.open(url, mode: .readWrite)
        try body(file)
        try file.close()
        let edited = try Data(contentsOf: url)
        try (edited + HDF5File.sealTrailer(for: edited)).write(to: url)
    }

    @Test func reloadGivesIdenticalPredictions() throws {
        let (model, batch, lengths) = try trainedModel()
        let url = temporaryFile("model.h5")
        try model.save(to: url)
        let loaded = try Model.load(from: url, expectedSpec: model.spec, expectedInputSize: 7, expectedClassCount: 3)
        #expect(loaded.spec == model.spec)
        #expect(loaded.labels == ["angry", "happy", "sad"])
        #expect(loaded.inputNormalization == model.inputNormalization)
        #expect(loaded.parameters.map(\.value) == model.parameters.map(\.value))
        #expect(loaded.predictProbabilities(batch: batch, lengths: lengths) == model.predictProbabilities(batch: batch, lengths: lengths))
        // The file is plain HDF5 with the documented layout.
        let root = try HDF5File.open(url).root   // libhdf5 reads the sealed file directly (it ignores the trailer)
        #expect(try root.stringAttribute("format") == "serlab-checkpoint")
        #expect(try root.stringAttribute("serlab_version") == serlabVersion)
        #expect(try root.openDataset("parameters/lstm0.forward.weightIH").shape == [32, 6])
    }

    @Test func truncatedFileIsAClearError() throws {
        let (model, _, _) = try trainedModel()
        let url = temporaryFile("model.h5")
        try model.save(to: url)
        let bytes = try Data(contentsOf: url)
        for fraction in [0.1, 0.5, 0.9] {
            let truncated = temporaryFile("truncated.h5")
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: truncated)
            do {
                _ = try Model.load(from: truncated)
                Issue.record("a checkpoint truncated to \(fraction) loaded")
            } catch let error as CheckpointError {
                #expect(error.localizedDescription.contains(truncated.path))
            }
        }
    }

    /// Every single flipped byte (sampled across the file, trailer included) and every truncation is an
    /// `.unreadable` CheckpointError from the seal check, before libhdf5 parses anything.
    @Test func flippedByteOrTruncationIsUnreadable() throws {
        let (model, _, _) = try trainedModel()
        let url = temporaryFile("model.h5")
        try model.save(to: url)
        let bytes = try Data(contentsOf: url)
        #expect(HDF5File.verifiedSealedImage(bytes) != nil)
        let damaged = temporaryFile("damaged.h5")
        var cases: [(String, Data)] = []
        for position in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) + [bytes.count - 1] {
            var copy = bytes
            copy[position] ^= 0x40
            cases.append(("byte \(position) flipped", copy))
        }
        for cut in [1, 47, 48, 49, bytes.count / 2, bytes.count - 1] { cases.append(("\(cut) bytes cut", bytes.prefix(bytes.count - cut))) }
        for (what, data) in cases {
            try data.write(to: damaged)
            do {
                _ = try Model.load(from: damaged)
                Issue.record("a checkpoint with \(what) loaded")
            } catch let error as CheckpointError {
                guard case .unreadable(let path, _) = error, path == damaged.path else {
                    Issue.record("\(what): unexpected \(error)")
                    continue
                }
            }
        }
        // Saving is atomic: no temporary file is left beside the checkpoint.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.hasPrefix(".model.h5.tmp-") })
    }

    @Test func notACheckpoint() throws {
        let text = temporaryFile("notes.h5")
        try Data("hello".utf8).write(to: text)
        #expect(throws: CheckpointError.self) { try Model.load(from: text) }
        let other = temporaryFile("other.h5")
        try HDF5File.writeSealed(to: other) { root in
            _ = try root.createDataset("x", values: [Float(1)], shape: [1])
        }
        do {
            _ = try Model.load(from: other)
            Issue.record("an HDF5 file without the checkpoint attributes loaded")
        } catch let error as CheckpointError {
            guard case .notACheckpoint = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(throws: CheckpointError.self) { try Model.load(from: temporaryFile("missing.h5")) }
    }

    @Test func anotherModelsSpecOrInputSizeIsAClearError() throws {
        let (model, _, _) = try trainedModel()
        let url = temporaryFile("model.h5")
        try model.save(to: url)
        #expect(throws: CheckpointError.specMismatch(path: url.path, expected: try Checkpoint.canonicalJSON(.mlp(MLPSpec())),
                                                     found: try Checkpoint.canonicalJSON(model.spec))) {
            try Model.load(from: url, expectedSpec: .mlp(MLPSpec()))
        }
        #expect(throws: CheckpointError.inputSizeMismatch(path: url.path, expected: 40, found: 7)) {
            try Model.load(from: url, expectedInputSize: 40)
        }
        #expect(throws: CheckpointError.classCountMismatch(path: url.path, expected: 8, found: 3)) {
            try Model.load(from: url, expectedClassCount: 8)
        }
        // Weights of one model under another model's spec: caught by shape.
        var wider = LSTMSpec()
        wider.hiddenSize = 9
        wider.layerCount = 2
        wider.bidirectional = true
        wider.pooling = .attention
        wider.attentionSize = 5
        var frontEnd = CNNSpec()
        frontEnd.channels = [6]
        frontEnd.kernelSize = 3
        wider.frontEnd = frontEnd
        try editResealed(url) { file in
            try file.root.setAttribute("spec", try Checkpoint.canonicalJSON(.lstm(wider)))
        }
        #expect(throws: CheckpointError.parameterMismatch(path: url.path, parameter: "lstm0.forward.weightIH", expected: [36, 6], found: [32, 6])) {
            try Model.load(from: url)
        }
    }

    @Test func corruptedWeightsFailTheChecksum() throws {
        let (model, _, _) = try trainedModel()
        let url = temporaryFile("model.h5")
        try model.save(to: url)
        try editResealed(url) { file in
            let dataset = try file.root.openDataset("parameters/classifier.bias")
            var values: [Float] = try dataset.read()
            values[0] += 1
            try dataset.write(values)
        }
        do {
            _ = try Model.load(from: url)
            Issue.record("corrupted weights loaded")
        } catch let error as CheckpointError {
            guard case .checksumMismatch = error else { Issue.record("unexpected \(error)"); return }
        }
    }

    @Test func specJSONRoundTripsAndRejectsUnknownKeys() throws {
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(Self.specJSON.utf8))
        let again = try JSONDecoder().decode(ModelSpec.self, from: JSONEncoder().encode(spec))
        #expect(again == spec)
        do {
            _ = try JSONDecoder().decode(ModelSpec.self, from: Data(#"{"type": "lstm", "hiddenSise": 8}"#.utf8))
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect("\(error)".contains("hiddenSise"))
        }
        #expect(throws: ModelSpecError(path: "model.hiddenSizes", expected: "sizes >= 1", found: "0")) {
            try Model(spec: .mlp({ var s = MLPSpec(); s.hiddenSizes = [0]; return s }()), inputSize: 4, classCount: 2, seed: 0)
        }
        let options = try JSONDecoder().decode(TrainingOptions.self, from: Data(#"{"epochs": 5, "schedule": {"kind": "cosine"}, "clipNorm": null}"#.utf8))
        #expect(options.epochs == 5 && options.schedule.kind == .cosine && options.clipNorm == nil && options.batchSize == 32)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TrainingOptions.self, from: Data(#"{"lerningRate": 1}"#.utf8)) }
    }

    /// Parameter counts follow the layer formulas (one LSTM bias vector per gate set, unlike PyTorch's two).
    @Test func parameterCounts() throws {
        var lstm = LSTMSpec()
        lstm.hiddenSize = 128
        lstm.layerCount = 2
        #expect(try ModelSpec.lstm(lstm).parameterCount(inputSize: 40, classCount: 8) ==
                (4 * 128 * (40 + 128) + 4 * 128) + (4 * 128 * 256 + 4 * 128) + (128 * 8 + 8))
        #expect(try ModelSpec.cnn(CNNSpec()).parameterCount(inputSize: 40, classCount: 8) ==
                (64 * 40 * 5 + 64 + 2 * 64) + (128 * 64 * 5 + 128 + 2 * 128) + (256 * 128 * 5 + 256 + 2 * 256) + (256 * 8 + 8))
        #expect(try ModelSpec.mlp(MLPSpec()).parameterCount(inputSize: 80, classCount: 8) == (80 * 256 + 256) + (256 * 128 + 128) + (128 * 8 + 8))
    }
}
