import ArgumentParser
import Desktop
import Foundation
import Imaging

struct Capture: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save a PNG of the screen, a region or a window.",
        discussion: """
            Examples:
              pixelpilot capture --out screen.png
              pixelpilot capture --region 256x256+832+412 --out region.png
              pixelpilot capture --window "Path of Exile" --out game.png
            A region partly off-screen is clipped (and said so); one wholly off-screen is an error.
            """)

    @OptionGroup var display: DisplayOptions
    @Option(parsing: .unconditional, help: "Region as WxH+X+Y or X,Y,W,H.", transform: parseRegion) var region:
        ScreenRect?
    @Option(help: "Window id (0x… or decimal), or text in its title or class.") var window: WindowSpec?
    @Option(name: .shortAndLong, help: "PNG file to write.") var out = "capture.png"

    func validate() throws {
        if region != nil && window != nil { throw ValidationError("give --region or --window, not both") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let source = X11ScreenSource(connection: connection)
        let frame: Frame
        if let window {
            frame = try source.capture(window: try window.resolve(in: X11WindowSystem(connection: connection)))
        } else {
            frame = try source.capture(region)
        }
        try PNG.write(frame.image.rgb(), path: out)
        print(
            "Wrote \(out): \(frame.rect)\(frame.clipped ? " (clipped to the screen)" : "") via \(source.usesSharedMemory ? "MIT-SHM" : "XGetImage")"
        )
    }
}
