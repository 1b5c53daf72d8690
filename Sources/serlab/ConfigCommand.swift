import ArgumentParser
import Foundation
import SERExperiment

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show config defaults or a resolved config.",
        subcommands: [Defaults.self, Show.self])

    struct Defaults: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every config key with its default and a one-line explanation (a config only says what differs).")

        func run() throws {
            print(ConfigLoader.defaultsListing())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a config with every value filled in (defaults, the file, then --set), as config.resolved.json will hold it.")

        @Argument(help: "A config file; omit for the embedded default.")
        var config: String?

        @Option(name: .customLong("set"), help: ArgumentHelp("Override one value (repeatable).", valueName: "path=value"))
        var overrides: [String] = []

        func run() throws {
            try failing {
                let file = try config.map { try ConfigFile.read(URL(fileURLWithPath: $0)) }
                print(try ConfigLoader.resolve(file, overrides: overrides).json.prettyPrinted())
            }
        }
    }
}
