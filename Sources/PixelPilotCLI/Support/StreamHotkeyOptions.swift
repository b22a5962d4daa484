import ArgumentParser
import Desktop

/// The hotkeys that start, stop and quit a capture stream (`layout watch`, `layout live`).
struct StreamHotkeyOptions: ParsableArguments {
    @Option(help: "Hotkey that starts a stream.", transform: { try KeyCombo(parsing: $0) })
    var startKey = KeyCombo(modifiers: [.control, .alt], key: Key(canonicalName: "q"))
    @Option(help: "Hotkey that stops the stream.", transform: { try KeyCombo(parsing: $0) })
    var stopKey = KeyCombo(modifiers: [.control, .alt], key: Key(canonicalName: "w"))
    @Option(help: "Hotkey that quits.", transform: { try KeyCombo(parsing: $0) })
    var quitKey = KeyCombo(modifiers: [.control, .alt], key: Key(canonicalName: "e"))
    @Flag(help: "Start a stream at once, without waiting for the start hotkey.") var startNow = false

    /// The three hotkeys registered on `displayName`, each handing its command to the returned control.
    func register(on displayName: String) throws -> (X11Hotkeys, WatchControl) {
        let hotkeys = try X11Hotkeys(displayName: displayName)
        let control = WatchControl()
        try hotkeys.register(startKey) { control.request(.start) }
        try hotkeys.register(stopKey) { control.request(.stop) }
        try hotkeys.register(quitKey) { control.request(.quit) }
        return (hotkeys, control)
    }

    /// What the hotkeys do, for the line printed when watching starts.
    var legend: String { "\(startKey) starts a stream, \(stopKey) stops it, \(quitKey) quits." }
}
