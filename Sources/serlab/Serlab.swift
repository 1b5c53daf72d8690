import ArgumentParser
import SERCore

@main
struct Serlab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serlab",
        abstract: "Reproducible speech emotion recognition experiments.",
        version: serlabVersion,
        subcommands: [CorpusCommand.self, FeaturesCommand.self, BenchCommand.self]
    )
}



