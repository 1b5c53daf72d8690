import Foundation
import Hummingbird
import HummingbirdTesting
import SERAudio
import SERPredict
import SERPredictTestSupport
import SERResults
import SERTestSupport
@testable import SERServe

/// A models folder and a results folder for the server tests, with the traps path safety must refuse:
/// a bundle and a run reached through symlinks that lead out of their folder, an unreadable bundle, and
/// a run whose metrics.json is broken.
struct ServeFixture {
    let root = TestSupport.temporaryDirectory("serlab-serve")
    var models: URL { root.appendingPathComponent("models") }
    var results: URL { root.appendingPathComponent("results") }
    /// Outside both folders: what the symlinks point at.
    var outside: URL { root.appendingPathComponent("outside") }

    init() throws {
        let files = FileManager.default
        for folder in [models, models.appendingPathComponent("more"), results, outside] {
            try files.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try BundleFixture.bundle().write(to: models.appendingPathComponent("fixture.serlab"))
        try BundleFixture.bundle(members: 1).write(to: models.appendingPathComponent("more/single.serlab"))
        try Data("not a bundle".utf8).write(to: models.appendingPathComponent("broken.serlab"))
        try BundleFixture.bundle().write(to: outside.appendingPathComponent("secret.serlab"))
        try files.createSymbolicLink(at: models.appendingPathComponent("escape.serlab"), withDestinationURL: outside.appendingPathComponent("secret.serlab"))

        try Self.writeRun(results.appendingPathComponent("mlp_fixture/20261201-101500-0"), name: "mlp_fixture", model: "mlp", uars: [0.60, 0.55, 0.70, 0.65])
        try Self.writeRun(results.appendingPathComponent("cnn_fixture/20261202-111500-0"), name: "cnn_fixture", model: "cnn", uars: [0.50, 0.45, 0.52, 0.48])
        try Self.writeRun(outside.appendingPathComponent("hidden_run/20261203-000000-0"), name: "hidden_run", model: "mlp", uars: [0.9, 0.9, 0.9, 0.9])
        try files.createSymbolicLink(at: results.appendingPathComponent("linked"), withDestinationURL: outside.appendingPathComponent("hidden_run"))
        let broken = results.appendingPathComponent("broken_run/20261204-000000-0")
        try files.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: broken.appendingPathComponent("metrics.json"))
    }

    func configuration(_ edit: (inout ServeConfiguration) -> Void = { _ in }) -> ServeConfiguration {
        var configuration = ServeConfiguration()
        configuration.port = 0
        configuration.modelsFolder = models
        configuration.resultsFolder = results
        configuration.predictionSlots = 2
        edit(&configuration)
        return configuration
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// A metrics.json as the runner writes it (only the file RunFolder needs), four folds.
    static func writeRun(_ folder: URL, name: String, model: String, uars: [Double]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let folds = uars.enumerated().map { index, uar in
            RunMetrics.FoldMetrics(fold: index + 1, testCount: 40, accuracy: uar + 0.01, uar: uar, macroF1: uar - 0.02, perClass: nil, epochKept: nil)
        }
        let mean = uars.reduce(0, +) / Double(uars.count)
        let metrics = RunMetrics(name: name, corpus: "fixture", model: model, labels: BundleFixture.labels,
                                 protocol: .init(kind: "speakerFolds", folds: uars.count, foldsHash: String(repeating: "0f", count: 32)),
                                 speakerOverlap: false, syntheticData: false, folds: folds,
                                 mean: .init(accuracy: mean + 0.01, uar: mean, macroF1: mean - 0.02), std: nil, pooled: nil, confidence95: nil)
        try Data(ResultsFile.jsonText(metrics).utf8).write(to: folder.appendingPathComponent("metrics.json"))
    }

    /// A multipart/form-data body with one part per (field, file name, bytes).
    static func multipart(_ parts: [(field: String, filename: String?, bytes: Data)], boundary: String = "serlab-test-boundary") -> (ByteBuffer, HTTPFields) {
        var body = Data()
        for part in parts {
            var disposition = "form-data; name=\"\(part.field)\""
            if let filename = part.filename { disposition += "; filename=\"\(filename)\"" }
            body += Data("--\(boundary)\r\nContent-Disposition: \(disposition)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += part.bytes + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), [.contentType: "multipart/form-data; boundary=\(boundary)"])
    }

    static func upload(_ filename: String, _ bytes: Data) -> (ByteBuffer, HTTPFields) {
        multipart([(MultipartUpload.fieldName, filename, bytes)])
    }

    /// The `{"error": {"status", "message"}}` body of a refused request.
    static func errorMessage(_ response: TestResponse) throws -> (status: Int, message: String) {
        let object = try JSONSerialization.jsonObject(with: data(response.body)) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        return (error?["status"] as? Int ?? -1, error?["message"] as? String ?? "<no message>")
    }

    static func data(_ buffer: ByteBuffer) -> Data { buffer.withUnsafeReadableBytes { Data($0) } }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data(response.body)) as? [String: Any] ?? [:]
    }
}
