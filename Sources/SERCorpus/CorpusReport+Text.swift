import Foundation

extension CorpusReport {
    /// Lists longer than this are cut with "... and N more".
    static let listLimit = 10

    /// The text `serlab corpus info` prints: counts, durations, formats, then everything odd.
    public func render() -> String {
        var lines: [String] = []
        func row(_ name: String, _ value: String) { lines.append(name.padding(toLength: 14, withPad: " ", startingAt: 0) + value) }
        func list<S: Sequence>(_ items: S) -> String where S.Element == String {
            let all = Array(items)
            let shown = all.prefix(Self.listLimit).joined(separator: ", ")
            return all.count > Self.listLimit ? shown + ", ... and \(all.count - Self.listLimit) more" : shown
        }
        let official = CorpusSources.official(corpus.kind)
        lines.append("\(corpus.kind.displayName) corpus '\(corpus.name)' at \(corpus.root.path)")
        var fileLine = "\(corpus.utterances.count) utterances"
        if let official { fileLine += " (full release: \(official.totalFiles))" }
        if !corpus.ignored.isEmpty { fileLine += ", \(corpus.ignored.count) audio files ignored" }
        row("files", fileLine)
        row("speakers", "\(corpus.speakers.count): " + corpus.speakers.map { "\($0) \(corpus.count(speaker: $0))" }.joined(separator: ", "))
        row("labels", "\(corpus.labels.count): " + corpus.labels.map { "\($0) \(corpus.count(label: $0))" }.joined(separator: ", "))
        let timed = readable.map { ($0.path, $0.info!.duration) }.sorted { $0.1 < $1.1 }
        if let shortest = timed.first, let longest = timed.last {
            let total = timed.reduce(0) { $0 + $1.1 }
            let median = timed[timed.count / 2].1
            row("durations", "total \(Self.clock(total)); shortest \(Self.seconds(shortest.1)) (\(shortest.0)), median \(Self.seconds(median)), longest \(Self.seconds(longest.1)) (\(longest.0))")
        }
        row("sample rates", sampleRates.sorted { $0.key < $1.key }.map { "\($0.key) Hz: \($0.value)" }.joined(separator: ", "))
        row("channels", channelCounts.sorted { $0.key < $1.key }.map { "\($0.key == 1 ? "mono" : $0.key == 2 ? "stereo" : "\($0.key) ch"): \($0.value)" }.joined(separator: ", "))
        let containers = readable.reduce(into: [String: Int]()) { $0["\($1.info!.container) \($1.info!.encoding)", default: 0] += 1 }
        row("formats", containers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))

        var odd: [String] = []
        if let official {
            let missing = missingOfficial
            if corpus.kind == .tess {
                let words = Set(corpus.utterances.compactMap { $0.metadata["word"] }).count
                odd.append("subset: \(corpus.utterances.count) of the \(official.totalFiles) official files (\(words) of 200 words)")
            }
            if !missing.isEmpty { odd.append("\(missing.count) official files missing: " + list(missing)) }
            let problems = CorpusLocator.missingParts(of: corpus)
            if !problems.isEmpty { odd.append("incomplete: " + problems.joined(separator: "; ")) }
            for speaker in corpus.speakers where !official.speakers.contains(speaker) { odd.append("speaker \(speaker) is not in the official release") }
            let identities = Dictionary(grouping: corpus.utterances, by: { AudioFileScanner.stem(of: ($0.path as NSString).lastPathComponent) + "|" + $0.speaker })
            let repeated = identities.values.filter { $0.count > 1 }.map { $0.map(\.path).joined(separator: " = ") }.sorted()
            if !repeated.isEmpty { odd.append("\(repeated.count) names present more than once: " + list(repeated)) }
        }
        if !unreadable.isEmpty { odd.append("\(unreadable.count) unreadable: " + list(unreadable.map { "\($0.path) (\($0.problem!))" })) }
        let duplicateGroups = duplicates
        if !duplicateGroups.isEmpty {
            odd.append("\(duplicateGroups.count) groups of identical files: " + list(duplicateGroups.map { $0.joined(separator: " = ") }))
        }
        let misnamed = misnamedContainers
        if !misnamed.isEmpty { odd.append("\(misnamed.count) files whose content is another format than their name: " + list(misnamed.map { "\($0.path) is \($0.content)" })) }
        if let common = sampleRates.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) })?.key {
            let unusual = unusualSampleRates
            if !unusual.isEmpty { odd.append("\(unusual.count) files not at \(common) Hz: " + list(unusual.map { "\($0.path) (\($0.info!.sampleRate) Hz)" })) }
        }
        let multichannel = readable.filter { $0.info!.channels > 1 }
        if !multichannel.isEmpty && multichannel.count < readable.count {
            odd.append("\(multichannel.count) files with more than one channel (mixed to mono when read): " + list(multichannel.map(\.path)))
        }
        if !silent.isEmpty { odd.append("\(silent.count) silent files (all samples 0): " + list(silent.map(\.path))) }
        if !quiet.isEmpty {
            odd.append("\(quiet.count) very quiet files (peak below \(Self.quietPeak)): " + list(quiet.map { "\($0.path) (peak \(String(format: "%.4f", $0.peak)))" }))
        }
        if !clipped.isEmpty {
            odd.append("\(clipped.count) files reach full scale (possibly clipped): " + list(clipped.sorted { $0.fullScaleSamples > $1.fullScaleSamples }.map { "\($0.path) (\($0.fullScaleSamples) samples)" }))
        }
        let notes = corpus.utterances.filter { $0.metadata["note"] != nil }
        if !notes.isEmpty { odd.append("\(notes.count) misnamed files: " + list(notes.map { "\($0.path): \($0.metadata["note"]!)" })) }
        if !corpus.ignored.isEmpty { odd.append("\(corpus.ignored.count) audio files ignored: " + list(corpus.ignored.map { "\($0.path) (\($0.reason))" })) }
        lines.append(odd.isEmpty ? "nothing odd found" : "odd:")
        for item in odd { lines.append("  - " + item) }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    static func clock(_ value: Double) -> String {
        let total = Int(value.rounded())
        return total >= 3600 ? "\(total / 3600) h \(total % 3600 / 60) min \(total % 60) s" : "\(total / 60) min \(total % 60) s"
    }
}
