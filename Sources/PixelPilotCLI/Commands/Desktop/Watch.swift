import ArgumentParser
import Desktop
import Foundation

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print keyboard and mouse-button events as they happen, with the set of held keys.",
        discussion: "Stops after --seconds, or on Ctrl+C. Example: pixelpilot watch --seconds 10")

    @OptionGroup var display: DisplayOptions
    @Option(parsing: .unconditional, help: "Stop after this many seconds (default: run until Ctrl+C).") var seconds:
        Double?

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let start = MonotonicTime.now
        let recorder = try X11InputRecorder(displayName: connection.name)
        let held = HeldInputs()
        recorder.onEvent = { e in
            let now = held.apply(e.event)
            let what = e.event.isDown ? "down" : "up"
            print(
                String(format: "%8.3f  ", e.time - start) + what.padding(toLength: 6, withPad: " ", startingAt: 0)
                    + e.event.input.description.padding(toLength: 16, withPad: " ", startingAt: 0) + "held: "
                    + now.sorted().map(\.description).joined(separator: " "))
            fflush(stdout)
        }
        print("Watching input on \(connection.name)\(seconds.map { " for \($0) s" } ?? "; Ctrl+C to stop") ...")
        fflush(stdout)
        if let seconds {
            Thread.sleep(forTimeInterval: seconds)
        } else {
            while true { Thread.sleep(forTimeInterval: 3600) }
        }
        recorder.stop()
    }
}

/// The keys and buttons held, updated event by event (for `watch`).
final class HeldInputs: @unchecked Sendable {
    private let lock = NSLock()
    private var held = Set<HeldInput>()

    func apply(_ e: InputEvent) -> Set<HeldInput> {
        lock.withLock {
            held.apply(e)
            return held
        }
    }
}
