import Foundation
import SERTestSupport
import Testing

/// The shipped configs work from a copy of the repository that has no neighbours: the folds files come
/// from `configs/folds/`, the corpora from `SERLAB_CORPORA` alone (issue 14, data locations).
@Suite(.serialized) struct RelocatedConfigTests {
    /// configs/ (with configs/folds/) copied into an empty temporary folder, the run started there with
    /// `SERLAB_FOLDS` emptied; small features, two emotions, one epoch keep it short. Without the copied
    /// folds file the same command fails naming it: the run read the copy, nothing beside the repository.
    @Test(.realCorpora) func shippedFoldsFileConfigRunsFromACopyWithoutNeighbours() throws {
        let corpora = try TestSupport.corpus("ravdess").deletingLastPathComponent()
        let folder = TestSupport.temporaryDirectory("serlab-relocated")
        defer { try? FileManager.default.removeItem(at: folder) }
        let project = folder.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent("configs"), to: project.appendingPathComponent("configs"))
        let arguments = ["run", "configs/mlp_ravdess.json", "--cache", "cache",
                         "--set", "training.epochs=1", "--set", "dataset.labels=[\"angry\",\"sad\"]",
                         "--set", "features.sampleRate=16000", "--set", "features.features=[\"mfcc\"]", "--set", "features.mfccCount=13",
                         "--set", "features.melBandCount=40", "--set", "features.fftLength=512", "--set", "features.hopLength=160",
                         "--set", "features.percentiles=[]", "--set", "training.threads=2"]
        let environment = ["SERLAB_CORPORA": corpora.path, "SERLAB_FOLDS": ""]
        let result = try TestSupport.runSerlab(arguments, in: project, environment: environment)
        try #require(result.status == 0, "serlab run from \(project.path): \(result.standardError)")

        let runs = project.appendingPathComponent("results/mlp_ravdess")
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).first)
        let metrics = try Data(contentsOf: runs.appendingPathComponent(run).appendingPathComponent("metrics.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: metrics) as? [String: Any])
        let evaluation = try #require(json["protocol"] as? [String: Any])
        #expect(evaluation["kind"] as? String == "foldsFile")
        #expect(evaluation["folds"] as? Int == 6, "the six EmoBox speaker groups of configs/folds/ravdess_spk6.csv")

        try FileManager.default.removeItem(at: project.appendingPathComponent("configs/folds"))
        let without = try TestSupport.runSerlab(arguments + ["--fresh"], in: project, environment: environment)
        #expect(without.status != 0)
        #expect(without.standardError.contains("ravdess_spk6.csv"), "the error names the folds file: \(without.standardError)")
    }
}
