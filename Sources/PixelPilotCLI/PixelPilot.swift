import ArgumentParser
import Foundation

/// The `pixelpilot` command (the executable's `main.swift` runs it; tests parse it in-process).
public struct PixelPilot: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pixelpilot",
        abstract:
            "Game assistants that see the screen and act on it: pixels in, a neural network in the middle, clicks, keys and overlays out.",
        discussion: """
            Start with `pixelpilot demo`: it trains the stash-cell classifier on drawn \
            gems, opens the stash arena on a private display and sorts a shuffled \
            stash with the fewest clicks, checking every click. Every command \
            explains itself with --help.

            Typical work:
              pixelpilot doctor                what this display offers, what works
              pixelpilot sort --screenshot shot.png --pictures plan/
                                               plan a sort from a saved screenshot
              pixelpilot sort --window "Path of Exile" --detect --mode step
              pixelpilot dataset gems --out gems/   draw a labelled training set
              pixelpilot train classifier gems/ --out gem.safetensors
              pixelpilot eval gem.safetensors some/folder/
                                               accuracy and confusion matrix
              pixelpilot arena stash --style game   a stash tab to practise on
              pixelpilot arena map --autoplay       an ARPG area with its minimap
              pixelpilot layout watch               stitch the minimap as you play
              pixelpilot layout live                the layout guide overlay, live
              pixelpilot demo layout                the layout reader's demo
              pixelpilot arena racer --autoplay     a rally game, expert driving
              pixelpilot record --window Rally --out d.ppr
                                               screen and keys, crash-safe
              pixelpilot recording info d.ppr       frames, keys, directions

            Safety: input goes only to the window you name while it has focus; \
            ctrl+alt+k stops any agent and releases every key and button; \
            --dry-run shows what would be done.
            """,
        version: "0.1.0",
        subcommands: [
            Demo.self, Sort.self, ArenaCommand.self, LayoutCommand.self, Drive.self, Record.self, RecordingCommand.self, Play.self,
            Dataset.self, Train.self, Classify.self, Eval.self, Capture.self, Click.self, KeyCommand.self, Watch.self,
            Windows.self, Doctor.self, Bench.self,
        ]
    )

    public init() {}
}
