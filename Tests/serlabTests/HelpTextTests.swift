import ArgumentParser
import Testing
@testable import serlab

/// `serlab <command> --help` must read well in an 80-column terminal. ArgumentParser re-wraps each
/// line of a discussion to the terminal width, so a paragraph hard-wrapped in the source at ~100
/// columns comes out ragged (a full line, then a stub of a few words, then a full line ...).
@Suite struct HelpTextTests {
    static func allCommands(_ root: ParsableCommand.Type = Serlab.self, path: [String] = []) -> [(String, ParsableCommand.Type)] {
        let name = root.configuration.commandName ?? "serlab"
        let here = path + [name]
        return [(here.joined(separator: " "), root)]
            + root.configuration.subcommands.flatMap { allCommands($0, path: here) }
    }

    @Test func everyCommandIsListed() {
        let names = Set(Self.allCommands().map(\.0))
        for expected in ["serlab", "serlab run", "serlab compare", "serlab check", "serlab corpus download", "serlab bench features"] {
            #expect(names.contains(expected), "\(expected) missing from \(names.sorted())")
        }
    }

    /// Long usage lines are replaced by short ones (`[<options>]`, the options are listed below it);
    /// each must still start with the command's full name.
    @Test func helpFitsEightyColumns() {
        for (name, command) in Self.allCommands() {
            let help = Serlab.helpMessage(for: command, columns: 80)
            for line in help.split(separator: "\n", omittingEmptySubsequences: false) where line.count > 80 {
                Issue.record("\(name) --help: a line of \(line.count) columns: \(line)")
            }
            if let usage = command.configuration.usage {
                #expect(usage.hasPrefix(name + " "), "\(name): usage \"\(usage)\" names another command")
            }
        }
    }

    /// A prose paragraph of a discussion is one source line (written with `\` continuations), so that
    /// ArgumentParser wraps it; indented lines (examples) and lines ending in ':' stand alone.
    @Test func discussionParagraphsAreNotHardWrapped() {
        for (name, command) in Self.allCommands() {
            let lines = command.configuration.discussion.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() {
                let next = index + 1 < lines.count ? lines[index + 1] : ""
                let prose = !line.isEmpty && !line.hasPrefix(" ") && !line.hasSuffix(":")
                let nextIsProse = !next.isEmpty && !next.hasPrefix(" ")
                if line.hasPrefix(" ") && line.count > 80 {
                    Issue.record("\(name): example line \(index + 1) is \(line.count) columns; it would wrap: \(line)")
                }
                if prose && nextIsProse {
                    Issue.record("\(name): discussion line \(index + 1) is hard-wrapped: \"\(line)\" / \"\(next)\"")
                }
            }
        }
    }
}
