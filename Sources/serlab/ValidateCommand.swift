import ArgumentParser
import Foundation
import SERExperiment

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check configs (or suites) without running them: every key known, every value of the right type.",
        discussion: "Exits with status 1 and names the file, the JSON path, what was expected and what was found on the first mistake of each config.")

    @Argument(help: "Config or suite files.")
    var configs: [String]

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one value (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    func run() throws {
        var failures = 0
        for path in configs {
            do {
                let file = try ConfigFile.read(URL(fileURLWithPath: path))
                if file.isFusion {
                    let fusion = try LateFusion.load(file)
                    for member in fusion.members {
                        let loaded = try ConfigLoader.load(member, overrides: fusion.overrides + overrides)
                        print("ok  \(member.path) (\(loaded.resolvedName), in fusion \(fusion.name))")
                    }
                } else if file.isSuite {
                    let suite = try ExperimentSuite.load(file)
                    for config in suite.configs {
                        let loaded = try ConfigLoader.load(config, overrides: suite.overrides + overrides)
                        print("ok  \(config.path) (\(loaded.resolvedName), in suite \(suite.name))")
                    }
                } else {
                    let loaded = try ConfigLoader.resolve(file, overrides: overrides).config
                    print("ok  \(path) (\(loaded.resolvedName): \(loaded.dataset.corpus.rawValue), protocol \(loaded.protocol.kind.rawValue))")
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("error: \(error.localizedDescription)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
