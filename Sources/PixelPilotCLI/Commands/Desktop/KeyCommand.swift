import ArgumentParser
import Desktop
import Foundation

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Press and release a key or combination, or type text.",
        discussion: """
            Names: letters, digits, F1–F24, Return, Escape, space, Tab, Up/Down/Left/Right, ctrl, alt, \
            shift, super, or any X keysym name. Combine with +: pixelpilot key ctrl+c \
            Type text: pixelpilot key --text "hello" \
            Hold: pixelpilot key Up --hold 2 [--button left]  (released however the command ends)
            """)

    @OptionGroup var display: DisplayOptions
    @Argument(help: "Key or combination, e.g. Return or ctrl+c.", transform: { try KeyCombo(parsing: $0) }) var combo:
        KeyCombo?
    @Option(help: "Type this text instead.") var text: String?
    @Option(parsing: .unconditional, help: "Hold the key (or combination) down this many seconds before releasing it.")
    var hold: Double?
    @Option(help: "With --hold: hold this mouse button down too, for the same time.") var button: ButtonArgument?
    @Option(help: "Only inject while this window (id or title text) has focus.") var window: WindowSpec?
    @Flag(help: "Print the actions instead of performing them.") var dryRun = false

    func validate() throws {
        if (combo == nil) == (text == nil) { throw ValidationError("give a key name or --text") }
        if let hold, hold < 0 { throw ValidationError("--hold must not be negative, got \(hold)") }
        if button != nil && hold == nil { throw ValidationError("--button goes with --hold") }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let agent = try OneShotAgent(connection: connection, boundTo: window, dryRun: dryRun, killSwitch: hold != nil)
        let device = agent.device
        if let text {
            try device.type(text)
        } else if let combo, let hold {
            try device.hold(combo)
            if let button { try device.press(button.button) }
            print(
                "holding \(combo)\(button.map { " and the \($0) button" } ?? "") for \(hold) s "
                    + "(Ctrl+C, SIGTERM, \(KillSwitch.defaultCombo) or even SIGKILL releases it)")
            fflush(stdout)
            Thread.sleep(forTimeInterval: hold)
            if let button { try device.release(button.button) }
            try device.letGo(combo)
        } else if let combo {
            try device.tap(combo)
        }
        agent.printLog()
    }
}
