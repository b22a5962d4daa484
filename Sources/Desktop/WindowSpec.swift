/// A window named by a person: an id (`0x…` or decimal) or text in its title or class.
public struct WindowSpec: CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case id(UInt)
        case matching(String)
    }

    public let kind: Kind

    /// Nil for empty text.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("0x"), let id = UInt(text.dropFirst(2), radix: 16) {
            kind = .id(id)
        } else if let id = UInt(text) {
            kind = .id(id)
        } else {
            kind = .matching(text)
        }
    }

    public var description: String {
        switch kind {
        case .id(let id): return "0x" + String(id, radix: 16)
        case .matching(let text): return text
        }
    }

    /// The window's id on `windows` (an error names the text when no window matches).
    public func resolve(in windows: WindowSystem) throws -> UInt {
        switch kind {
        case .id(let id): return id
        case .matching(let text): return try windows.findWindow(matching: text).id
        }
    }
}
