import CX11

extension X11Connection {
    /// Where the pointer is now, screen pixels (for "click the centre of the play area").
    public func pointerPosition() -> ScreenPoint { queryPointer().position }

    /// The mouse buttons the server holds down now.
    public func pressedButtons() -> Set<MouseButton> {
        let mask = queryPointer().mask
        var out = Set<MouseButton>()
        if mask & UInt32(Button1Mask) != 0 { out.insert(.left) }
        if mask & UInt32(Button2Mask) != 0 { out.insert(.middle) }
        if mask & UInt32(Button3Mask) != 0 { out.insert(.right) }
        return out
    }

    /// The pointer's screen position and the server's button and modifier mask (`XQueryPointer`).
    func queryPointer() -> (position: ScreenPoint, mask: UInt32) {
        locked {
            var rootReturn: UInt = 0
            var child: UInt = 0
            var rx: Int32 = 0
            var ry: Int32 = 0
            var wx: Int32 = 0
            var wy: Int32 = 0
            var mask: UInt32 = 0
            XQueryPointer(display, root, &rootReturn, &child, &rx, &ry, &wx, &wy, &mask)
            return (ScreenPoint(x: Int(rx), y: Int(ry)), mask)
        }
    }
}
