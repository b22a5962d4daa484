import ArgumentParser
import Foundation

@main
struct PixelPilot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixelpilot",
        abstract: "Game assistants that see the screen and act on it: pixels in, a neural network in the middle, clicks, keys and overlays out.",
        discussion: """
        Start with `pixelpilot demo`: it draws a gem set, trains the stash-cell classifier on it \
        and shows how well it tells the gems apart. Every command explains itself with --help.

        Typical work:
          pixelpilot dataset gems --out gems/            draw a labelled training set
          pixelpilot train classifier gems/ --out gem.safetensors
          pixelpilot eval gem.safetensors some/folder/   accuracy and confusion matrix
          pixelpilot classify gem.safetensors cell.png   one line per image
        """,
        version: "0.1.0",
        subcommands: [Demo.self, Sort.self, ArenaCommand.self, Dataset.self, Train.self, Classify.self, Eval.self, Capture.self, Click.self, Key.self, Watch.self, Windows.self, Doctor.self, Bench.self]
    )
}
