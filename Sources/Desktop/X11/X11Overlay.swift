import CX11
import Foundation
import Imaging

/// A picture shown above other windows at a screen position. Its input region is empty (XShape),
/// so clicks pass through to whatever is below.
public final class X11Overlay: Overlay {
    public let connection: X11Connection
    public private(set) var window: UInt = 0
    public private(set) var rect: ScreenRect

    public init(displayName: String?, image: Image, at origin: ScreenPoint) throws {
        connection = try X11Connection(name: displayName)
        guard connection.hasExtension("SHAPE") else {
            throw DesktopError.missingExtension("SHAPE", neededFor: "click-through overlays")
        }
        rect = ScreenRect(x: origin.x, y: origin.y, width: image.width, height: image.height)
        let d = connection.display
        var attrs = XSetWindowAttributes()
        attrs.override_redirect = 1
        window = XCreateWindow(
            d, connection.root, Int32(origin.x), Int32(origin.y), UInt32(image.width), UInt32(image.height), 0,
            Int32(CopyFromParent), UInt32(InputOutput), nil, UInt(CWOverrideRedirect), &attrs)
        XStoreName(d, window, "pixelpilot overlay")
        // Empty input shape: the overlay never receives pointer events.
        XShapeCombineRectangles(d, window, ShapeInput, 0, 0, nil, 0, ShapeSet, Unsorted)
        try setImage(image)
    }

    deinit {
        guard connection.isAlive else { return }
        connection.locked {
            XDestroyWindow(connection.display, window)
            XSync(connection.display, 0)
        }
    }

    /// Replaces the picture (and resizes the overlay to it).
    public func setImage(_ image: Image) throws {
        try connection.locked {
            let d = connection.display
            let depth = UInt32(XDefaultDepth(d, connection.screen))
            guard depth == 24 || depth == 32 else { throw DesktopError.unsupportedVisual(bitsPerPixel: Int(depth)) }
            let w = image.width
            let h = image.height
            let pixmap = XCreatePixmap(d, window, UInt32(w), UInt32(h), depth)
            let gc = XCreateGC(d, pixmap, 0, nil)
            let rgb = image.rgb()
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: w * h * 4)  // freed by destroy_image
            for i in 0..<(w * h) {
                bytes[4 * i] = rgb.pixels[3 * i + 2]
                bytes[4 * i + 1] = rgb.pixels[3 * i + 1]
                bytes[4 * i + 2] = rgb.pixels[3 * i]
                bytes[4 * i + 3] = 255
            }
            guard
                let ximage = XCreateImage(
                    d, XDefaultVisual(d, connection.screen), depth, ZPixmap, 0,
                    UnsafeMutableRawPointer(bytes).assumingMemoryBound(to: CChar.self), UInt32(w), UInt32(h), 32, 0)
            else {
                bytes.deallocate()
                throw DesktopError.serverFailed(
                    request: "XCreateImage for a \(w)x\(h) overlay", reason: "no image was made")
            }
            XPutImage(d, pixmap, gc, ximage, 0, 0, 0, 0, UInt32(w), UInt32(h))
            _ = ximage.pointee.f.destroy_image(ximage)
            XFreeGC(d, gc)
            XResizeWindow(d, window, UInt32(w), UInt32(h))
            XSetWindowBackgroundPixmap(d, window, pixmap)
            XFreePixmap(d, pixmap)
            XClearWindow(d, window)
            XSync(d, 0)
            rect = ScreenRect(x: rect.x, y: rect.y, width: w, height: h)
        }
    }

    /// Moves the overlay.
    public func move(to origin: ScreenPoint) {
        connection.locked {
            XMoveWindow(connection.display, window, Int32(origin.x), Int32(origin.y))
            XSync(connection.display, 0)
        }
        rect = ScreenRect(x: origin.x, y: origin.y, width: rect.width, height: rect.height)
    }

    /// Shows it above every other window.
    public func show() {
        connection.locked {
            XMapRaised(connection.display, window)
            XSync(connection.display, 0)
        }
        waitForMapState(viewable: true)
    }

    /// Hides it.
    public func hide() {
        connection.locked {
            XUnmapWindow(connection.display, window)
            XSync(connection.display, 0)
        }
        waitForMapState(viewable: false)
    }

    private func waitForMapState(viewable: Bool) {
        for _ in 0..<200 {
            var attrs = XWindowAttributes()
            let state = connection.locked { () -> Int32 in
                XGetWindowAttributes(connection.display, window, &attrs)
                return attrs.map_state
            }
            if (state == IsViewable) == viewable { return }
            usleep(2_000)
        }
    }
}
