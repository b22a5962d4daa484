import ArgumentParser
import Desktop
import Foundation

struct Windows: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List top-level windows: id, geometry, class and title; * marks the focused one.")

    @OptionGroup var display: DisplayOptions
    @Flag(help: "Include unmapped windows.") var all = false

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let ws = X11WindowSystem(connection: connection)
        let list = try ws.windows().filter { all || $0.isViewable }
        let active = try? ws.activeWindow()
        if list.isEmpty { print("No \(all ? "" : "mapped ")windows on \(connection.name).") }
        for w in list {
            let mark = w.id == active?.id ? "*" : " "
            print(
                "\(mark) 0x\(String(w.id, radix: 16).padding(toLength: 9, withPad: " ", startingAt: 0)) \(w.rect.description.padding(toLength: 20, withPad: " ", startingAt: 0)) \(w.className.padding(toLength: 18, withPad: " ", startingAt: 0)) \(w.title)"
            )
        }
    }
}
