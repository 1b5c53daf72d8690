import Foundation
import Hummingbird
import HummingbirdTesting
import SERAudio
import SERPredict
import SERPredictTestSupport
import SERTestSupport
import Testing
@testable import SERServe

/// Every endpoint over HTTP (HummingbirdTesting's router client; the listening test uses a live socket).
@Suite("serlab serve") struct ServeTests {
    func withApp(_ edit: (inout ServeConfiguration) -> Void = { _ in }, _ body: @Sendable (any TestClientProtocol, ServeFixture) async throws -> Void) async throws {
        let fixture = try ServeFixture()
        defer { fixture.remove() }
        let app = ServeApplication(configuration: fixture.configuration(edit)).application()
        try await app.test(.router) { client in try await body(client, fixture) }
    }

    @Test func pagesAndAssetsAreServedAndFetchNothingElsewhere() async throws {
        try await withApp { client, _ in
            for (path, type, marker) in [("/", "text/html", "id=\"bundle\""), ("/experiments", "text/html", "id=\"runs\""),
                                         ("/assets/serve.css", "text/css", ".card"), ("/assets/serve.js", "text/javascript", "encodeWAV"),
                                         ("/assets/recorder-worklet.js", "text/javascript", "registerProcessor")] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                    let text = String(buffer: response.body)
                    #expect(text.contains(marker), "\(path)")
                    for external in ["src=\"http", "href=\"http", "url(http", "@import", "fonts.googleapis"] {
                        #expect(!text.contains(external), "\(path) refers to \(external)")
                    }
                }
            }
            try await client.execute(uri: "/no/such/page", method: .get) { response in
                let error = try ServeFixture.errorMessage(response)
                #expect(response.status == .notFound && error.status == 404)
            }
        }
    }

    @Test func bundlesAreListedAndNothingOutsideTheFolder() async throws {
        try await withApp { client, fixture in
            try await client.execute(uri: "/api/bundles", method: .get) { response in
                #expect(response.status == .ok)
                let bundles = try #require(try ServeFixture.json(response)["bundles"] as? [[String: Any]])
                let names = bundles.compactMap { $0["name"] as? String }
                #expect(names == ["broken.serlab", "fixture.serlab", "more/single.serlab"])  // escape.serlab (symlink out) is not listed
                #expect(bundles[1]["labels"] as? [String] == BundleFixture.labels)
                #expect(bundles[1]["members"] as? Int == 2 && bundles[2]["members"] as? Int == 1)
                #expect((bundles[0]["error"] as? String)?.contains("broken.serlab") == true)
                #expect((bundles[0]["error"] as? String)?.contains(fixture.models.path) == false)  // named relative to the folder
            }
        }
    }

    /// An uploaded corpus file gets what `Predictor` gives the same file (what `serlab predict` prints).
    @Test(.realCorpora) func uploadIsPredictedAsThePredictorPredictsTheFile() async throws {
        let file = try TestSupport.corpus("savee").appendingPathComponent("AudioData/DC/a01.flac")
        let bytes = try Data(contentsOf: file)
        try await withApp { client, fixture in
            let expected = try Predictor(bundle: ModelBundle.read(fixture.models.appendingPathComponent("fixture.serlab"))).predict(url: file)
            let (body, headers) = ServeFixture.upload("a01.flac", bytes)
            try await client.execute(uri: "/api/predict?bundle=fixture.serlab&segment=no", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                let json = try ServeFixture.json(response)
                #expect(json["file"] as? String == "a01.flac")
                #expect(json["label"] as? String == expected.label)
                // The same bits up to JSON's round trip (JSONSerialization may miss the last digit).
                let probabilities = try #require(json["probabilities"] as? [Double])
                #expect(probabilities.count == expected.probabilities.count)
                #expect(zip(probabilities, expected.probabilities).allSatisfy { abs($0 - $1) < 1e-12 })
                #expect(abs((json["duration"] as? Double ?? 0) - expected.duration) < 1e-9)
                let envelope = try #require(json["envelope"] as? [String: [Double]])
                #expect(envelope["minimum"]?.count == UploadPrediction.envelopeSlices && envelope["maximum"]?.count == UploadPrediction.envelopeSlices)
                #expect(json["timeline"] == nil)
            }
            // The page inserts the timeline's SVG as markup: the file name in its title must arrive escaped.
            let (again, againHeaders) = ServeFixture.upload("<b onclick=x>a01.flac", bytes)
            try await client.execute(uri: "/api/predict?bundle=more%2Fsingle.serlab&segment=yes", method: .post, headers: againHeaders, body: again) { response in
                #expect(response.status == .ok)
                let timeline = try #require(try ServeFixture.json(response)["timeline"] as? [String: Any])
                #expect((timeline["segments"] as? [Any])?.isEmpty == false)
                let svg = try #require(timeline["svg"] as? String)
                #expect(svg.hasPrefix("<svg"))
                #expect(svg.contains("&lt;b onclick=x&gt;a01.flac") && !svg.contains("<b "))
            }
        }
    }

    /// Every hostile input of SERAudio's and SERPredict's tests gets a 4xx JSON error naming the upload
    /// (never the server's temporary file), and the server goes on predicting.
    @Test(.realCorpora) func hostileAudioGetsA4xxAndTheServerKeepsServing() async throws {
        let folder = TestSupport.temporaryDirectory("serlab-serve-hostile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let goodURL = folder.appendingPathComponent("good.wav")
        try AudioFile.write(AudioClip(samples: (0..<26460).map { 0.3 * sin(2 * .pi * 220 * Float($0) / 22050) }, sampleRate: 22050), to: goodURL, encoding: .float32)
        let good = try Data(contentsOf: goodURL)
        let flac = try Data(contentsOf: TestSupport.corpus("savee").appendingPathComponent("AudioData/DC/a01.flac"))
        let hostile: [(String, Data)] = [
            ("truncated.wav", good.prefix(good.count / 2)), ("cut-header.wav", good.prefix(30)),
            ("empty.wav", RawWAV.float32([])), ("nonfinite.wav", RawWAV.float32([0.1, .nan, 0.2])),
            ("infinite.wav", RawWAV.float32([0.1, .infinity, 0.2])), ("minus-infinite.wav", RawWAV.float32([-.infinity, 0.1])),
            ("text.wav", Data("not audio at all".utf8)),
            ("truncated.flac", flac.prefix(flac.count / 3)), ("zero-bytes.wav", Data()),
        ]
        try await withApp { client, _ in
            for (name, bytes) in hostile {
                let (body, headers) = ServeFixture.upload(name, bytes)
                try await client.execute(uri: "/api/predict?bundle=fixture.serlab", method: .post, headers: headers, body: body) { response in
                    #expect((400..<500).contains(Int(response.status.code)), "\(name): \(response.status)")
                    let error = try ServeFixture.errorMessage(response)
                    #expect(error.status == Int(response.status.code))
                    #expect(error.message.contains(name), "\(name): \(error.message)")
                    #expect(!error.message.contains("serlab-serve-"), "\(name) leaks the spool path: \(error.message)")
                }
            }
            let (body, headers) = ServeFixture.upload("good.wav", good)
            try await client.execute(uri: "/api/predict?bundle=fixture.serlab", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func malformedRequestsAreRefusedSayingWhy() async throws {
        try await withApp({ $0.maximumUploadBytes = 4096 }) { client, _ in
            let wav = RawWAV.float32([Float](repeating: 0.1, count: 400))
            func check(_ uri: String, _ body: ByteBuffer, _ headers: HTTPFields, _ status: HTTPResponse.Status, _ words: String) async throws {
                try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status, "\(uri): \(response.status)")
                    guard status != .ok else { return }
                    let message = try ServeFixture.errorMessage(response).message
                    #expect(message.contains(words), "\(uri): \(message)")
                }
            }
            let (one, multipartHeaders) = ServeFixture.upload("a.wav", wav)
            try await check("/api/predict?bundle=fixture.serlab", ServeFixture.upload("big.wav", Data(count: 8000)).0, multipartHeaders, .contentTooLarge, "--max-upload-mb")
            try await check("/api/predict?bundle=fixture.serlab", ByteBuffer(bytes: wav), [.contentType: "audio/wav"], .unsupportedMediaType, "multipart/form-data")
            try await check("/api/predict?bundle=fixture.serlab", one, [.contentType: "multipart/form-data"], .badRequest, "boundary")
            try await check("/api/predict?bundle=fixture.serlab", ServeFixture.multipart([("other", "a.wav", wav)]).0, multipartHeaders, .badRequest, "exactly one part named 'file'")
            try await check("/api/predict?bundle=fixture.serlab", ServeFixture.multipart([("file", "a.wav", wav), ("file", "b.wav", wav)]).0, multipartHeaders, .badRequest, "found 2")
            try await check("/api/predict?bundle=fixture.serlab", ByteBuffer(string: "garbage without boundary"), multipartHeaders, .badRequest, "exactly one part")
            try await check("/api/predict", one, multipartHeaders, .badRequest, "expected the name of a bundle")
            try await check("/api/predict?bundle=nothing.serlab", one, multipartHeaders, .notFound, "no 'nothing.serlab'")
            try await check("/api/predict?bundle=broken.serlab", one, multipartHeaders, .unprocessableContent, "broken.serlab")
            try await check("/api/predict?bundle=fixture.serlab&segment=maybe", one, multipartHeaders, .badRequest, "auto, yes or no")
            try await check("/api/predict?bundle=fixture.serlab", one, multipartHeaders, .ok, "")
        }
    }

    /// `..`, absolute paths and symlinks out of the folder are refused for bundles, runs and reports.
    @Test func pathsOutsideTheFoldersAreRefused() async throws {
        try await withApp { client, fixture in
            let (body, headers) = ServeFixture.upload("a.wav", RawWAV.float32([Float](repeating: 0.1, count: 400)))
            let secret = fixture.outside.appendingPathComponent("secret.serlab").path
            for (bundle, status) in [("../outside/secret.serlab", HTTPResponse.Status.badRequest), ("more/../fixture.serlab", .badRequest),
                                     (secret, .badRequest), ("escape.serlab", .forbidden), ("./fixture.serlab", .badRequest)] {
                let encoded = bundle.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                try await client.execute(uri: "/api/predict?bundle=\(encoded)", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status, "\(bundle): \(response.status)")
                }
            }
            let hidden = fixture.outside.appendingPathComponent("hidden_run/20261203-000000-0").path
            for (run, status) in [("../outside/hidden_run/20261203-000000-0", HTTPResponse.Status.badRequest), (hidden, .badRequest),
                                  ("linked/20261203-000000-0", .forbidden), ("mlp_fixture/../../outside/hidden_run/20261203-000000-0", .badRequest)] {
                let encoded = run.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                for uri in ["/report?run=\(encoded)", "/api/compare?run=\(encoded)"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == status, "\(uri): \(response.status)")
                        #expect(!String(buffer: response.body).contains("hidden_run\","), "\(uri)")
                    }
                }
            }
        }
    }

    @Test func runsAreListedComparedAndReported() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/api/runs", method: .get) { response in
                #expect(response.status == .ok)
                let runs = try #require(try ServeFixture.json(response)["runs"] as? [[String: Any]])
                #expect(runs.compactMap { $0["id"] as? String } == ["broken_run/20261204-000000-0", "cnn_fixture/20261202-111500-0", "mlp_fixture/20261201-101500-0"])
                #expect((runs[0]["error"] as? String)?.contains("metrics.json") == true)
                #expect(abs((runs[2]["uar"] as? Double ?? 0) - 0.625) < 1e-9)
                #expect(runs[2]["model"] as? String == "mlp" && runs[2]["corpus"] as? String == "fixture")
                #expect(runs[2]["date"] as? String == "2026-12-01T10:15:00Z")
            }
            try await client.execute(uri: "/api/compare?run=mlp_fixture%2F20261201-101500-0&run=cnn_fixture%2F20261202-111500-0", method: .get) { response in
                #expect(response.status == .ok)
                let groups = try #require(try ServeFixture.json(response)["groups"] as? [[String: Any]])
                #expect(groups.count == 1)
                let rows = try #require(groups[0]["rows"] as? [[String: Any]])
                #expect(rows.count == 2)
                let pairs = try #require(groups[0]["pairs"] as? [[String: Any]])
                #expect(pairs.count == 1 && pairs[0]["wilcoxon"] != nil && pairs[0]["pairedT"] != nil)
            }
            try await client.execute(uri: "/api/compare", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/report?run=mlp_fixture%2F20261201-101500-0", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("mlp_fixture"))
            }
            try await client.execute(uri: "/report?run=broken_run%2F20261204-000000-0", method: .get) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/report?run=mlp_fixture", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    /// With one slot and no waiting room a second prediction is refused with 503 while the first runs;
    /// with room, they queue and all finish.
    @Test func predictionConcurrencyIsBounded() async throws {
        let slots = PredictionSlots(slots: 1, waiting: 0)
        async let first: Int = slots.run { Thread.sleep(forTimeInterval: 0.5); return 1 }
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: ServeError.self) { _ = try await slots.run { 2 } }
        #expect(try await first == 1)
        #expect(try await slots.run { 3 } == 3)

        let queued = PredictionSlots(slots: 2, waiting: 8)
        let running = RunningCount()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask { try await queued.run { running.enter(); Thread.sleep(forTimeInterval: 0.05); running.leave(); return index } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<8))
        #expect(running.peak <= 2)
    }

    /// On a live socket with port 0 the server says which URL it listens on: loopback, a real port.
    @Test func listeningURLIsReportedForPortZero() async throws {
        let fixture = try ServeFixture()
        defer { fixture.remove() }
        let heard = Heard()
        let app = ServeApplication(configuration: fixture.configuration()).application { url in heard.set(url) }
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/bundles", method: .get) { response in #expect(response.status == .ok) }
        }
        let url = try #require(heard.value)
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/"))
        let port = Int(url.dropFirst("http://127.0.0.1:".count).dropLast()) ?? 0
        #expect(port > 0)
    }
}

/// The largest number of closures running at once.
final class RunningCount: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var peak = 0
    func enter() { lock.withLock { current += 1; peak = max(peak, current) } }
    func leave() { lock.withLock { current -= 1 } }
}

final class Heard: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? { lock.withLock { stored } }
    func set(_ value: String) { lock.withLock { stored = value } }
}
