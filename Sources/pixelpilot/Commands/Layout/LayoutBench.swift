import ArgumentParser
import Foundation

struct LayoutBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Stitching benchmark (placeholder, filled below).")
    func run() throws { throw CLIError("not built yet") }
}
