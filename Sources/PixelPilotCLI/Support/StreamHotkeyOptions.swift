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
}
