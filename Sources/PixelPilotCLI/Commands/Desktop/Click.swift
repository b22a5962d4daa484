import ArgumentParser
import Desktop
import Foundation

struct Click: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Click at screen coordinates (with the original gem sorter's split timing).",
        discussion: "Example: pixelpilot click 400 300 --button right\nWith --dry-run it only prints what it would do.")

    @OptionGroup var display: DisplayOptions
    @Argument(help: "X coordinate in screen pixels.") var x: Int
    @Argument(help: "Y coordinate in screen pixels.") var y: Int
    @Option(help: "The mouse button.") var button = ButtonArgument.left
    @Option(help: "Only click while this window (id or title text) has focus, and only inside it.") var window:
        WindowSpec?
    @Flag(help: "Print the actions instead of performing them.") var dryRun = false

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let agent = try OneShotAgent(connection: connection, boundTo: window, dryRun: dryRun)
        try agent.device.click(at: ScreenPoint(x: x, y: y), button: button.button)
        agent.printLog()
    }
}
