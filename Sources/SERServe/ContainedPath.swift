import Foundation

/// A name from a request (a bundle, a run) resolved inside one configured folder, or refused: the name
/// must be relative, made of plain components (no `..`, `.`, empty or hidden component, no backslash or
/// NUL), and the file it reaches, symlinks resolved, must still lie inside the folder (itself resolved),
/// so a symlink pointing out of the folder is refused like `..` is.
enum ContainedPath {
    static func resolve(_ name: String, under root: URL, what: String) throws -> URL {
        guard !name.isEmpty else { throw ServeError.badRequest("\(what): expected a name inside the folder, found an empty one") }
        guard !name.hasPrefix("/") else { throw ServeError.badRequest("\(what): expected a path relative to the folder, found the absolute path '\(name)'") }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            if component == ".." || component == "." || component.isEmpty || component.hasPrefix(".") || component.contains("\\") || component.contains("\0") {
                throw ServeError.badRequest("\(what): expected plain folder and file names, found '\(component)' in '\(name)'")
            }
        }
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        let candidate = base.appendingPathComponent(name).resolvingSymlinksInPath()
        guard isInside(candidate, base) else {
            throw ServeError(.forbidden, "\(what): '\(name)' leads outside the folder served (\(root.path))")
        }
        guard FileManager.default.fileExists(atPath: candidate.path) else {
            throw ServeError.notFound("\(what): no '\(name)' under \(root.path)")
        }
        return candidate
    }

    /// True when `url` (symlinks already resolved) is `base` or below it.
    static func isInside(_ url: URL, _ base: URL) -> Bool {
        let path = url.standardizedFileURL.path, basePath = base.standardizedFileURL.path
        return path == basePath || path.hasPrefix(basePath.hasSuffix("/") ? basePath : basePath + "/")
    }

    /// Files and folders under `root` (not following symlinks that lead out of it), depth-first in name
    /// order, to `depth` levels; hidden entries skipped. `visit` returns false to not descend into a folder.
    static func walk(_ root: URL, depth: Int, _ visit: (URL, _ relative: String, _ isFolder: Bool) -> Bool) {
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        func descend(_ folder: URL, _ prefix: String, _ remaining: Int) {
            guard remaining >= 0, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let url = folder.appendingPathComponent(name)
                let resolved = url.resolvingSymlinksInPath()
                guard isInside(resolved, base) else { continue }
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isFolder) else { continue }
                let relative = prefix.isEmpty ? name : prefix + "/" + name
                if visit(resolved, relative, isFolder.boolValue) && isFolder.boolValue { descend(resolved, relative, remaining - 1) }
            }
        }
        descend(base, "", depth)
    }
}
