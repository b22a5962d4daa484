import ArgumentParser
import Desktop
import Foundation
import Imaging
import LayoutReader

struct LayoutRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read the layout of a saved map, sample or game screenshot: the line mask, the tokens, the answer.",
        discussion: """
            Runs the live reader's models once on a picture, so you can check what the line \
            extractor and the classifier make of your own game before trusting the overlay.

            INPUT is one of:
              a game screenshot (PNG or JPEG, 1080p to 4K): its centre square, where
                `layout live` looks, with the player at its centre as the entrance;
              a stitched map (PNG or JPEG) with --origin X,Y, its entrance in its pixels;
              a sample folder of `layout collect` or a stream folder of `layout watch`
                (their JSON gives the origin and the scale).

            --map-scale is the picture's pixels per pixel of a 1080p screen (1 at 1080p, 2 at 4K; a \
            screenshot's default is its height / 1080).

            Writes to --out: sheet.png (the tokens over the map beside the mask, and the three most \
            likely layouts with bars), mask.png and tokens.png; --report FILE.json says the same for \
            scripts. A picture without lines, an origin outside the picture, a scale out of range or \
            lines far too thick for the scale are errors that say what to change.

            Examples:
              pixelpilot layout read screenshot.png
              pixelpilot layout read stream/stream-1 --report read.json
              pixelpilot layout read map.png --origin 412,380 --map-scale 2
              pixelpilot layout read screenshot.png --extractor threshold
            """)

    @Argument(help: "A screenshot, a stitched map (with --origin), or a sample or stream folder.") var input: String
    @Option(help: "The entrance X,Y in the map's pixels (a stitched map needs it; a folder's own is the default).")
    var origin: String?
    @Option(
        parsing: .unconditional,
        help: "The picture's pixels per pixel of a 1080p screen (default: 1 for maps, height/1080 for screenshots).")
    var mapScale: Float?
    @OptionGroup var models: LayoutModelOptions
    @Option(name: .shortAndLong, help: "Folder for sheet.png, mask.png and tokens.png.") var out = "layout-read"
    @Option(help: "Also write what was read as JSON to this file.") var report: String?

    func validate() throws {
        if let origin, ScreenPoint.parse(origin) == nil {
            throw ValidationError("--origin '\(origin)' is not X,Y (the entrance in the map's pixels)")
        }
    }

    func run() throws {
        let inference = try models.makeInference()
        let at = origin.flatMap(ScreenPoint.parse).map { GridPoint(x: $0.x, y: $0.y) }
        let picture = try MapPicture.open(path: input, origin: at, scale: mapScale)
        let reading = try OfflineLayoutReader.read(picture, with: inference)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let pictures = ["sheet": "sheet.png", "mask": "mask.png", "tokens": "tokens.png"].mapValues {
            (out as NSString).appendingPathComponent($0)
        }
        let drawn = reading.pictures()
        try PNG.write(drawn.sheet, path: pictures["sheet"]!)
        try PNG.write(drawn.mask, path: pictures["mask"]!)
        try PNG.write(drawn.tokens, path: pictures["tokens"]!)
        if let report {
            try OfflineLayoutReport(reading, classNames: inference.classNames, pictures: pictures).write(to: report)
        }
        print(Self.summary(reading))
        for (i, c) in reading.top.enumerated() {
            let name = c.name.padding(toLength: max(14, c.name.count), withPad: " ", startingAt: 0)
            print("  \(i + 1). \(name) " + String(format: "%5.1f %%", c.probability * 100))
        }
        print("Pictures: \(pictures["sheet"]!) (tokens, mask and answer), \(pictures["mask"]!), \(pictures["tokens"]!)")
        if let report { print("Report: \(report)") }
    }

    static func summary(_ r: OfflineLayoutReading) -> String {
        let p = r.picture
        let what: String
        if let c = p.crop {
            what = "screenshot \(p.source): centre square \(c.width)x\(c.height) at \(c.x),\(c.y)"
        } else {
            what = "\(p.kind.rawValue) \(p.source): \(p.image.width)x\(p.image.height)"
        }
        return String(
            format:
                "%@, origin %d,%d, scale %.2f: %@ found %d line pixels (%.1f px thick), %d tokens (%d used), %.0f ms",
            what, p.origin.x, p.origin.y, p.scale, r.extractor, r.mask.lineCount, r.lineThickness, r.tokenCount,
            r.tokensUsed, r.milliseconds)
    }
}
