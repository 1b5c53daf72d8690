import Foundation
import SERReport
import SERResults

/// The runs under `--results`: the experiments table (`GET /api/runs`), `serlab compare`'s comparison of
/// selected runs (`GET /api/compare`) and a run's report (`GET /report`). A run is named by its folder's
/// path relative to the results folder (`mlp_savee/20261207-101500-0`).
struct RunCatalog: Sendable {
    let root: URL?

    struct Entry: Encodable, Sendable {
        var id: String
        var name: String?
        var corpus: String?
        var model: String?
        var evaluation: String?
        var folds: Int?
        /// Mean over folds, in [0, 1].
        var uar: Double?
        var accuracy: Double?
        var uarStd: Double?
        var accuracyStd: Double?
        /// When the run started: from a `yyyyMMdd-HHmmss-seed` run id, else the metrics file's date (ISO 8601, UTC).
        var date: String?
        var syntheticData: Bool?
        /// Why the run folder could not be read (listed anyway, so the page can say so).
        var error: String?
    }

    struct Listing: Encodable, Sendable {
        var folder: String?
        var runs: [Entry]
    }

    func list() -> Listing {
        guard let root else { return Listing(folder: nil, runs: []) }
        var entries: [Entry] = []
        ContainedPath.walk(root, depth: ServeConfiguration.resultsDepth) { url, relative, isFolder in
            guard isFolder, relative != "baselines" else { return false }
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("metrics.json").path) else { return true }
            do {
                entries.append(Self.entry(try RunFolder(url: url), id: relative))
            } catch {
                entries.append(Entry(id: relative, error: BundleCatalog.relative(error.localizedDescription, root: root)))
            }
            return false
        }
        return Listing(folder: root.path, runs: entries)
    }

    static func entry(_ run: RunFolder, id: String) -> Entry {
        let metrics = run.metrics
        return Entry(id: id, name: metrics.name, corpus: metrics.corpus, model: metrics.model, evaluation: metrics.protocol.kind,
                     folds: metrics.folds.count, uar: metrics.mean?.uar, accuracy: metrics.mean?.accuracy,
                     uarStd: metrics.std?.uar, accuracyStd: metrics.std?.accuracy,
                     date: date(runID: run.runID, metricsFile: run.url.appendingPathComponent("metrics.json")),
                     syntheticData: metrics.syntheticData)
    }

    static func date(runID: String, metricsFile: URL) -> String? {
        let iso = ISO8601DateFormatter()
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = TimeZone(identifier: "UTC")
        parser.dateFormat = "yyyyMMdd-HHmmss"
        if runID.count >= 15, let date = parser.date(from: String(runID.prefix(15))) { return iso.string(from: date) }
        let modified = (try? FileManager.default.attributesOfItem(atPath: metricsFile.path))?[.modificationDate] as? Date
        return modified.map(iso.string(from:))
    }

    /// The run folder a request names (refused outside the results folder, see `ContainedPath`).
    func run(_ id: String?) throws -> RunFolder {
        guard let root else { throw ServeError.notFound("run: the server was started without --results, so no run can be opened") }
        guard let id, !id.isEmpty else { throw ServeError.badRequest("run: expected a run id from /api/runs, found none") }
        let url = try ContainedPath.resolve(id, under: root, what: "run")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("metrics.json").path) else {
            throw ServeError.notFound("run: '\(id)' is not a run folder (it holds no metrics.json)")
        }
        do { return try RunFolder(url: url) } catch {
            throw ServeError(.unprocessableContent, "run: \(BundleCatalog.relative(error.localizedDescription, root: root))")
        }
    }

    /// `serlab compare`'s comparison of the runs named (at least one); runs that cannot be compared fall into
    /// separate groups, as on the command line.
    func compare(_ ids: [String]) throws -> Comparison {
        guard !ids.isEmpty else { throw ServeError.badRequest("compare: expected one or more run=<id> parameters, found none") }
        guard ids.count <= 100 else { throw ServeError.badRequest("compare: expected at most 100 runs, found \(ids.count)") }
        let runs = try ids.map(run)
        do { return try Comparison(runs: runs) } catch {
            throw ServeError(.unprocessableContent, "compare: \(error.localizedDescription)")
        }
    }

    /// The HTML `serlab report <run>` writes.
    func report(_ id: String?) throws -> String {
        let run = try run(id)
        do {
            try run.corpusOverview?.validate(path: run.url.appendingPathComponent("corpusOverview.json").path)
            return try HTMLReport(runs: [run]).html()
        } catch {
            throw ServeError(.unprocessableContent, "report: \(BundleCatalog.relative(error.localizedDescription, root: root!))")
        }
    }
}
