import Foundation

extension FeatureCache {
    /// The SHA-256 (lower-case hex, as `FileIdentity.contentHash`) of those of `urls` the cache can vouch
    /// for without reading them, keyed by the URLs as given: files whose size and mtime equal, right now,
    /// those of an identity that the last `features(for:)` call of this object hashed or verified, or else
    /// of a stored, non-racy entry (one the cache itself would serve without hashing). Files missing,
    /// changed since, or unknown are left out; the caller hashes those.
    ///
    /// Stats each file once; reads the cache file only when some path was not served by this object.
    public func knownContentHashes(for urls: [URL]) -> [URL: String] {
        let lastServed = verifiedIdentities
        var stored: [String: CacheEntry]?
        var hashes: [URL: String] = [:]
        for url in urls {
            let path = url.standardizedFileURL.path
            guard let current = try? FileIdentity.current(url) else { continue }
            var candidate = lastServed[path]
            if candidate == nil {
                if stored == nil {
                    if case .valid(let contents) = loadCurrent() { stored = contents.entries } else { stored = [:] }
                }
                if let entry = stored?[path], entry.isServable(as: current) { candidate = entry.identity }
            }
            guard let identity = candidate, identity.sameStat(as: current), FileIdentity.isHexDigest(identity.sha256) else { continue }
            hashes[url] = identity.sha256
        }
        return hashes
    }
}

extension FileIdentity {
    /// 64 lower-case hex digits: a hash that was really taken (an identity never hashed has "").
    static func isHexDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
