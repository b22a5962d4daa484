/// An 8-bit colour: red, green, blue and alpha (opaque unless given). Write it as a literal,
/// `[200, 170, 110]` or `[0, 0, 0, 128]`, wherever a colour is taken.
public struct Color: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    public var red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8 = 255) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A colour from 3 (RGB) or 4 (RGBA) channel bytes; missing channels are 0, alpha 255.
    public init<C: Collection>(_ channels: C) where C.Element == UInt8 {
        let c = Array(channels)
        self.init(
            red: c.count > 0 ? c[0] : 0, green: c.count > 1 ? c[1] : 0, blue: c.count > 2 ? c[2] : 0,
            alpha: c.count > 3 ? c[3] : 255)
    }

    public init(arrayLiteral elements: UInt8...) { self.init(elements) }

    /// The first `count` channels (3: RGB, 4: RGBA).
    public func channels(_ count: Int) -> [UInt8] { Array([red, green, blue, alpha].prefix(count)) }

    public var description: String { "rgba(\(red), \(green), \(blue), \(alpha))" }

    public static let black: Color = [0, 0, 0]
    public static let white: Color = [255, 255, 255]
}
