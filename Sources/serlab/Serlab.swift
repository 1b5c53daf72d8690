import ArgumentParser
import SERCore

@main
struct Serlab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serlab",
        abstract: "Reproducible speech emotion recognition experiments.",
        version: serlabVersion,
        subcommands: [
            RunCommand.self, CompareCommand.self, ReportCommand.self, CheckCommand.self,
            ValidateCommand.self, ConfigCommand.self, SchemaCommand.self,
            CorpusCommand.self, FeaturesCommand.self, BenchCommand.self,
            TrainCommand.self, BundleCommand.self, PredictCommand.self, ServeCommand.self,
            StatusCommand.self, SlurmTaskCommand.self,
        ]
    )

    /// The entry point: process-wide settings first (the allocator policy training wants), then the command.
    static func main() async {
        AllocatorTuning.apply()
        await main(nil)
    }
}
