import CX11
import Foundation
import Vision

/// Screen capture through MIT-SHM (a shared-memory segment reused between grabs), with a plain
/// `XGetImage` fallback when the extension is missing or the server is remote.
public final class X11ScreenSource: ScreenSource {
    public let connection: X11Connection
    /// True when MIT-SHM is in use.
    public private(set) var usesSharedMemory: Bool
    private var shm = XShmSegmentInfo()
    private var shmImage: UnsafeMutablePointer<XImage>?
    private var shmSize = (width: 0, height: 0)

    public init(connection: X11Connection, useSharedMemory: Bool = true) {
        self.connection = connection
        usesSharedMemory = useSharedMemory && XShmQueryExtension(connection.display) != 0
    }

    deinit { releaseSegment() }

    public var screenRect: ScreenRect { ScreenRect(x: 0, y: 0, width: connection.screenWidth, height: connection.screenHeight) }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public func capture(_ rect: ScreenRect? = nil) throws -> Frame {
        let want = rect ?? screenRect
        guard want.width > 0, want.height > 0 else { throw DesktopError.offScreen("capture region \(want) is empty") }
        guard let r = want.intersection(screenRect) else {
            throw DesktopError.offScreen("capture region \(want) lies wholly outside the \(screenRect.width)x\(screenRect.height) screen")
        }
        let img = try connection.locked { try grab(drawable: connection.root, x: r.x, y: r.y, width: r.width, height: r.height) }
        return Frame(image: img, rect: r, clipped: r != want, timestamp: X11ScreenSource.now())
    }

    public func capture(window: UInt) throws -> Frame {
        try connection.locked {
            var attrs = XWindowAttributes()
            let err = connection.checked { _ = XGetWindowAttributes(connection.display, window, &attrs) }
            guard err == 0 else { throw DesktopError.noSuchWindow("window 0x\(String(window, radix: 16)) does not exist (X error \(err))") }
            guard attrs.map_state == IsViewable else { throw DesktopError.noSuchWindow("window 0x\(String(window, radix: 16)) is not mapped") }
            // Grab the window's area from the root (what is on screen), clipped to the screen.
            var rx: Int32 = 0, ry: Int32 = 0
            var child: Window = 0
            XTranslateCoordinates(connection.display, window, connection.root, 0, 0, &rx, &ry, &child)
            let want = ScreenRect(x: Int(rx), y: Int(ry), width: Int(attrs.width), height: Int(attrs.height))
            guard let r = want.intersection(screenRect) else {
                throw DesktopError.offScreen("window 0x\(String(window, radix: 16)) at \(want) is off-screen")
            }
            let img = try grab(drawable: connection.root, x: r.x, y: r.y, width: r.width, height: r.height)
            return Frame(image: img, rect: r, clipped: r != want, timestamp: X11ScreenSource.now())
        }
    }

    /// Grabs a rectangle of a drawable as RGB.
    func grab(drawable: UInt, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        if usesSharedMemory {
            if let img = try? grabShared(drawable: drawable, x: x, y: y, width: width, height: height) { return img }
            usesSharedMemory = false
        }
        var image: UnsafeMutablePointer<XImage>?
        let err = connection.checked {
            image = XGetImage(connection.display, drawable, Int32(x), Int32(y), UInt32(width), UInt32(height), UInt.max, ZPixmap)
        }
        guard err == 0, let image else { throw DesktopError.failed("XGetImage of \(width)x\(height)+\(x)+\(y) failed (X error \(err))") }
        defer { _ = image.pointee.f.destroy_image(image) }
        return try X11ScreenSource.convert(image)
    }

    private func grabShared(drawable: UInt, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        if shmImage == nil || shmSize.width < width || shmSize.height < height {
            releaseSegment()
            try createSegment(width: Swift.max(width, shmSize.width), height: Swift.max(height, shmSize.height))
        }
        guard let img = shmImage else { throw DesktopError.failed("no shared-memory image") }
        // Describe a sub-image of the segment with the requested size.
        let fullW = img.pointee.width, fullH = img.pointee.height
        img.pointee.width = Int32(width)
        img.pointee.height = Int32(height)
        defer { img.pointee.width = fullW; img.pointee.height = fullH }
        img.pointee.bytes_per_line = Int32(width * Int(img.pointee.bits_per_pixel) / 8)
        var ok: Int32 = 0
        let err = connection.checked { ok = XShmGetImage(connection.display, drawable, img, Int32(x), Int32(y), UInt.max) }
        let result = err == 0 && ok != 0 ? try X11ScreenSource.convert(img) : nil
        img.pointee.bytes_per_line = fullW * img.pointee.bits_per_pixel / 8
        guard let result else { throw DesktopError.failed("XShmGetImage failed (X error \(err))") }
        return result
    }

    private func createSegment(width: Int, height: Int) throws {
        let d = connection.display
        let visual = XDefaultVisual(d, connection.screen)
        let depth = UInt32(XDefaultDepth(d, connection.screen))
        guard let img = XShmCreateImage(d, visual, depth, ZPixmap, nil, &shm, UInt32(width), UInt32(height)) else {
            throw DesktopError.failed("XShmCreateImage failed")
        }
        let size = Int(img.pointee.bytes_per_line) * Int(img.pointee.height)
        shm.shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0o600)
        guard shm.shmid >= 0, let addr = shmat(shm.shmid, nil, 0), addr != UnsafeMutableRawPointer(bitPattern: -1) else {
            _ = img.pointee.f.destroy_image(img)
            throw DesktopError.failed("shared memory segment of \(size) bytes unavailable")
        }
        shm.shmaddr = addr.assumingMemoryBound(to: CChar.self)
        img.pointee.data = shm.shmaddr
        shm.readOnly = 0
        var attached: Int32 = 0
        let err = connection.checked { attached = XShmAttach(d, &shm) }
        // Mark the segment for removal now; it lives until both sides detach.
        shmctl(shm.shmid, IPC_RMID, nil)
        guard err == 0, attached != 0 else {
            shmdt(shm.shmaddr)
            img.pointee.data = nil
            _ = img.pointee.f.destroy_image(img)
            throw DesktopError.failed("XShmAttach failed (X error \(err)); is the server remote?")
        }
        shmImage = img
        shmSize = (width, height)
    }

    private func releaseSegment() {
        guard let img = shmImage else { return }
        XShmDetach(connection.display, &shm)
        XSync(connection.display, 0)
        shmdt(shm.shmaddr)
        img.pointee.data = nil
        _ = img.pointee.f.destroy_image(img)
        shmImage = nil
        shmSize = (0, 0)
    }

    /// Converts a 24/32-bit ZPixmap XImage to RGB using its channel masks.
    static func convert(_ img: UnsafeMutablePointer<XImage>) throws -> Image {
        let w = Int(img.pointee.width), h = Int(img.pointee.height)
        let bpp = Int(img.pointee.bits_per_pixel), stride = Int(img.pointee.bytes_per_line)
        guard bpp == 32 || bpp == 24 else {
            throw DesktopError.failed("unsupported visual: \(bpp) bits per pixel (PixelPilot reads 24- and 32-bit TrueColor screens)")
        }
        guard let data = img.pointee.data else { throw DesktopError.failed("XImage has no data") }
        let rs = shift(img.pointee.red_mask), gs = shift(img.pointee.green_mask), bs = shift(img.pointee.blue_mask)
        let bytesPer = bpp / 8
        var out = Image(width: w, height: h, channels: 3)
        let src = UnsafeRawPointer(data)
        out.pixels.withUnsafeMutableBufferPointer { dst in
            let d = dst.baseAddress!
            if bytesPer == 4 && rs == 16 && gs == 8 && bs == 0 {
                // The common little-endian BGRX layout: a tight loop.
                for y in 0..<h {
                    let row = src + y * stride
                    let o = d + y * w * 3
                    for x in 0..<w {
                        let p = row.loadUnaligned(fromByteOffset: 4 * x, as: UInt32.self)
                        o[3 * x] = UInt8(truncatingIfNeeded: p >> 16)
                        o[3 * x + 1] = UInt8(truncatingIfNeeded: p >> 8)
                        o[3 * x + 2] = UInt8(truncatingIfNeeded: p)
                    }
                }
            } else {
                for y in 0..<h {
                    let row = src + y * stride
                    for x in 0..<w {
                        var p: UInt32 = 0
                        for b in 0..<bytesPer { p |= UInt32(row.load(fromByteOffset: x * bytesPer + b, as: UInt8.self)) << (8 * b) }
                        d[(y * w + x) * 3] = UInt8(truncatingIfNeeded: p >> rs)
                        d[(y * w + x) * 3 + 1] = UInt8(truncatingIfNeeded: p >> gs)
                        d[(y * w + x) * 3 + 2] = UInt8(truncatingIfNeeded: p >> bs)
                    }
                }
            }
        }
        return out
    }

    static func shift(_ mask: UInt) -> UInt32 {
        mask == 0 ? 0 : UInt32(mask.trailingZeroBitCount)
    }
}
