import Foundation
import Hummingbird
import Logging

/// The web app of `serlab serve`: the pages, and the JSON API they call.
///
/// | route | answer |
/// |---|---|
/// | `GET /`, `GET /experiments` | the Predict and Experiments pages (`WebPage`) |
/// | `GET /assets/serve.css`, `/assets/serve.js` | their style and script |
/// | `GET /api/bundles` | the bundles under `--models` |
/// | `POST /api/predict?bundle=<name>&segment=auto\|yes\|no` | one uploaded file's prediction (`UploadPrediction`) |
/// | `GET /api/runs` | the runs under `--results` |
/// | `GET /api/compare?run=<id>&run=<id>...` | `serlab compare`'s comparison (groups, rows, paired tests) |
/// | `GET /report?run=<id>` | the run's HTML report, as `serlab report` writes it |
///
/// Every error is `{"error": {"status", "message"}}` with a 4xx status for bad input (`ServeError`).
public struct ServeApplication: Sendable {
    public let configuration: ServeConfiguration
    let bundles: BundleCatalog
    let runs: RunCatalog
    let slots: PredictionSlots

    public init(configuration: ServeConfiguration) {
        self.configuration = configuration
        bundles = BundleCatalog(root: configuration.modelsFolder)
        runs = RunCatalog(root: configuration.resultsFolder)
        slots = PredictionSlots(slots: configuration.predictionSlots, waiting: configuration.waitingPredictions)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.get("/") { _, _ in WebPage.predict.response }
        router.get("/experiments") { _, _ in WebPage.experiments.response }
        router.get("/assets/serve.css") { _, _ in WebPage.style.response }
        router.get("/assets/serve.js") { _, _ in WebPage.script.response }
        router.get("/assets/recorder-worklet.js") { _, _ in WebPage.recorderWorklet.response }
        router.get("/api/bundles") { _, _ in JSONBody.response(try await onDispatchThread { bundles.list() }) }
        router.post("/api/predict") { request, _ in try await predict(request) }
        router.get("/api/runs") { _, _ in JSONBody.response(try await onDispatchThread { runs.list() }) }
        router.get("/api/compare") { request, _ in
            let ids: [String] = request.uri.queryParameters.getAll("run")
            return JSONBody.response(try await onDispatchThread { try runs.compare(ids) })
        }
        router.get("/report") { request, _ in
            let id = request.uri.queryParameters.get("run")
            let html = try await onDispatchThread { try runs.report(id) }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        return router
    }

    /// The Hummingbird application on the configured address; `onListening` gets the URL once the socket
    /// is bound (with the port the system picked for port 0).
    public func application(logger: Logger? = nil, onListening: @escaping @Sendable (String) async -> Void = { _ in })
        -> some ApplicationProtocol {
        // Quiet by default (warnings and errors only); LOG_LEVEL=info or debug shows Hummingbird's own lines.
        var defaultLogger = Logger(label: "serlab-serve")
        defaultLogger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        let logger = logger ?? defaultLogger
        let host = configuration.host
        return Application(router: router(),
                           configuration: .init(address: .hostname(host, port: configuration.port), serverName: "serlab"),
                           onServerRunning: { channel in
                               let port = channel.localAddress?.port ?? 0
                               let shown = host.contains(":") ? "[\(host)]" : host
                               await onListening("http://\(shown):\(port)/")
                           },
                           logger: logger)
    }

    func predict(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let bundleName = query.get("bundle")
        let bundleURL = try bundles.url(of: bundleName)
        let segmentText = query.get("segment") ?? "auto"
        guard let segment = UploadPrediction.SegmentChoice(rawValue: segmentText) else {
            throw ServeError.badRequest("segment: expected auto, yes or no, found '\(segmentText)'")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maximumUploadBytes {
            throw Self.tooLarge(length, limit: configuration.maximumUploadBytes)
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: configuration.maximumUploadBytes) } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(nil, limit: configuration.maximumUploadBytes)
        }
        let upload = try MultipartUpload(body: body, contentType: request.headers[.contentType])
        let (configuration, bundles, name) = (configuration, bundles, bundleName ?? "")
        let result = try await slots.run {
            try Spool.with(upload.bytes) { url in
                try bundles.withPredictor(bundleURL) { predictor in
                    try UploadPrediction.predict(url, file: upload.filename, bundle: name, predictor: predictor, segment: segment, configuration: configuration)
                }
            }
        }
        return JSONBody.response(result)
    }

    static func tooLarge(_ length: Int?, limit: Int) -> ServeError {
        let found = length.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "more"
        return ServeError(.contentTooLarge, String(format: "upload: expected at most %.1f MiB (serlab serve --max-upload-mb), found %@", Double(limit) / 1_048_576, found))
    }
}

/// An upload written to a file of its own in a fresh temporary folder, removed afterwards: the audio
/// readers work on files, and decode by content (the file has no extension).
enum Spool {
    static func with<T>(_ bytes: ByteBuffer, _ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-serve-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("upload")
        let data = bytes.withUnsafeReadableBytes { Data($0) }
        try data.write(to: url)
        return try body(url)
    }
}
