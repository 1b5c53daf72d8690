import ArgumentParser
import Foundation
import SERPredict

/// `serlab predict --segment`: a timeline of speech segments per recording.
extension PredictCommand {
    func validateSegmentOptions() throws {
        if let timelineSVG {
            guard segment else { throw ValidationError("--timeline-svg: needs --segment (it draws the segments' timeline)") }
            guard URL(fileURLWithPath: timelineSVG).pathExtension.lowercased() == "svg" else {
                throw ValidationError("--timeline-svg: expected a file ending in .svg, found '\(timelineSVG)'")
            }
        }
        if segment && speakerFrom != nil {
            throw ValidationError("--speaker-from: cannot be combined with --segment (segments are normalised with the bundle's stored statistics)")
        }
    }

    /// Predicts every recording's segments in input order (a recording that fails gets its error and the
    /// others still run), prints them, writes --output and --timeline-svg; exit status 1 when any failed.
    func runSegments(_ predictor: Predictor, files: [InputFile], spool: StandardInputSpool?) throws {
        var table = TimelineTable(labels: predictor.labels)
        for (index, file) in files.enumerated() {
            var recording = TimelineTable.Recording(path: file.path, timeline: nil, error: file.problem)
            if file.problem == nil {
                do {
                    recording.timeline = try predictor.timeline(of: file.url, source: file.path)
                } catch {
                    recording.error = spool?.relabel(error.localizedDescription) ?? error.localizedDescription
                }
            }
            if let timeline = recording.timeline {
                for line in timeline.summaryLines { print(line) }
                if let timelineSVG {
                    let url = Self.svgURL(timelineSVG, index: index, count: files.count)
                    try failing { try Data(timeline.svg().utf8).write(to: url, options: .atomic) }
                    print("  timeline drawn in \(url.path)")
                }
            } else {
                print("error: \(recording.error ?? "\(file.path): not predicted")")
            }
            table.recordings.append(recording)
        }
        if let output {
            try failing { try table.write(to: URL(fileURLWithPath: output)) }
        }
        if table.failureCount > 0 {
            FileHandle.standardError.write(Data("\(table.failureCount) of \(table.recordings.count) recordings could not be predicted\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `file.svg` for one recording; `file-<k>.svg` (k from 1, in input order) for several.
    static func svgURL(_ path: String, index: Int, count: Int) -> URL {
        let url = URL(fileURLWithPath: path)
        guard count > 1 else { return url }
        return url.deletingLastPathComponent()
            .appendingPathComponent("\(url.deletingPathExtension().lastPathComponent)-\(index + 1).\(url.pathExtension)")
    }
}
