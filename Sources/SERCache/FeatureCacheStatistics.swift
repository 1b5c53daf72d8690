import Foundation

/// What one `FeatureCache.features(for:)` call did.
public struct FeatureCacheStatistics: Sendable, Equatable {
    /// The cache file read and written.
    public var cacheFile: URL
    /// Input files asked for.
    public var files: Int
    /// Served from the cache (including `revalidated`).
    public var hits: Int
    /// Hits whose mtime had moved but whose content hash still matched (touched or copied files).
    public var revalidated: Int
    /// Decoded and extracted in this call.
    public var extracted: Int
    /// Total frames (rows) over all files asked for.
    public var frames: Int
    /// Columns per frame (0 when no file was asked for).
    public var columns: Int
    /// Fewest and most frames of one file.
    public var minimumFrames: Int
    public var maximumFrames: Int
    /// Wall-clock seconds for the whole call, and for the extraction part alone.
    public var seconds: Double
    public var extractionSeconds: Double
    /// Why the cache file on disk was not used at all (corrupt, truncated, other spec...), nil when it
    /// was used or absent.
    public var rebuiltReason: String?
    /// Whether the cache file was rewritten.
    public var wroteCache: Bool

    /// Cache hit share in 0...1.
    public var hitRate: Double { files > 0 ? Double(hits) / Double(files) : 0 }

    /// A few lines for people: files, frames, shapes, time, cache hits.
    public var summary: String {
        var lines: [String] = []
        lines.append("files:      \(files) (\(hits) cache hit\(hits == 1 ? "" : "s")\(revalidated > 0 ? ", \(revalidated) revalidated by content hash" : ""), \(extracted) extracted)")
        lines.append("frames:     \(frames) total, \(minimumFrames)...\(maximumFrames) per file")
        lines.append("shape:      frames x \(columns) columns")
        let rate = extracted > 0 && extractionSeconds > 0 ? String(format: ", %.1f files/s extracting", Double(extracted) / extractionSeconds) : ""
        lines.append(String(format: "time:       %.2f s (extraction %.2f s%@)", seconds, extractionSeconds, rate))
        lines.append("cache:      \(cacheFile.path)\(wroteCache ? " (updated)" : "")")
        if let rebuiltReason { lines.append("rebuilt:    the previous cache file was not used: \(rebuiltReason)") }
        return lines.joined(separator: "\n")
    }
}
