import ArgumentParser
import Foundation
import SERExperiment

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print a JSON Schema of the experiment config, for editors to complete and check configs.",
        discussion: "e.g. serlab schema > .vscode/serlab.schema.json, then map configs/*.json to it.")

    func run() throws {
        print(ConfigField.jsonSchema().prettyPrinted())
    }
}
