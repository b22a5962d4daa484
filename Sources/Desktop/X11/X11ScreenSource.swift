import CX11
import Foundation
import Imaging

/// A captured frame lent without a copy: BGRX pixels in the capture's shared memory.
public struct RawFrame {
    public let pixels: UnsafeRawPointer
    public let width: Int, height: Int, bytesPerRow: Int
    public let rect: ScreenRect
    public let time: MonotonicTime

    /// A copy as an RGBA ``Image``.
    public func image() -> Image {
        var out = Image(width: width, height: height, channels: 4)
        out.pixels.withUnsafeMutableBytes { d in
            for y in 0..<height {
                X11ScreenSource.bgrxToRGBA(pixels + y * bytesPerRow, d.baseAddress! + y * width * 4, width)
            }
        }
        return out
    }
}

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

    public var screenRect: ScreenRect {
        ScreenRect(x: 0, y: 0, width: connection.screenWidth, height: connection.screenHeight)
    }

    public func capture(_ rect: ScreenRect? = nil) throws -> Frame {
        let (want, r) = try screenRect.captureRegion(rect)
        let img = try connection.locked {
            try grab(drawable: connection.root, x: r.x, y: r.y, width: r.width, height: r.height)
        }
        return Frame(image: img, rect: r, clipped: r != want, time: .now)
    }

    public func capture(window: UInt) throws -> Frame {
        try connection.locked {
            var attrs = XWindowAttributes()
            let err = connection.checked { _ = XGetWindowAttributes(connection.display, window, &attrs) }
            guard err == 0 else {
                throw DesktopError.noSuchWindow(id: window, reason: "does not exist (X error \(err))")
            }
            guard attrs.map_state == IsViewable else {
                throw DesktopError.noSuchWindow(id: window, reason: "is not mapped")
            }
            // Grab the window's area from the root (what is on screen), clipped to the screen.
            var rx: Int32 = 0
            var ry: Int32 = 0
            var child: Window = 0
            XTranslateCoordinates(connection.display, window, connection.root, 0, 0, &rx, &ry, &child)
            let want = ScreenRect(x: Int(rx), y: Int(ry), width: Int(attrs.width), height: Int(attrs.height))
            guard let r = want.intersection(screenRect) else {
                throw DesktopError.offScreen(want, screen: screenRect)
            }
            let img = try grab(drawable: connection.root, x: r.x, y: r.y, width: r.width, height: r.height)
            return Frame(image: img, rect: r, clipped: r != want, time: .now)
        }
    }

    /// Captures `rect` into the shared-memory segment and lends its pixels to `body` without a
    /// copy: `BGRX` bytes (blue first, one unused byte), `bytesPerRow` apart. The view is valid only
    /// inside `body`. Needs MIT-SHM.
    public func withRawFrame<T>(_ rect: ScreenRect? = nil, _ body: (RawFrame) throws -> T) throws -> T {
        let want = rect ?? screenRect
        guard let r = want.intersection(screenRect) else {
            throw DesktopError.offScreen(want, screen: screenRect)
        }
        return try connection.locked {
            guard usesSharedMemory else {
                throw DesktopError.missingExtension("MIT-SHM", neededFor: "zero-copy raw frames")
            }
            if shmImage == nil || shmSize.width < r.width || shmSize.height < r.height {
                releaseSegment()
                try createSegment(width: Swift.max(r.width, shmSize.width), height: Swift.max(r.height, shmSize.height))
            }
            guard let img = shmImage else {
                throw DesktopError.serverFailed(request: "MIT-SHM capture", reason: "no shared-memory image")
            }
            let fullW = img.pointee.width
            let fullH = img.pointee.height
            img.pointee.width = Int32(r.width)
            img.pointee.height = Int32(r.height)
            img.pointee.bytes_per_line = Int32(r.width * 4)
            defer {
                img.pointee.width = fullW
                img.pointee.height = fullH
                img.pointee.bytes_per_line = fullW * 4
            }
            guard img.pointee.bits_per_pixel == 32 else {
                throw DesktopError.unsupportedVisual(bitsPerPixel: Int(img.pointee.bits_per_pixel))
            }
            guard XShmGetImage(connection.display, connection.root, img, Int32(r.x), Int32(r.y), UInt.max) != 0 else {
                throw DesktopError.serverFailed(request: "XShmGetImage of \(r)", reason: "the server refused it")
            }
            return try body(
                RawFrame(
                    pixels: UnsafeRawPointer(img.pointee.data!), width: r.width, height: r.height,
                    bytesPerRow: r.width * 4, rect: r, time: .now))
        }
    }

    /// Grabs a rectangle of a drawable as RGBA.
    func grab(drawable: UInt, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        if usesSharedMemory {
            if let img = try? grabShared(drawable: drawable, x: x, y: y, width: width, height: height) { return img }
            usesSharedMemory = false
        }
        var image: UnsafeMutablePointer<XImage>?
        let err = connection.checked {
            image = XGetImage(
                connection.display, drawable, Int32(x), Int32(y), UInt32(width), UInt32(height), UInt.max, ZPixmap)
        }
        guard err == 0, let image else {
            throw DesktopError.serverFailed(
                request: "XGetImage of \(width)x\(height)+\(x)+\(y)", reason: "X error \(err)")
        }
        defer { _ = image.pointee.f.destroy_image(image) }
        return try X11ScreenSource.convert(image)
    }

    private func grabShared(drawable: UInt, x: Int, y: Int, width: Int, height: Int) throws -> Image {
        if shmImage == nil || shmSize.width < width || shmSize.height < height {
            releaseSegment()
            try createSegment(width: Swift.max(width, shmSize.width), height: Swift.max(height, shmSize.height))
        }
        guard let img = shmImage else {
            throw DesktopError.serverFailed(request: "MIT-SHM capture", reason: "no shared-memory image")
        }
        // Describe a sub-image of the segment with the requested size.
        let fullW = img.pointee.width
        let fullH = img.pointee.height
        img.pointee.width = Int32(width)
        img.pointee.height = Int32(height)
        defer {
            img.pointee.width = fullW
            img.pointee.height = fullH
        }
        img.pointee.bytes_per_line = Int32(width * Int(img.pointee.bits_per_pixel) / 8)
        var ok: Int32 = 0
        let err = connection.checked {
            ok = XShmGetImage(connection.display, drawable, img, Int32(x), Int32(y), UInt.max)
        }
        let result = err == 0 && ok != 0 ? try X11ScreenSource.convert(img) : nil
        img.pointee.bytes_per_line = fullW * img.pointee.bits_per_pixel / 8
        guard let result else {
            throw DesktopError.serverFailed(
                request: "XShmGetImage of \(width)x\(height)+\(x)+\(y)", reason: "X error \(err)")
        }
        return result
    }

    private func createSegment(width: Int, height: Int) throws {
        let d = connection.display
        let visual = XDefaultVisual(d, connection.screen)
        let depth = UInt32(XDefaultDepth(d, connection.screen))
        guard let img = XShmCreateImage(d, visual, depth, ZPixmap, nil, &shm, UInt32(width), UInt32(height)) else {
            throw DesktopError.serverFailed(
                request: "XShmCreateImage of \(width)x\(height)", reason: "no image was made")
        }
        let size = Int(img.pointee.bytes_per_line) * Int(img.pointee.height)
        shm.shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0o600)
        guard shm.shmid >= 0, let addr = shmat(shm.shmid, nil, 0), addr != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            _ = img.pointee.f.destroy_image(img)
            throw DesktopError.serverFailed(
                request: "a shared memory segment of \(size) bytes", reason: "shmget/shmat refused it")
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
            throw DesktopError.serverFailed(request: "XShmAttach", reason: "X error \(err); is the server remote?")
        }
        shmImage = img
        shmSize = (width, height)
    }

    private func releaseSegment() {
        guard let img = shmImage, connection.isAlive else { return }
        XShmDetach(connection.display, &shm)
        XSync(connection.display, 0)
        shmdt(shm.shmaddr)
        img.pointee.data = nil
        _ = img.pointee.f.destroy_image(img)
        shmImage = nil
        shmSize = (0, 0)
    }

    /// Converts a 24/32-bit ZPixmap XImage to RGBA (opaque) using its channel masks.
    static func convert(_ img: UnsafeMutablePointer<XImage>) throws -> Image {
        let w = Int(img.pointee.width)
        let h = Int(img.pointee.height)
        let bpp = Int(img.pointee.bits_per_pixel)
        let stride = Int(img.pointee.bytes_per_line)
        guard bpp == 32 || bpp == 24 else {
            throw DesktopError.unsupportedVisual(bitsPerPixel: bpp)
        }
        guard let data = img.pointee.data else {
            throw DesktopError.serverFailed(request: "XGetImage", reason: "the image has no data")
        }
        let rs = shift(img.pointee.red_mask)
        let gs = shift(img.pointee.green_mask)
        let bs = shift(img.pointee.blue_mask)
        let bytesPer = bpp / 8
        let src = UnsafeRawPointer(data)
        // Every byte is written below, so the buffer is not zeroed first.
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 4) { buffer, initialized in
            let d = UnsafeMutableRawPointer(buffer.baseAddress!)
            defer { initialized = w * h * 4 }
            if bytesPer == 4 && rs == 16 && gs == 8 && bs == 0 {
                // Little-endian BGRX → RGBA: swap bytes 0 and 2 of each 32-bit word (vectorised).
                for y in 0..<h {
                    bgrxToRGBA(src + y * stride, d + y * w * 4, w)
                }
            } else {
                let o = d.assumingMemoryBound(to: UInt8.self)
                for y in 0..<h {
                    let row = src + y * stride
                    for x in 0..<w {
                        var p: UInt32 = 0
                        for b in 0..<bytesPer {
                            p |= UInt32(row.load(fromByteOffset: x * bytesPer + b, as: UInt8.self)) << (8 * b)
                        }
                        let i = (y * w + x) * 4
                        o[i] = UInt8(truncatingIfNeeded: p >> rs)
                        o[i + 1] = UInt8(truncatingIfNeeded: p >> gs)
                        o[i + 2] = UInt8(truncatingIfNeeded: p >> bs)
                        o[i + 3] = 255
                    }
                }
            }
        }
        return try Image(width: w, height: h, channels: 4, pixels: pixels)
    }

    /// `n` BGRX pixels to RGBA with 255 alpha, eight at a time.
    @inline(__always)
    static func bgrxToRGBA(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ n: Int) {
        typealias V = SIMD8<UInt32>
        var i = 0
        let lowMask = V(repeating: 0xFF)
        let midMask = V(repeating: 0xFF00)
        let alpha = V(repeating: 0xFF00_0000)
        while i + 8 <= n {
            let p = src.loadUnaligned(fromByteOffset: 4 * i, as: V.self)
            let q = ((p &>> 16) & lowMask) | (p & midMask) | ((p & lowMask) &<< 16) | alpha
            dst.storeBytes(of: q, toByteOffset: 4 * i, as: V.self)
            i += 8
        }
        while i < n {
            let p = src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            dst.storeBytes(
                of: ((p >> 16) & 0xFF) | (p & 0xFF00) | ((p & 0xFF) << 16) | 0xFF00_0000, toByteOffset: 4 * i,
                as: UInt32.self)
            i += 1
        }
    }

    static func shift(_ mask: UInt) -> UInt32 {
        mask == 0 ? 0 : UInt32(mask.trailingZeroBitCount)
    }
}
