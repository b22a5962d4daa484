import Foundation
import ArgumentParser
import Desktop
import Arena
import StashSorter

// Typed command-line values: each is parsed once, where the argument is read, and an invalid
// value is refused there with the list or form of valid ones.

extension SortMode: ExpressibleByArgument {}
extension SortLayout.Direction: ExpressibleByArgument {}
extension ClipboardItemReader.Order: ExpressibleByArgument {
    /// Also takes the British spelling of `color`.
    public init?(argument: String) { self.init(rawValue: argument == "col" + "our" ? "color" : argument) }
}
extension StashArena.Style: ExpressibleByArgument {}

/// A mouse button on the command line, by name (`left`, `middle`, `right`; X's numbers 1-3 also work).
enum ButtonArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case left, middle, right

    init?(argument: String) {
        guard let button = try? MouseButton(argument) else { return nil }
        self = Self.allCases.first { $0.button == button } ?? .left
    }

    var button: MouseButton {
        switch self {
        case .left: return .left
        case .middle: return .middle
        case .right: return .right
        }
    }
}

extension KeyCombo: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    public static var defaultCompletionKind: CompletionKind { .default }
    public var defaultValueDescription: String { description }
}

extension ScreenRect: ExpressibleByArgument {
    public init?(argument: String) {
        guard let r = ScreenRect(parsing: argument), r.width > 0, r.height > 0 else { return nil }
        self = r
    }
}

extension GridGeometry: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension WindowSpec: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// A comma-separated list of values: `--only sgemm,train`.
struct CommaList<Element: ExpressibleByArgument>: ExpressibleByArgument {
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        var out: [Element] = []
        for part in parts {
            guard let v = Element(argument: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
        values = out
    }

    static var allValueStrings: [String] { Element.allValueStrings }

    var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }
}

/// A size in pixels written `WxH` (`1280x720`); `N` alone is a square where the option says so.
struct ScreenSize: ExpressibleByArgument, CustomStringConvertible, Equatable, Sendable {
    var width: Int, height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// A square, `N` by `N`.
    init(side: Int) { self.init(width: side, height: side) }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        if parts.count == 1, let side = Int(parts[0]), side > 0 {
            self.init(side: side)
            return
        }
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        self.init(width: w, height: h)
    }

    var description: String { "\(width)x\(height)" }
    var defaultValueDescription: String { description }
}

extension ScreenPoint: ExpressibleByArgument {
    /// `X,Y` in screen pixels; negative values are allowed.
    public init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let x = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let y = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else { return nil }
        self.init(x: x, y: y)
    }

    public var defaultValueDescription: String { "\(x),\(y)" }
}

/// Milliseconds written on the command line, as seconds.
extension Double {
    var millisecondsAsSeconds: Double { self / 1000 }
}
