import CX11

/// Friendly key names and their X keysym names.
enum KeyNames {
    static let aliases: [String: String] = [
        "ctrl": "Control_L", "control": "Control_L", "lctrl": "Control_L", "rctrl": "Control_R",
        "alt": "Alt_L", "lalt": "Alt_L", "ralt": "Alt_R", "shift": "Shift_L", "lshift": "Shift_L", "rshift": "Shift_R",
        "super": "Super_L", "win": "Super_L", "meta": "Meta_L",
        "enter": "Return", "return": "Return", "esc": "Escape", "escape": "Escape", "space": "space",
        "tab": "Tab", "backspace": "BackSpace", "delete": "Delete", "del": "Delete", "insert": "Insert",
        "home": "Home", "end": "End", "pageup": "Prior", "pagedown": "Next",
        "up": "Up", "down": "Down", "left": "Left", "right": "Right",
        "capslock": "Caps_Lock", "numlock": "Num_Lock",
        "minus": "minus", "plus": "plus", "equal": "equal", "comma": "comma", "period": "period", "slash": "slash",
    ]

    /// The keysym for a name: an alias, an X keysym name (`Return`, `F5`, `a`) or one character.
    static func keysym(_ name: String) -> KeySym? {
        if let alias = aliases[name.lowercased()] { return XStringToKeysym(alias) }
        if name.count >= 2, name.first == "f" || name.first == "F", let n = Int(name.dropFirst()), (1...24).contains(n) {
            return XStringToKeysym("F\(n)")
        }
        let direct = XStringToKeysym(name)
        if direct != 0 { return direct }
        if name.count == 1, let scalar = name.unicodeScalars.first {
            if scalar.value < 0x100 { return KeySym(scalar.value) }
            return KeySym(0x0100_0000 + scalar.value)
        }
        return nil
    }
}
