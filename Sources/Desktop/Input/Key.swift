/// A keyboard key, with one canonical name whatever it was called when it was made.
///
/// The canonical names are X keysym names (`Control_L`, `Up`, `Return`, `F5`, `a`), which every
/// backend and every stored recording use. Friendly spellings (`ctrl`, `esc`, `enter`, `f5`,
/// `A`) are resolved once, when the key is made, so two keys are equal exactly when they are the
/// same key on the keyboard.
public struct Key: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The canonical (X keysym) name.
    public let name: String

    /// A key from any accepted spelling: an alias (`ctrl`, `alt`, `shift`, `super`, `esc`,
    /// `enter`, `up`, ...), a keysym name (`Return`, `Prior`, `KP_Enter`), `F1`–`F24`, or one
    /// character (`a`, `7`, `,`).
    ///
    /// - Throws: ``DesktopError/unknownKey(_:)`` naming the spelling.
    public init(_ spelling: String) throws {
        guard let name = Key.canonicalName(spelling) else { throw DesktopError.unknownKey(spelling) }
        self.name = name
    }

    /// A key from a backend that already speaks canonical names (the recorder reports whatever
    /// keysym the keyboard map has, including ones outside ``Key/init(_:)``'s vocabulary).
    public init(canonicalName: String) { name = canonicalName }

    public var description: String { name }
    public static func < (a: Key, b: Key) -> Bool { a.name < b.name }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        name = Key.canonicalName(raw) ?? raw
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }

    /// True for Control, Alt, Shift, Super and Meta (either side).
    public var isModifier: Bool { Key.modifierNames.contains(name) }

    public static let control = Key(canonicalName: "Control_L")
    public static let alt = Key(canonicalName: "Alt_L")
    public static let shift = Key(canonicalName: "Shift_L")
    public static let superKey = Key(canonicalName: "Super_L")
    public static let escape = Key(canonicalName: "Escape")
    public static let enter = Key(canonicalName: "Return")
    public static let space = Key(canonicalName: "space")
    public static let up = Key(canonicalName: "Up")
    public static let down = Key(canonicalName: "Down")
    public static let left = Key(canonicalName: "Left")
    public static let right = Key(canonicalName: "Right")

    static let modifierNames: Set<String> = [
        "Control_L", "Control_R", "Alt_L", "Alt_R", "Shift_L", "Shift_R", "Super_L", "Super_R", "Meta_L", "Meta_R",
    ]

    /// Friendly spellings (lower case) and the keysym names they stand for.
    static let aliases: [String: String] = [
        "ctrl": "Control_L", "control": "Control_L", "lctrl": "Control_L", "rctrl": "Control_R",
        "alt": "Alt_L", "lalt": "Alt_L", "ralt": "Alt_R", "shift": "Shift_L", "lshift": "Shift_L",
        "rshift": "Shift_R", "super": "Super_L", "win": "Super_L", "meta": "Meta_L",
        "enter": "Return", "return": "Return", "esc": "Escape", "escape": "Escape", "space": "space",
        "tab": "Tab", "backspace": "BackSpace", "delete": "Delete", "del": "Delete", "insert": "Insert",
        "home": "Home", "end": "End", "pageup": "Prior", "pagedown": "Next", "prior": "Prior", "next": "Next",
        "up": "Up", "down": "Down", "left": "Left", "right": "Right",
        "capslock": "Caps_Lock", "numlock": "Num_Lock", "scrolllock": "Scroll_Lock", "print": "Print",
        "pause": "Pause", "menu": "Menu",
        "minus": "minus", "plus": "plus", "equal": "equal", "comma": "comma", "period": "period",
        "slash": "slash", "backslash": "backslash", "semicolon": "semicolon", "apostrophe": "apostrophe",
        "grave": "grave", "bracketleft": "bracketleft", "bracketright": "bracketright",
    ]

    /// Keysym names for single punctuation characters.
    static let punctuation: [Character: String] = [
        " ": "space", ",": "comma", ".": "period", "/": "slash", "-": "minus", "=": "equal", ";": "semicolon",
        "'": "apostrophe", "[": "bracketleft", "]": "bracketright", "\\": "backslash", "`": "grave",
        "+": "plus", "!": "exclam", "@": "at", "#": "numbersign", "$": "dollar", "%": "percent",
        "^": "asciicircum", "&": "ampersand", "*": "asterisk", "(": "parenleft", ")": "parenright",
        "_": "underscore", ":": "colon", "\"": "quotedbl", "<": "less", ">": "greater", "?": "question",
        "{": "braceleft", "}": "braceright", "|": "bar", "~": "asciitilde",
    ]

    /// Keysym names accepted as they are (case-insensitively), besides the aliases.
    static let keysymNames: [String: String] = {
        var names = Array(modifierNames) + Array(Set(aliases.values)) + Array(Set(punctuation.values))
        names += ["KP_Enter", "KP_Add", "KP_Subtract", "KP_Multiply", "KP_Divide", "KP_Decimal", "ISO_Level3_Shift"]
        names += (0...9).map { "KP_\($0)" }
        return Dictionary(names.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
    }()

    /// The canonical name for a spelling, or nil when it names no key.
    static func canonicalName(_ spelling: String) -> String? {
        guard !spelling.isEmpty else { return nil }
        let lower = spelling.lowercased()
        if let alias = aliases[lower] { return alias }
        if let known = keysymNames[lower] { return known }
        if lower.count >= 2, lower.first == "f", let n = Int(lower.dropFirst()), (1...24).contains(n) { return "F\(n)" }
        if spelling.count == 1, let ch = spelling.first {
            if let p = punctuation[ch] { return p }
            if ch.isASCII, ch.isLetter { return String(ch).lowercased() }
            if ch.isASCII, ch.isNumber { return String(ch) }
        }
        return nil
    }
}

/// A key with modifiers, as typed in a hotkey or a tap: `ctrl+alt+q`, `ctrl+c`, `F12`.
public struct KeyCombo: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Modifier keys, in the order they are pressed.
    public var modifiers: [Key]
    /// The key pressed last and released first.
    public var key: Key

    public init(modifiers: [Key] = [], key: Key) {
        self.modifiers = modifiers
        self.key = key
    }

    /// Parses `mod+mod+key` (any accepted key spelling; `+` on its own is the plus key).
    ///
    /// - Throws: ``DesktopError/badKeyCombo(_:reason:)`` naming the combination.
    public init(parsing text: String) throws {
        let parts = text == "+" ? ["+"] : text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw DesktopError.badKeyCombo(text, reason: "an empty part (write keys as ctrl+alt+q)")
        }
        if parts.count == 1 {
            self.init(key: try Key(parts[0]))
            return
        }
        let keys = try parts.map { part -> Key in
            do { return try Key(part) } catch { throw DesktopError.badKeyCombo(text, reason: "\(error)") }
        }
        let nonModifiers = keys.filter { !$0.isModifier }
        guard nonModifiers.count <= 1 else {
            throw DesktopError.badKeyCombo(text, reason: "it names \(nonModifiers.count) keys besides modifiers")
        }
        let key = nonModifiers.first ?? keys[keys.count - 1]
        self.init(modifiers: keys.filter { $0.isModifier && $0 != key }, key: key)
    }

    public var description: String {
        (modifiers.map(\.friendlyName) + [key.friendlyName]).joined(separator: "+")
    }

    public init(from decoder: Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Key {
    /// The short spelling people type (`ctrl` for `Control_L`); the canonical name otherwise.
    public var friendlyName: String {
        switch name {
        case "Control_L": return "ctrl"
        case "Alt_L": return "alt"
        case "Shift_L": return "shift"
        case "Super_L": return "super"
        default: return name
        }
    }
}
