import ArgumentParser
import Foundation
import SERTestSupport
import Testing
@testable import serlab

/// `serlab train` as the command line runs it.
@Suite(.serialized) struct TrainCommandTests {
    @Test func epochsAndFromRunAreExclusive() {
        #expect(throws: (any Error).self) {
            try TrainCommand.parse(["c.json", "--output", "m.serlab", "--epochs", "3", "--from-run", "results/c/run"])
        }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["c.json", "--output", "m.serlab", "--epochs", "0"]) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["c.json"]) }
        #expect(throws: Never.self) { try TrainCommand.parse(["c.json", "--output", "m.serlab", "--set", "training.threads=1"]) }
    }

    /// A config file on real SAVEE audio (two emotions, 120 utterances) becomes a sealed bundle file;
    /// a --from-run folder that is no run stops the command with status 1 before any training.
    @Test(.realCorpora) func trainsAConfigFileIntoASealedBundle() throws {
        let savee = try TestSupport.corpus("savee")
        let folder = TestSupport.temporaryDirectory("serlab-train-command")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("tiny_savee.json")
        try """
        {"dataset": {"corpus": "savee", "labels": ["angry", "sad"]},
         "features": {"sampleRate": 16000, "level": "utterance", "features": ["mfcc"], "mfccCount": 13, "fftLength": 512, "hopLength": 160, "functionals": ["mean", "std"]},
         "model": {"type": "mlp", "hiddenSizes": [16]},
         "training": {"threads": 2}}
        """.write(to: config, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("models/tiny.serlab")
        let common = [config.path, "--output", output.path, "--cache", folder.appendingPathComponent("cache").path, "--corpora", savee.path]
        try TrainCommand.parse(common + ["--epochs", "2"]).run()
        let bytes = try Data(contentsOf: output)
        #expect(bytes.count > 48)
        #expect(String(decoding: bytes.suffix(48).prefix(8), as: UTF8.self) == "SERLABCK", "the bundle ends with the seal trailer")

        try FileManager.default.removeItem(at: output)
        #expect(throws: ExitCode(1)) { try TrainCommand.parse(common + ["--from-run", folder.path]).run() }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
