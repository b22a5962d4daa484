import CX11

extension X11PictureWindow {
    /// Draws a whole frame of BGRA bytes (the server's 32-bit layout, `rect.width * rect.height * 4`)
    /// into the window whole (never torn), and waits until the server has it (so a capture
    /// taken afterwards shows this frame). For game windows that redraw many times a second.
    public func drawFrame(bgra: UnsafeMutablePointer<UInt8>) {
        connection.locked {
            let d = connection.display
            let depth = UInt32(XDefaultDepth(d, connection.screen))
            guard
                let image = XCreateImage(
                    d, XDefaultVisual(d, connection.screen), depth, ZPixmap, 0,
                    UnsafeMutableRawPointer(bgra).assumingMemoryBound(to: CChar.self),
                    UInt32(rect.width), UInt32(rect.height), 32, 0)
            else { return }
            // Xlib splits a big XPutImage into several requests, and a capture between them would
            // see a torn frame; so the image goes to a pixmap and one XCopyArea shows it whole.
            let pixmap = XCreatePixmap(d, window, UInt32(rect.width), UInt32(rect.height), depth)
            let gc = XCreateGC(d, pixmap, 0, nil)
            XPutImage(d, pixmap, gc, image, 0, 0, 0, 0, UInt32(rect.width), UInt32(rect.height))
            XCopyArea(d, pixmap, window, gc, 0, 0, UInt32(rect.width), UInt32(rect.height), 0, 0)
            XFreeGC(d, gc)
            XFreePixmap(d, pixmap)
            image.pointee.data = nil  // the caller owns the bytes
            _ = image.pointee.f.destroy_image(image)
            XSync(d, 0)
        }
    }
}
