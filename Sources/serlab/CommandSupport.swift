import ArgumentParser
import Foundation
import SERExperiment

/// Prints a user-facing error (what, where, expected, found) and exits with status 1, instead of a trace.
func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error.localizedDescription)\n".utf8))
        throw ExitCode(1)
    }
}
