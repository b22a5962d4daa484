import Desktop
import Foundation
import Imaging
import SeededRandom

/// Where the minimap sits on a screen of a given size, and at which scale.
public struct MapView: Sendable, Equatable {
    public var screenWidth: Int, screenHeight: Int
    /// Multiplies the minimap's default scale (the game's minimap zoom).
    public var minimapScale: Float

    public init(screenWidth: Int, screenHeight: Int, minimapScale: Float = 1) {
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
        self.minimapScale = minimapScale
    }

    /// Screen pixels per map pixel: 2 at 4K (map pixels are the seed's half scale), fractional at
    /// other sizes (2/3 at 720p).
    public var scale: Float { 2 * Float(screenHeight) / 2160 * minimapScale }
    /// The player's screen position: (1920, 1060) at 3840×2160, scaled.
    public var player: (x: Float, y: Float) { (Float(screenWidth) / 2, Float(screenHeight) * 1060 / 2160) }
    /// The seed's capture square: 1200×1200 around the player at 4K, scaled.
    public var captureRect: ScreenRect {
        let side = Int((1200 * Float(screenHeight) / 2160).rounded()) & ~1
        return ScreenRect(x: Int(player.x) - side / 2, y: Int(player.y) - side / 2, width: side, height: side)
    }
    /// Cells of the frame-number code in the window's top-left corner (outside the capture square).
    static let codeCell = 4, codeBits = 24
}

/// Draws a frame of the map game: ground, scene effects, the semi-transparent minimap, icons,
/// and the hard cases. Writes BGRA (the X server's 32-bit layout) rows of `rect`, using both cores.
public enum MapRenderer {

    /// Renders the part `rect` of the screen into `out` (`rect.width * rect.height * 4` bytes).
    public static func render(
        _ world: MapWorld, view: MapView, rect: ScreenRect, frameIndex: Int, into out: UnsafeMutablePointer<UInt8>,
        drawsFrameCode: Bool = true, look: MapLook = .arena
    ) {
        let events = world.activeEvents
        if events.contains(.loading) {
            loadingScreen(view: view, rect: rect, time: world.time, into: out)
        } else {
            let halves = rect.height >= 64 ? 2 : 1
            DispatchQueue.concurrentPerform(iterations: halves) { part in
                let y0 = rect.height * part / halves
                let y1 = rect.height * (part + 1) / halves
                ground(world, view: view, rect: rect, rows: y0..<y1, into: out, look: look)
            }
            sceneEffects(world, view: view, rect: rect, into: out)
            if !events.contains(.mapOff) {
                DispatchQueue.concurrentPerform(iterations: halves) { part in
                    let y0 = rect.height * part / halves
                    let y1 = rect.height * (part + 1) / halves
                    minimap(world, view: view, rect: rect, rows: y0..<y1, into: out, look: look)
                }
                icons(world, view: view, rect: rect, into: out)
                glints(look.glints, frameIndex: frameIndex, view: view, rect: rect, into: out)
            }
            if events.contains(.flash) {
                let n = rect.width * rect.height
                for i in 0..<n {
                    out[4 * i] = UInt8((Float(out[4 * i]) * 0.1 + 0.9 * 235).rounded())
                    out[4 * i + 1] = UInt8((Float(out[4 * i + 1]) * 0.1 + 0.9 * 248).rounded())
                    out[4 * i + 2] = UInt8((Float(out[4 * i + 2]) * 0.1 + 0.9 * 255).rounded())
                }
            }
        }
        if drawsFrameCode { frameCode(frameIndex, rect: rect, into: out) }
    }

    /// Renders `rect` as an RGB image (for tests, the truth and the benchmark's recorded frames).
    public static func image(
        _ world: MapWorld, view: MapView, rect: ScreenRect, frameIndex: Int, drawsFrameCode: Bool = true,
        look: MapLook = .arena
    ) -> Image {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: rect.width * rect.height * 4)
        defer { buffer.deallocate() }
        render(
            world, view: view, rect: rect, frameIndex: frameIndex, into: buffer, drawsFrameCode: drawsFrameCode,
            look: look)
        var img = Image(width: rect.width, height: rect.height)
        img.pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<(rect.width * rect.height) {
                px[3 * i] = buffer[4 * i + 2]
                px[3 * i + 1] = buffer[4 * i + 1]
                px[3 * i + 2] = buffer[4 * i]
            }
        }
        return img
    }

    /// The whole layout as a stitched minimap of the walk so far shows it: the screen at `view`'s
    /// scale extended to cover the map (ground, the effects near the player, the revealed lines),
    /// and the entrance's position in that picture. For tests and examples of offline reading.
    public static func stitchedMap(_ world: MapWorld, view: MapView) -> (image: Image, origin: GridPoint) {
        let s = view.scale
        let layout = world.layout
        let x0 = Int((view.player.x - world.player.x * s).rounded(.down))
        let y0 = Int((view.player.y - world.player.y * s).rounded(.down))
        let rect = ScreenRect(
            x: x0, y: y0, width: Int((Float(layout.width) * s).rounded(.up)),
            height: Int((Float(layout.height) * s).rounded(.up)))
        let image = MapRenderer.image(world, view: view, rect: rect, frameIndex: 0, drawsFrameCode: false)
        let ex = view.player.x + (layout.entrance.x - world.player.x) * s - Float(x0)
        let ey = view.player.y + (layout.entrance.y - world.player.y) * s - Float(y0)
        return (image, GridPoint(x: Int(ex.rounded(.down)), y: Int(ey.rounded(.down))))
    }

    private static func ground(
        _ world: MapWorld, view: MapView, rect: ScreenRect, rows: Range<Int>, into out: UnsafeMutablePointer<UInt8>,
        look: MapLook
    ) {
        // The look's contrast and tint as a table per channel (the identity for the arena's look).
        var table = [UInt8](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            let m = MapLook.groundMean[c]
            for v in 0..<256 {
                let g = m + (Float(v) - m) * look.groundContrast + look.groundShift[c]
                table[c * 256 + v] = UInt8(max(0, min(255, g.rounded())))
            }
        }
        let s = view.scale * world.scene.zoom
        let gx = world.player.x * s - view.player.x
        let gy = world.player.y * s - view.player.y
        let texStep = 0.5 / max(view.scale, 0.25)
        world.scene.texture.withUnsafeBufferPointer { tex in
            for row in rows {
                let v = (Int(((Float(rect.y + row) + gy) * texStep).rounded(.down)) & 255) * 256
                var o = row * rect.width * 4
                for col in 0..<rect.width {
                    let u = Int(((Float(rect.x + col) + gx) * texStep).rounded(.down)) & 255
                    let t = (v + u) * 3
                    out[o] = table[512 + Int(tex[t + 2])]
                    out[o + 1] = table[256 + Int(tex[t + 1])]
                    out[o + 2] = table[Int(tex[t])]
                    out[o + 3] = 0
                    o += 4
                }
            }
        }
    }

    /// Adds (or blends) a radial blob of `color` at screen point (cx, cy).
    private static func blob(
        cx: Float, cy: Float, r: Float, color: (Float, Float, Float), strength: Float, additive: Bool,
        rect: ScreenRect, into out: UnsafeMutablePointer<UInt8>
    ) {
        let x0 = max(rect.x, Int(cx - r))
        let x1 = min(rect.x + rect.width - 1, Int(cx + r))
        let y0 = max(rect.y, Int(cy - r))
        let y1 = min(rect.y + rect.height - 1, Int(cy + r))
        guard x0 <= x1, y0 <= y1 else { return }
        let inv = 1 / (r * r)
        for y in y0...y1 {
            let dy = Float(y) - cy
            var o = ((y - rect.y) * rect.width + (x0 - rect.x)) * 4
            for x in x0...x1 {
                let dx = Float(x) - cx
                let d = 1 - (dx * dx + dy * dy) * inv
                if d > 0 {
                    let a = strength * d * d
                    if additive {
                        out[o + 2] = UInt8(min(255, Float(out[o + 2]) + a * color.0))
                        out[o + 1] = UInt8(min(255, Float(out[o + 1]) + a * color.1))
                        out[o] = UInt8(min(255, Float(out[o]) + a * color.2))
                    } else {
                        let k = min(1, a)
                        out[o + 2] = UInt8(Float(out[o + 2]) * (1 - k) + k * color.0)
                        out[o + 1] = UInt8(Float(out[o + 1]) * (1 - k) + k * color.1)
                        out[o] = UInt8(Float(out[o]) * (1 - k) + k * color.2)
                    }
                }
                o += 4
            }
        }
    }

    private static func sceneEffects(
        _ world: MapWorld, view: MapView, rect: ScreenRect, into out: UnsafeMutablePointer<UInt8>
    ) {
        let scene = world.scene
        guard scene.effects != .none else { return }
        let s = view.scale * scene.zoom
        func screen(_ p: MapPoint) -> (Float, Float) {
            (view.player.x + (p.x - world.player.x) * s, view.player.y + (p.y - world.player.y) * s)
        }
        let t = Float(world.time)
        for pool in scene.pools {
            let (x, y) = screen(pool.p)
            blob(
                cx: x, cy: y, r: pool.rx * s, color: (28, 72, 135), strength: 1.6, additive: false, rect: rect,
                into: out)
        }
        for fire in scene.fires {
            let (x, y) = screen(fire.p)
            let flicker = 0.85 + 0.15 * sin(t * 9 + fire.phase)
            blob(
                cx: x, cy: y, r: fire.r * s * flicker, color: (255, 150, 45), strength: 1.8, additive: true, rect: rect,
                into: out)
            blob(
                cx: x, cy: y, r: fire.r * s * 0.45, color: (255, 240, 170), strength: 1.5, additive: true, rect: rect,
                into: out)
        }
        for e in scene.enemies {
            let (x, y) = screen(e.p)
            blob(cx: x, cy: y, r: 3.5 * s, color: (90, 25, 20), strength: 3, additive: false, rect: rect, into: out)
        }
        for f in scene.flashes {
            let (x, y) = screen(f.p)
            let age = Float(world.time - f.start) / 0.35
            blob(
                cx: x, cy: y, r: f.r * s * (0.5 + age), color: f.color, strength: 1.4 * (1 - age), additive: true,
                rect: rect, into: out)
        }
        // The player: a figure, its aura (a pulsing ring) and its own skills.
        let px = view.player.x
        let py = view.player.y
        let aura = 60 * view.scale * (1 + 0.05 * sin(t * 3))
        blob(cx: px, cy: py, r: aura, color: (160, 60, 200), strength: 0.35, additive: true, rect: rect, into: out)
        blob(cx: px, cy: py, r: aura * 0.7, color: (20, 10, 30), strength: 0.3, additive: false, rect: rect, into: out)
        blob(
            cx: px, cy: py, r: 9 * view.scale, color: (120, 95, 70), strength: 3, additive: false, rect: rect, into: out
        )
        for start in scene.playerSkills {
            let age = Float(world.time - start) / 0.3
            blob(
                cx: px + 40 * view.scale, cy: py - 10 * view.scale, r: 80 * view.scale * (0.4 + age),
                color: (140, 200, 255),
                strength: 1.6 * (1 - age), additive: true, rect: rect, into: out)
        }
    }

    /// The semi-transparent wall lines (lavender) and water edges (cyan) of everything revealed,
    /// sampled bilinearly at the minimap's (fractional) scale.
    private static func minimap(
        _ world: MapWorld, view: MapView, rect: ScreenRect, rows: Range<Int>, into out: UnsafeMutablePointer<UInt8>,
        look: MapLook
    ) {
        let s = view.scale
        let inv = 1 / s
        let w = world.layout.width
        let h = world.layout.height
        let (wr, wg, wb) = (look.wall[0], look.wall[1], look.wall[2])
        let (cr, cg, cb) = (look.water[0], look.water[1], look.water[2])
        // The arena's look keeps its exact arithmetic (glow × opacity / 255); others clamp the gained glow.
        let plain = look.lineGain == 1
        let perLevel = look.opacity / 255
        let gain = look.lineGain / 255
        let opacity = look.opacity
        world.visibleWalls.withUnsafeBufferPointer { walls in
            world.visibleWater.withUnsafeBufferPointer { water in
                for row in rows {
                    let my = world.player.y + (Float(rect.y + row) + 0.5 - view.player.y) * inv - 0.5
                    let iy = Int(my.rounded(.down))
                    guard iy >= 0, iy < h - 1 else { continue }
                    let fy = my - Float(iy)
                    // Only the columns whose map x is inside the map.
                    let mx0 = world.player.x + (Float(rect.x) + 0.5 - view.player.x) * inv - 0.5
                    let c0 = max(0, Int(((0 - mx0) * s).rounded(.up)))
                    let c1 = min(rect.width, Int((Float(w - 1) - mx0) * s))
                    guard c0 < c1 else { continue }
                    var o = (row * rect.width + c0) * 4
                    for col in c0..<c1 {
                        let mx = mx0 + Float(col) * inv
                        let ix = Int(mx)
                        let fx = mx - Float(ix)
                        let i = iy * w + ix
                        let a00 = Float(walls[i])
                        let a01 = Float(walls[i + 1])
                        let a10 = Float(walls[i + w])
                        let a11 = Float(walls[i + w + 1])
                        let b00 = Float(water[i])
                        let b01 = Float(water[i + 1])
                        let b10 = Float(water[i + w])
                        let b11 = Float(water[i + w + 1])
                        if a00 + a01 + a10 + a11 + b00 + b01 + b10 + b11 > 0 {
                            let lw = (a00 * (1 - fx) + a01 * fx) * (1 - fy) + (a10 * (1 - fx) + a11 * fx) * fy
                            let lb = (b00 * (1 - fx) + b01 * fx) * (1 - fy) + (b10 * (1 - fx) + b11 * fx) * fy
                            let aw = plain ? lw * perLevel : min(1, lw * gain) * opacity
                            let ab = plain ? lb * perLevel : min(1, lb * gain) * opacity
                            var r = Float(out[o + 2])
                            var g = Float(out[o + 1])
                            var b = Float(out[o])
                            r = r * (1 - ab) + cr * ab
                            g = g * (1 - ab) + cg * ab
                            b = b * (1 - ab) + cb * ab
                            r = r * (1 - aw) + wr * aw
                            g = g * (1 - aw) + wg * aw
                            b = b * (1 - aw) + wb * aw
                            out[o + 2] = UInt8(r)
                            out[o + 1] = UInt8(g)
                            out[o] = UInt8(b)
                        }
                        o += 4
                    }
                }
            }
        }
    }

    private static func fillRect(
        _ x: Float, _ y: Float, _ w: Float, _ h: Float, color: (UInt8, UInt8, UInt8), rect: ScreenRect,
        into out: UnsafeMutablePointer<UInt8>
    ) {
        let x0 = max(rect.x, Int(x))
        let x1 = min(rect.x + rect.width, Int(x + w))
        let y0 = max(rect.y, Int(y))
        let y1 = min(rect.y + rect.height, Int(y + h))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            var o = ((yy - rect.y) * rect.width + x0 - rect.x) * 4
            for _ in x0..<x1 {
                out[o] = color.2
                out[o + 1] = color.1
                out[o + 2] = color.0
                o += 4
            }
        }
    }

    /// `count` bright effects over the lines (a skill's light, sparks, a glint), placed by the frame
    /// number: what a busy fight draws over the minimap.
    private static func glints(
        _ count: Int, frameIndex: Int, view: MapView, rect: ScreenRect, into out: UnsafeMutablePointer<UInt8>
    ) {
        guard count > 0 else { return }
        var rng = SeededGenerator(seed: UInt64(truncatingIfNeeded: frameIndex) &* 0x9E37_79B9 ^ 0x474C_494E)
        let colors: [(Float, Float, Float)] = [(255, 170, 70), (150, 200, 255), (255, 250, 230), (220, 120, 255)]
        for _ in 0..<count {
            let cx = Float(rect.x) + rng.nextUniform() * Float(rect.width)
            let cy = Float(rect.y) + rng.nextUniform() * Float(rect.height)
            let r = (8 + 40 * rng.nextUniform()) * view.scale
            let color = colors[Int(rng.next() % UInt64(colors.count))]
            blob(
                cx: cx, cy: cy, r: r, color: color, strength: 0.5 + rng.nextUniform(), additive: true, rect: rect,
                into: out)
        }
    }

    /// Opaque icons over the lines: the orange exit door and the waypoint's orange-yellow cross,
    /// once revealed.
    private static func icons(_ world: MapWorld, view: MapView, rect: ScreenRect, into out: UnsafeMutablePointer<UInt8>)
    {
        let s = view.scale
        func screen(_ p: MapPoint) -> (Float, Float) {
            (view.player.x + (p.x - world.player.x) * s, view.player.y + (p.y - world.player.y) * s)
        }
        let layout = world.layout
        func seen(_ p: MapPoint) -> Bool { world.revealed[Int(p.y) * layout.width + Int(p.x)] != 0 }
        if seen(layout.exit) {
            let (x, y) = screen(layout.exit)
            fillRect(x - 3.75 * s, y - 4 * s, 7.5 * s, 8 * s, color: (200, 102, 40), rect: rect, into: out)
        }
        if seen(layout.waypoint) {
            let (x, y) = screen(layout.waypoint)
            fillRect(x - 4 * s, y - 1 * s, 8 * s, 2 * s, color: (235, 190, 60), rect: rect, into: out)
            fillRect(x - 1 * s, y - 4 * s, 2 * s, 8 * s, color: (235, 190, 60), rect: rect, into: out)
        }
    }

    /// A loading screen: dark art with bluish arches (to tempt a matcher), a title and a bar.
    private static func loadingScreen(
        view: MapView, rect: ScreenRect, time: Double, into out: UnsafeMutablePointer<UInt8>
    ) {
        let w = Float(view.screenWidth)
        let h = Float(view.screenHeight)
        for row in 0..<rect.height {
            let y = Float(rect.y + row) / h
            var o = row * rect.width * 4
            for col in 0..<rect.width {
                let x = Float(rect.x + col) / w
                let d = ((x - 0.5) * (x - 0.5) * 3 + (y - 0.45) * (y - 0.45) * 5).squareRoot()
                let arch = abs(d - 0.35) < 0.004 || abs(d - 0.42) < 0.003 ? Float(1) : 0
                out[o + 2] = UInt8(18 + 20 * (1 - y) + 100 * arch)
                out[o + 1] = UInt8(14 + 14 * (1 - y) + 110 * arch)
                out[o] = UInt8(12 + 10 * (1 - y) + 160 * arch)
                o += 4
            }
        }
        let progress = Float(time.truncatingRemainder(dividingBy: 1.5) / 1.5)
        fillRect(w * 0.3, h * 0.9, w * 0.4, h * 0.015, color: (50, 40, 30), rect: rect, into: out)
        fillRect(w * 0.3, h * 0.9, w * 0.4 * progress, h * 0.015, color: (200, 150, 60), rect: rect, into: out)
    }

    /// The frame number as black and white cells in the window's top-left corner (outside the
    /// capture square), so a recording can be matched to the ground truth exactly.
    private static func frameCode(_ index: Int, rect: ScreenRect, into out: UnsafeMutablePointer<UInt8>) {
        let c = MapView.codeCell
        for bit in -1...MapView.codeBits {
            let on = bit < 0 || bit == MapView.codeBits ? true : (index >> bit) & 1 == 1
            let x = Float(4 + (bit + 1) * c)
            fillRect(x, 4, Float(c), Float(c), color: on ? (255, 255, 255) : (0, 0, 0), rect: rect, into: out)
        }
    }

    /// Reads the frame number back from a picture of the whole window (RGB or RGBA), or nil.
    public static func frameIndex(in image: Image) -> Int? {
        let c = MapView.codeCell
        func bright(_ bit: Int) -> Bool? {
            let x = 4 + (bit + 1) * c + c / 2
            let y = 4 + c / 2
            guard x < image.width, y < image.height else { return nil }
            let p = image.pixel(x: x, y: y)
            if p.red > 200 && p.green > 200 && p.blue > 200 { return true }
            if p.red < 50 && p.green < 50 && p.blue < 50 { return false }
            return nil
        }
        guard bright(-1) == true, bright(MapView.codeBits) == true else { return nil }
        var n = 0
        for bit in 0..<MapView.codeBits {
            guard let b = bright(bit) else { return nil }
            if b { n |= 1 << bit }
        }
        return n
    }
}
