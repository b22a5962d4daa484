import ArgumentParser
import Foundation

struct LayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "The layout reader: stream the overlay minimap, stitch it, collect and label samples.",
        discussion: """
            Typical work, with the map arena standing in for the game:
              pixelpilot arena map --autoplay --truth-out truth/ &
                  the game, playing itself
              pixelpilot layout watch --start-now --out stream/
                  stitch the minimap (Ctrl+Alt+W stops, Ctrl+Alt+E quits)
              pixelpilot layout collect stream/stream-1 --samples samples/ --truth truth/
                  turn a stream into a sample
              pixelpilot layout label samples/unlabelled/<id> --class 4
              pixelpilot layout paths samples/4/<id> --count 20
                  exploration paths (needs a walkable mask)
              pixelpilot layout draw samples/4/<id>
                  or draw them by hand over the map
              pixelpilot layout fog samples/4/<id> --path 0
                  what the light radius reveals along a path
              pixelpilot layout show samples/4/<id> --out sample.png
                  a picture of a sample
              pixelpilot layout read screenshot.png
                  what the reader sees in your own screenshot, offline
              pixelpilot layout live
                  the guide overlay, live
              pixelpilot layout serve
                  the models on a server
            """,
        subcommands: [
            LayoutWatch.self, LayoutCollect.self, LayoutLabel.self, LayoutPaths.self, LayoutDraw.self, LayoutFog.self,
            LayoutShow.self,
            LayoutBench.self, LayoutUNetBench.self, LayoutEvaluate.self, LayoutReach.self, LayoutBenchViT.self,
            LayoutRead.self, LayoutLive.self,
            LayoutServe.self,
        ])
}
