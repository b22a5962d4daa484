import ArgumentParser
import Desktop
import TensorKit
import Foundation
import Vision

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
    @Option(help: "Region as WxH+X+Y or X,Y,W,H.") var region: String?
    @Option(help: "Window id (0x… or decimal), or text in its title or class.") var window: String?
    @Option(name: .shortAndLong, help: "PNG file to write.") var out = "capture.png"

    func validate() throws {
        if let region, ScreenRect(parsing: region) == nil { throw ValidationError("--region '\(region)' is not WxH+X+Y or X,Y,W,H") }
        if region != nil && window != nil { throw ValidationError("give --region or --window, not both") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let source = X11ScreenSource(connection: connection)
        let frame: Frame = try reporting {
            if let window {
                let id = try resolveWindow(window, connection: connection)
                return try source.capture(window: id)
            }
            return try source.capture(region.flatMap(ScreenRect.init(parsing:)))
        }
        try reporting { try PNG.write(frame.image.rgb(), path: out) }
        print("Wrote \(out): \(frame.rect)\(frame.clipped ? " (clipped to the screen)" : "") via \(source.usesSharedMemory ? "MIT-SHM" : "XGetImage")")
    }
}

/// An input device on `connection`, guarded by a focus binding to `window` when one is named.
func makeDevice(connection: X11Connection, boundTo window: String?, dryRun: Bool) throws -> X11InputDevice {
    let device = try reporting { try X11InputDevice(connection: connection) }
    device.dryRun = dryRun
    if let window {
        let id = try reporting { try resolveWindow(window, connection: connection) }
        FocusBinding(windows: X11WindowSystem(connection: connection), target: id).bind(device)
    }
    return device
}

/// A window id from `0x…`, a decimal number, or text in a title or class.
func resolveWindow(_ spec: String, connection: X11Connection) throws -> UInt {
    if spec.hasPrefix("0x"), let id = UInt(spec.dropFirst(2), radix: 16) { return id }
    if let id = UInt(spec) { return id }
    return try X11WindowSystem(connection: connection).findWindow(matching: spec).id
}

struct Click: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Click at screen coordinates (with the seed's split timing).",
        discussion: "Example: pixelpilot click 400 300 --button right\nWith --dry-run it only prints what it would do.")

    @OptionGroup var display: DisplayOptions
    @Argument(help: "X coordinate in screen pixels.") var x: Int
    @Argument(help: "Y coordinate in screen pixels.") var y: Int
    @Option(help: "left, middle or right.") var button = "left"
    @Option(help: "Only click while this window (id or title text) has focus, and only inside it.") var window: String?
    @Flag(help: "Print the actions instead of performing them.") var dryRun = false

    func validate() throws {
        if MouseButton(name: button) == nil { throw ValidationError("--button must be left, middle or right, got '\(button)'") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let device = try makeDevice(connection: connection, boundTo: window, dryRun: dryRun)
        try reporting { try device.click(x: x, y: y, button: MouseButton(name: button)!) }
        print((dryRun ? "would " : "") + device.log.joined(separator: ", "))
    }
}

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Press and release a key or combination, or type text.",
        discussion: """
        Names: letters, digits, F1–F24, Return, Escape, space, Tab, Up/Down/Left/Right, ctrl, alt,
        shift, super, or any X keysym name. Combine with +: pixelpilot key ctrl+c
        Type text: pixelpilot key --text "hello"
        """)

    @OptionGroup var display: DisplayOptions
    @Argument(help: "Key or combination, e.g. Return or ctrl+c.") var name: String?
    @Option(help: "Type this text instead.") var text: String?
    @Option(help: "Hold the key (or combination) down this many seconds before releasing it.") var hold: Double?
    @Option(help: "Only inject while this window (id or title text) has focus.") var window: String?
    @Flag(help: "Print the actions instead of performing them.") var dryRun = false

    func validate() throws {
        if (name == nil) == (text == nil) { throw ValidationError("give a key name or --text") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let device = try makeDevice(connection: connection, boundTo: window, dryRun: dryRun)
        try reporting {
            if let text { try device.type(text) } else if let name, let hold {
                let keys = name.split(separator: "+").map(String.init)
                for k in keys { try device.keyDown(k) }
                print("holding \(name) for \(hold) s (Ctrl+C or SIGTERM releases it)")
                fflush(stdout)
                Thread.sleep(forTimeInterval: hold)
                for k in keys.reversed() { try device.keyUp(k) }
            } else if let name { try device.tap(name) }
        }
        print((dryRun ? "would " : "") + device.log.joined(separator: ", "))
    }
}

struct Windows: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List top-level windows: id, geometry, class and title; * marks the focused one.")

    @OptionGroup var display: DisplayOptions
    @Flag(help: "Include unmapped windows.") var all = false

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let ws = X11WindowSystem(connection: connection)
        let list = try reporting { try ws.windows() }.filter { all || $0.isViewable }
        let active = try? ws.activeWindow()
        if list.isEmpty { print("No \(all ? "" : "mapped ")windows on \(connection.name).") }
        for w in list {
            let mark = w.id == active?.id ? "*" : " "
            print("\(mark) 0x\(String(w.id, radix: 16).padding(toLength: 9, withPad: " ", startingAt: 0)) \(w.rect.description.padding(toLength: 20, withPad: " ", startingAt: 0)) \(w.className.padding(toLength: 18, withPad: " ", startingAt: 0)) \(w.title)")
        }
    }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check what the display offers PixelPilot: extensions, visuals, capture, and what does not work and why.")

    @OptionGroup var display: DisplayOptions

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        print(DisplayDoctor.report(connection: connection))
        print("""
            Compute: TensorKit's convolution kernels use \(CPUFeatures.kernelInstructionSet) on \
            \(ProcessInfo.processInfo.activeProcessorCount) cores\(CPUFeatures.hasAVX512 ? "" : " (no AVX-512 on this CPU)").
            """)
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print keyboard and mouse-button events as they happen, with the set of held keys.",
        discussion: "Stops after --seconds, or on Ctrl+C. Example: pixelpilot watch --seconds 10")

    @OptionGroup var display: DisplayOptions
    @Option(help: "Stop after this many seconds (default: run until Ctrl+C).") var seconds: Double?

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let start = X11InputRecorder.monotonicNow()
        let recorder = try reporting { try X11InputRecorder(displayName: connection.name) }
        let held = HeldKeys()
        recorder.onEvent = { e in
            let now = held.apply(e)
            print(String(format: "%8.3f  ", e.timestamp - start) + e.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                  + e.name.padding(toLength: 16, withPad: " ", startingAt: 0) + "held: " + now.sorted().joined(separator: " "))
            fflush(stdout)
        }
        print("Watching input on \(connection.name)\(seconds.map { " for \($0) s" } ?? "; Ctrl+C to stop") ...")
        fflush(stdout)
        if let seconds { Thread.sleep(forTimeInterval: seconds) } else { while true { Thread.sleep(forTimeInterval: 3600) } }
        recorder.stop()
    }
}

/// The keys held, updated event by event (for `watch`).
final class HeldKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var keys = Set<String>()
    func apply(_ e: InputEvent) -> Set<String> {
        lock.lock(); defer { lock.unlock() }
        switch e.kind {
        case .keyDown, .buttonDown: keys.insert(e.name)
        case .keyUp, .buttonUp: keys.remove(e.name)
        }
        return keys
    }
}
