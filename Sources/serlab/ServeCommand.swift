import ArgumentParser
import Foundation
import SERServe

/// `serlab serve`: parses the options and starts SERServe's web app; nothing else.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "A local web app: predict emotions of uploads and recordings, browse and compare runs.",
        usage: "serlab serve [--models <folder>] [--results <folder>] [<options>]",
        discussion: """
        Serves two pages: Predict (pick a bundle under --models, upload audio files or record from the \
        microphone; the label, a bar per class, the waveform, the segment timeline for recordings of \
        8 s or more, and a live timeline while recording) and Experiments (the runs under --results, \
        sortable and filterable; compare selected runs with paired significance tests; open a run's \
        report). Pages and assets are in the binary: nothing is fetched from the network. See docs/serve.md.

        Listens on 127.0.0.1 unless --host says otherwise (there is no login: --host 0.0.0.0 lets \
        every machine that reaches this one use it, and says so). --port 0 takes a free port. Prints \
        the URL it listens on once the socket is bound. Stop it with Ctrl-C (or SIGTERM).

        Examples:
          serlab serve --models models/ --results results/
          serlab serve --models models/ --port 0 --max-upload-mb 200
        """)

    @Option(help: ArgumentHelp("Model bundles (*.serlab) to offer, searched 3 levels down.", valueName: "folder"))
    var models: String?

    @Option(help: ArgumentHelp("Results folder whose runs the Experiments page lists.", valueName: "folder"))
    var results: String?

    @Option(help: "Address to listen on (0.0.0.0: every network interface).")
    var host = ServeConfiguration().host

    @Option(help: "Port to listen on (0: a free one).")
    var port = ServeConfiguration().port

    @Option(name: .customLong("max-upload-mb"), help: ArgumentHelp("Largest upload accepted, in MiB (default 50).", valueName: "MiB"))
    var maxUploadMB = Double(ServeConfiguration().maximumUploadBytes) / 1_048_576

    @Option(name: .customLong("prediction-slots"), help: ArgumentHelp("Predictions run at once (default: all cores); more wait in line.", valueName: "n"))
    var predictionSlots = ServeConfiguration().predictionSlots

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: expected 0 to 65535, found \(port)") }
        guard maxUploadMB > 0 && maxUploadMB <= 4096 else { throw ValidationError("--max-upload-mb: expected more than 0 and at most 4096, found \(maxUploadMB)") }
        guard predictionSlots >= 1 else { throw ValidationError("--prediction-slots: expected at least 1, found \(predictionSlots)") }
        guard !host.isEmpty else { throw ValidationError("--host: expected an address such as 127.0.0.1, found an empty one") }
        for (option, path) in [("--models", models), ("--results", results)] {
            guard let path else { continue }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("\(option): expected a folder, found \(FileManager.default.fileExists(atPath: path) ? "a file" : "nothing") at '\(path)'")
            }
        }
    }

    func run() async throws {
        var configuration = ServeConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.modelsFolder = models.map { URL(fileURLWithPath: $0, isDirectory: true) }
        configuration.resultsFolder = results.map { URL(fileURLWithPath: $0, isDirectory: true) }
        configuration.maximumUploadBytes = Int(maxUploadMB * 1_048_576)
        configuration.predictionSlots = predictionSlots
        if configuration.listensBeyondLoopback {
            say("warning: listening on \(host): any machine that can reach this one can use the app (it has no login)")
        }
        if models == nil { say("note: no --models: the Predict page has no bundle to offer") }
        if results == nil { say("note: no --results: the Experiments page has no runs to list") }
        let application = ServeApplication(configuration: configuration).application { url in
            say("serlab serve: listening on \(url)")
        }
        try await application.runService()
    }

    /// A line on standard output at once (unbuffered: scripts wait for the listening line on a pipe).
    func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
