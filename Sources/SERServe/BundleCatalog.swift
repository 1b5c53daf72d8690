import Foundation
import SERPredict

/// The model bundles under `--models`: what the page lists (`GET /api/bundles`) and what a prediction
/// names. A bundle is named by its path relative to the folder.
struct BundleCatalog: Sendable {
    let root: URL?
    let predictors = PredictorPool()

    struct Entry: Encodable, Sendable {
        var name: String
        var labels: [String]?
        var members: Int?
        var sampleRate: Int?
        var provenance: String?
        var bytes: Int
        /// Why the bundle cannot be used (it is still listed, so the page can say so).
        var error: String?
    }

    struct Listing: Encodable, Sendable {
        var folder: String?
        var bundles: [Entry]
    }

    func list() -> Listing {
        guard let root else { return Listing(folder: nil, bundles: []) }
        var entries: [Entry] = []
        ContainedPath.walk(root, depth: ServeConfiguration.modelDepth) { url, relative, isFolder in
            guard !isFolder, url.pathExtension == ModelBundle.fileExtension else { return true }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            do {
                let bundle = try ModelBundle.read(url)
                entries.append(Entry(name: relative, labels: bundle.labels, members: bundle.members.count,
                                     sampleRate: bundle.featureSpec.sampleRate, provenance: bundle.provenance, bytes: bytes))
            } catch {
                entries.append(Entry(name: relative, bytes: bytes, error: Self.relative(error.localizedDescription, root: root)))
            }
            return true
        }
        return Listing(folder: root.path, bundles: entries)
    }

    /// The bundle file a request names (refused outside the folder, see `ContainedPath`).
    func url(of name: String?) throws -> URL {
        guard let root else { throw ServeError.notFound("bundle: the server was started without --models, so no bundle can be used") }
        guard let name, !name.isEmpty else { throw ServeError.badRequest("bundle: expected the name of a bundle under --models (see /api/bundles), found none") }
        let url = try ContainedPath.resolve(name, under: root, what: "bundle")
        guard url.pathExtension == ModelBundle.fileExtension else {
            throw ServeError.badRequest("bundle: expected a .\(ModelBundle.fileExtension) file, found '\(name)'")
        }
        return url
    }

    /// Runs `body` with a predictor of the bundle a request names (see `PredictorPool`); a bundle that
    /// cannot be read is refused with 422 and why.
    func withPredictor<T>(_ url: URL, _ body: (Predictor) throws -> T) throws -> T {
        do {
            return try predictors.with(url, body)
        } catch let error as ServeError {
            throw error
        } catch {
            throw ServeError(.unprocessableContent, "bundle: \(Self.relative(error.localizedDescription, root: root ?? url))")
        }
    }

    /// Error messages name files relative to the folder served, not by their absolute path.
    static func relative(_ message: String, root: URL) -> String {
        let base = root.standardizedFileURL.resolvingSymlinksInPath().path
        return message.replacingOccurrences(of: base + "/", with: "")
    }
}
