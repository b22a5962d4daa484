import CX11

extension X11Connection {
    /// Where the pointer is now, screen pixels (for "click the centre of the play area").
    public func pointerPosition() -> ScreenPoint {
        locked {
            var rootReturn: UInt = 0
            var child: UInt = 0
            var rx: Int32 = 0
            var ry: Int32 = 0
            var wx: Int32 = 0
            var wy: Int32 = 0
            var mask: UInt32 = 0
            XQueryPointer(display, root, &rootReturn, &child, &rx, &ry, &wx, &wy, &mask)
            return ScreenPoint(x: Int(rx), y: Int(ry))
        }
    }
}
