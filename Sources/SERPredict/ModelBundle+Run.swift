import Foundation
import SERCore
import SERExperiment
import SERNet
import SERResults

/// Why a results folder cannot be turned into a bundle. Every case names the folder or file.
public enum RunBundleError: LocalizedError, Equatable {
    /// No config.resolved.json: not a run folder of `serlab run`.
    case notARun(path: String)
    /// No metrics.json yet: the run was interrupted or is still going.
    case unfinished(path: String)
    /// Finished, but made without `--save-models`.
    case noSavedModels(path: String)
    /// `--fold K` for a fold the run does not have (or without a saved model).
    case missingFold(path: String, fold: Int, available: [Int])
    /// environment.json or a fold's files cannot be read.
    case unreadable(path: String, reason: String)
    /// A deliberately weakened run of the accuracy gate (`SERLAB_GATE_CONTROL`): its models must never be deployed.
    case weakened(path: String, control: String)
    /// A model kind bundles cannot hold (they store SERNet networks): an svm run.
    case unsupportedModel(path: String, model: String)

    public var errorDescription: String? {
        switch self {
        case .notARun(let path):
            return "\(path): not a run folder of `serlab run` (expected config.resolved.json in it)"
        case .unfinished(let path):
            return "\(path): the run is unfinished (no metrics.json); finish it first (`serlab run` with the same config resumes it)"
        case .noSavedModels(let path):
            return "\(path): the run saved no models (no folds/fold-<k>/model.h5); rerun the config with --save-models"
        case .missingFold(let path, let fold, let available):
            return "\(path): no saved model for fold \(fold); folds with a model: \(available.map(String.init).joined(separator: ", "))"
        case .unreadable(let path, let reason):
            return "\(path): \(reason)"
        case .weakened(let path, let control):
            return "\(path): a deliberately weakened gate-control run (gateControl \(control) in config.resolved.json); its models are broken on purpose and cannot be bundled"
        case .unsupportedModel(let path, let model):
            return "\(path): model.type \"\(model)\" in config.resolved.json cannot go into a model bundle (bundles hold mlp, cnn or lstm networks)"
        }
    }
}

extension ModelBundle {
    /// The bundle of a finished run made with `--save-models`: every saved fold model as an ensemble,
    /// or fold `fold` alone. Each member is a fold's `model.h5` (and a seed ensemble's `model-2.h5`, ...) with
    /// its `normalization.json`; the rest
    /// comes from config.resolved.json and environment.json. Provenance names the run as
    /// `<experiment>/<run id>` (no absolute path: the bundle may travel).
    public static func fromRun(_ folder: URL, fold: Int? = nil) throws -> ModelBundle {
        let run = RunDirectory(url: folder)
        let configURL = folder.appendingPathComponent("config.resolved.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else { throw RunBundleError.notARun(path: folder.path) }
        if let saved = try? JSONParser.parse(try Data(contentsOf: configURL), source: configURL.path) {
            if case .string(let control)? = saved["gateControl"] { throw RunBundleError.weakened(path: folder.path, control: control) }
            if case .string(let model)? = saved["model"]?["type"], !["mlp", "cnn", "lstm"].contains(model) {
                throw RunBundleError.unsupportedModel(path: folder.path, model: model)
            }
        }
        guard run.isFinished else { throw RunBundleError.unfinished(path: folder.path) }
        let saved = savedFolds(run)
        guard !saved.isEmpty else { throw RunBundleError.noSavedModels(path: folder.path) }
        var chosen = saved
        if let fold {
            guard saved.contains(fold) else { throw RunBundleError.missingFold(path: folder.path, fold: fold, available: saved) }
            chosen = [fold]
        }
        let config = try ConfigLoader.load(configURL)
        let resolved = try JSONParser.parse(try Data(contentsOf: configURL), source: configURL.path)
        let environmentURL = folder.appendingPathComponent("environment.json")
        let environment: RunEnvironment
        do { environment = try ResultsFile.read(RunEnvironment.self, from: environmentURL) } catch {
            throw RunBundleError.unreadable(path: environmentURL.path, reason: error.localizedDescription)
        }
        var members: [BundleMember] = []
        for index in chosen {
            let foldFolder = run.foldURL(index)
            let models = try FoldCheckpoint.savedMembers(in: foldFolder).map { try Model.load(from: $0) }
            let normalizationURL = foldFolder.appendingPathComponent("normalization.json")
            let json: JSONValue
            do { json = try JSONParser.parse(try Data(contentsOf: normalizationURL), source: normalizationURL.path) } catch {
                throw RunBundleError.unreadable(path: normalizationURL.path, reason: "expected the fold's normalisation statistics: \(error.localizedDescription)")
            }
            let normalizer = try Normalizer(json: json, path: normalizationURL.path)
            // Only the training-global statistics travel (see `ModelBundle.normalization`).
            members += models.map { BundleMember(model: $0, normalizer: Normalizer(kind: normalizer.kind, global: normalizer.global)) }
        }
        let name = folder.standardizedFileURL.pathComponents.suffix(2).joined(separator: "/")
        let folds = chosen.count == 1 ? "fold \(chosen[0])" : "folds \(chosen.map(String.init).joined(separator: ", "))"
        let bundle = ModelBundle(members: members, labels: members[0].model.labels, featureSpec: config.features, input: config.input,
                                 normalization: config.normalization, resolvedConfig: resolved,
                                 dataFingerprint: environment.data.fingerprint,
                                 provenance: "bundle of run \(name), \(folds)")
        try bundle.validate(path: folder.path)
        return bundle
    }

    /// Indices of the finished folds that saved a model, ascending.
    static func savedFolds(_ run: RunDirectory) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.url.appendingPathComponent("folds").path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("fold-"), let index = Int(name.dropFirst(5)), run.isFoldDone(index),
                  !FoldCheckpoint.savedMembers(in: run.foldURL(index)).isEmpty else { return nil }
            return index
        }.sorted()
    }
}
