import ArgumentParser
import Arena
import Desktop
import Foundation
import Imaging
import LayoutReader
import Workshop

struct DemoLayout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "The layout reader's demo: the map arena, autoplay, the live reader and its guide overlay.",
        discussion: """
            Needs no game: (1) loads the committed UNet and ViT (or --unet/--vit), (2) opens the \
            map arena on a private virtual display with a layout the models never trained on, \
            (3) starts the live reader at the entrance and lets the scripted explorer walk with \
            real key presses, (4) reads the layout after every stitched frame and shows the guide \
            overlay, until the answer has been right for --stable updates in a row (or

            --seconds), (5) writes map.png (the stitched map), mask.png (the lines found), \
            tokens.png (the tokens over the map), overlay.png (a screenshot of the overlay when \
            it became right for good), summary.json, and prints the summary: the time and the \
            distance walked to a stable right answer. --guides DIR shows your own guide pictures \
            (NAME.png per layout class, as for `layout live`) instead of the built-in ones.
            """)

    @OptionGroup var models: LayoutModelOptions
    @Option(name: .shortAndLong, help: "Folder for the pictures and the summary.")
    var out =
        "demo-output/layout"
    @Option(name: .customLong("class"), help: "Layout class: 0-8 or a name (default: from --seed).")
    var layoutClass: LayoutClass?
    @Option(parsing: .unconditional, help: "Random seed of the layout's details and of the scene (not one trained on).")
    var seed: UInt64 = 9001
    @Option(help: "Scene effects: none, normal or heavy.") var effects: MapEffects = .normal
    @Flag(help: "Let the arena make its hard cases (flashes, the map hidden, teleports).") var hardCases = false
    @Option(parsing: .unconditional, help: "Frames per second of the live stream.") var fps = 3.0
    @Option(parsing: .unconditional, help: "Right updates in a row that make the answer stable.") var stable = 5
    @Option(parsing: .unconditional, help: "Below this top probability the overlay says NOT SURE YET (0-1).") var sure:
        Float = 0.5
    @Option(parsing: .unconditional, help: "Give up after this many seconds of play.") var seconds = 90.0
    @Option(help: "X display to use (default: a private Xvfb).") var display: String?
    @Option(help: "Folder of your guide pictures, NAME.png per layout class (e.g. north-loop.png); others built in.")
    var guides: String?

    func validate() throws {
        guard fps > 0, fps <= 10 else { throw ValidationError("--fps must be in (0, 10]") }
        guard stable >= 1 else { throw ValidationError("--stable must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        var c = LayoutDemo.Configuration(
            directory: URL(fileURLWithPath: out), guides: try overlayGuides(folder: guides))
        c.layoutClass = layoutClass
        c.seed = seed
        c.effects = effects
        c.hardCases = hardCases
        c.fps = fps
        c.stable = stable
        c.sure = sure
        c.seconds = seconds
        let inference = try models.makeInference()
        print("1. Models: extractor \(inference.extractor.name), classifier with \(inference.classNames.count) classes")
        var virtual: VirtualDisplay?
        if display == nil { virtual = try VirtualDisplay(width: 1280, height: 720) }
        defer { virtual?.stop() }
        let (summary, shot) = try LayoutDemo(c).run(display: display ?? virtual!.name, inference: inference) {
            print($0)
            fflush(stdout)
        }
        print("4. " + summary.text)
        print(
            "Pictures: \(c.path("map.png")), \(c.path("mask.png")), \(c.path("tokens.png"))"
                + (shot ? ", \(c.path("overlay.png"))" : "") + "; summary: \(c.path("summary.json"))")
        if summary.stableRightAtUpdate == nil { throw ExitCode(2) }
    }
}
