import Foundation
import SeededRandom
import Imaging

/// Draws a racer frame: a chase camera above and behind the car, turned with it, so the
/// scenery (grass, gravel, kerbs, tyre walls, trees, the start line) sweeps past as it drives;
/// the car itself, dust and tyre smoke, film grain, a shake off the asphalt, a minimap and a
/// speed and lap display.
///
/// The track is painted once into a world texture (5 pixels a metre); each frame samples it
/// along the camera's rotated axes with unsafe buffers (no per-pixel closures), so a 640×480
/// frame takes a few milliseconds.
public final class RacerRenderer: @unchecked Sendable {
    public let track: RacerTrack
    public let width: Int, height: Int
    /// Texture and screen scale, pixels per metre.
    public let pixelsPerMetre = 5.0
    private var world: [UInt8]
    private let worldWidth: Int, worldHeight: Int
    private let worldMin: SIMD2<Double>, worldMax: SIMD2<Double>
    private let grain: [Int16]
    private let minimap: [(x: Int, y: Int)]
    private let minimapTransform: (scale: Double, min: SIMD2<Double>)
    private static let minimapSize = 110

    /// Paints `track`'s world texture for frames of `width`×`height` pixels.
    public init(track: RacerTrack, width: Int, height: Int) {
        self.track = track
        self.width = width
        self.height = height
        let margin = 45.0
        let b = track.bounds
        worldMin = b.min - SIMD2(margin, margin)
        worldMax = b.max + SIMD2(margin, margin)
        worldWidth = Int(((worldMax.x - worldMin.x) * pixelsPerMetre).rounded(.up))
        worldHeight = Int(((worldMax.y - worldMin.y) * pixelsPerMetre).rounded(.up))
        world = RacerRenderer.paintWorld(
            track: track, width: worldWidth, height: worldHeight, min: worldMin, max: worldMax, ppm: pixelsPerMetre)
        var rng = SeededGenerator(seed: track.seed ^ 0x6A41)
        grain = (0..<(1 << 16)).map { _ in Int16(Int(rng.next() % 13) - 6) }
        let size = Double(RacerRenderer.minimapSize - 10)
        let scale = size / Swift.max(b.max.x - b.min.x, b.max.y - b.min.y)
        minimapTransform = (scale, b.min)
        minimap = stride(from: 0, to: track.points.count, by: 2).map { i in
            let p = track.points[i]
            return (Int((p.x - b.min.x) * scale) + 5, RacerRenderer.minimapSize - 5 - Int((p.y - b.min.y) * scale))
        }
    }

    // MARK: World texture

    private static func hash(_ a: Int, _ b: Int) -> UInt32 {
        var h = UInt32(truncatingIfNeeded: a &* 73_856_093 ^ b &* 19_349_663)
        h ^= h >> 13
        h = h &* 0x5bd1_e995
        h ^= h >> 15
        return h
    }

    private static func paintWorld(
        track: RacerTrack, width: Int, height: Int, min: SIMD2<Double>, max: SIMD2<Double>, ppm: Double
    ) -> [UInt8] {
        let count = width * height
        var nearest = [Float](repeating: .infinity, count: count)  // |lateral| of the nearest stamp
        var lateral = [Float](repeating: 0, count: count)
        var along = [Float](repeating: 0, count: count)
        let reachExtra = track.runoff + 1.6
        // Stamp the centre line's neighbourhood, keeping per pixel the nearest point of the line.
        nearest.withUnsafeMutableBufferPointer { near in
            lateral.withUnsafeMutableBufferPointer { lat in
                along.withUnsafeMutableBufferPointer { sAlong in
                    var s = 0.0
                    while s < track.length {
                        let c = track.point(at: s)
                        let h = track.heading(at: s)
                        let n = SIMD2(-sin(h), cos(h))
                        let reach = track.width(at: s) / 2 + reachExtra
                        var d = -reach
                        while d <= reach {
                            let p = c + n * d
                            let px = Int((p.x - min.x) * ppm)
                            let py = Int((max.y - p.y) * ppm)
                            if px >= 0, py >= 0, px < width, py < height {
                                let i = py * width + px
                                let ad = Float(abs(d))
                                if ad < near[i] {
                                    near[i] = ad
                                    lat[i] = Float(d)
                                    sAlong[i] = Float(s)
                                }
                            }
                            d += 0.1
                        }
                        s += 0.1
                    }
                }
            }
        }
        var rgb = [UInt8](repeating: 0, count: count * 3)
        let runoff = Float(track.runoff)
        rgb.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                for x in 0..<width {
                    let i = y * width + x
                    let noise = Int(hash(x, y) & 15) - 8
                    var r = 0
                    var g = 0
                    var b = 0
                    // Grass with mowing stripes 6 m wide.
                    let stripe = ((x + y) / 30) & 1 == 0 ? 7 : -5
                    r = 62 + noise / 2 + stripe / 2
                    g = 112 + noise + stripe
                    b = 44 + noise / 2
                    let ad = nearest[i]
                    if ad.isFinite {
                        let s = Double(along[i])
                        let half = Float(track.width(at: s) / 2)
                        if ad <= half {
                            // Asphalt, with kerbs in the corners and white edge lines on the straights.
                            r = 84 + noise / 2
                            g = 84 + noise / 2
                            b = 88 + noise / 2
                            let corner = abs(track.curvature(at: s)) > 1.0 / 90
                            if ad > half - 1.1 && corner {
                                let red = Int(s / 2.5) & 1 == 0
                                (r, g, b) = red ? (196, 38, 34) : (236, 236, 230)
                            } else if ad > half - 0.45 {
                                (r, g, b) = (225, 225, 218)
                            } else if ad < 0.15 && Int(s / 6) & 1 == 0 {
                                (r, g, b) = (214, 208, 160)
                            }
                            if s < 4 {
                                // Chequered start and finish line, 1 m squares.
                                let row = Int(s) & 1
                                let col = Int((Double(lateral[i]) + 40) / 1.0) & 1
                                (r, g, b) = row == col ? (20, 20, 20) : (240, 240, 240)
                            }
                        } else if ad <= half + runoff {
                            r = 198 + noise
                            g = 178 + noise
                            b = 132 + noise / 2  // gravel trap
                        } else if ad <= half + runoff + 1.1 {
                            let red = Int(s / 1.5) & 1 == 0  // tyre wall
                            (r, g, b) = red ? (170, 30, 30) : (34, 34, 36)
                        }
                    }
                    out[3 * i] = UInt8(clamping: r)
                    out[3 * i + 1] = UInt8(clamping: g)
                    out[3 * i + 2] = UInt8(clamping: b)
                }
            }
        }
        // Trees beyond the tyre walls.
        var rng = SeededGenerator(seed: track.seed ^ 0x7EE5)
        var image =
            (try? Image(width: width, height: height, channels: 3, pixels: rgb)) ?? Image(width: width, height: height)
        var planted = 0
        var tries = 0
        while planted < 420 && tries < 6000 {
            tries += 1
            let p = SIMD2(
                min.x + Double(rng.nextUniform()) * (max.x - min.x), min.y + Double(rng.nextUniform()) * (max.y - min.y)
            )
            let loc = track.locate(p)
            let radius = 1.6 + 2.2 * Double(rng.nextUniform())
            guard abs(loc.lateral) > track.width(at: loc.s) / 2 + track.runoff + 2.5 + radius else { continue }
            planted += 1
            let cx = Int((p.x - min.x) * ppm)
            let cy = Int((max.y - p.y) * ppm)
            let r = Int(radius * ppm)
            let shade = Int(rng.next() % 30)
            image.fillCircle(cx: cx + 3, cy: cy + 4, radius: r, color: [30, 60, 24])  // shadow
            image.fillCircle(cx: cx, cy: cy, radius: r, color: [UInt8(24 + shade / 2), UInt8(78 + shade), 30])
            image.fillCircle(
                cx: cx - r / 4, cy: cy - r / 4, radius: r / 2, color: [UInt8(44 + shade / 2), UInt8(110 + shade), 46])
        }
        return image.pixels
    }

    // MARK: Frames

    /// A new frame for `view`.
    public func render(_ view: RacerView) -> Image {
        var image = Image(width: width, height: height)
        render(view, into: &image)
        return image
    }

    /// Draws the frame for `view` into `image` (RGB, this renderer's size).
    public func render(_ view: RacerView, into image: inout Image) {
        precondition(
            image.width == width && image.height == height && image.channels == 3,
            "frame must be \(width)x\(height) RGB")
        let ppm = pixelsPerMetre
        // The camera turns with the car but lags half the drift, so a sliding car shows its angle.
        let cameraHeading = view.heading + 0.5 * view.slip
        let up = SIMD2(cos(cameraHeading), sin(cameraHeading))
        let right = SIMD2(sin(cameraHeading), -cos(cameraHeading))
        var anchor = SIMD2(Double(width) / 2, Double(height) * 0.68)
        if view.offTrack && view.speed > 2 {
            let h = RacerRenderer.hash(view.frame, 7)
            let amount: Double = Swift.min(1, view.speed / 12)
            let jx = Double(Int(h & 7) - 3)
            let jy = Double(Int((h >> 3) & 7) - 3)
            anchor += SIMD2<Double>(jx, jy) * amount
        }
        let car = SIMD2(view.x, view.y)
        // Texture coordinates of screen pixel (sx, sy): linear in both.
        func texture(_ sx: Double, _ sy: Double) -> SIMD2<Double> {
            let a: Double = (sx - anchor.x) / ppm
            let b: Double = (anchor.y - sy) / ppm
            let p: SIMD2<Double> = car + right * a + up * b
            return SIMD2((p.x - worldMin.x) * ppm, (worldMax.y - p.y) * ppm)
        }
        let t00 = texture(0, 0)
        let dx = texture(1, 0) - t00
        let dy = texture(0, 1) - t00
        let ww = worldWidth
        let wh = worldHeight
        let w = width
        let h = height
        let grainOffset = Int(RacerRenderer.hash(view.frame, 3) & 0xFFFF)
        world.withUnsafeBufferPointer { tex in
            grain.withUnsafeBufferPointer { noise in
                image.pixels.withUnsafeMutableBufferPointer { out in
                    for sy in 0..<h {
                        var t = t00 + dy * Double(sy)
                        var o = sy * w * 3
                        for sx in 0..<w {
                            let tx = Int(t.x)
                            let ty = Int(t.y)
                            let n = Int(noise[(sx &* 31 &+ sy &* 977 &+ grainOffset) & 0xFFFF])
                            if t.x >= 0, t.y >= 0, tx < ww, ty < wh {
                                let i = (ty * ww + tx) * 3
                                out[o] = UInt8(clamping: Int(tex[i]) + n)
                                out[o + 1] = UInt8(clamping: Int(tex[i + 1]) + n)
                                out[o + 2] = UInt8(clamping: Int(tex[i + 2]) + n)
                            } else {
                                out[o] = UInt8(clamping: 60 + n)
                                out[o + 1] = UInt8(clamping: 110 + n)
                                out[o + 2] = UInt8(clamping: 43 + n)
                            }
                            o += 3
                            t += dx
                        }
                    }
                }
            }
        }
        drawEffects(view, into: &image, anchor: anchor)
        drawCar(view, into: &image, anchor: anchor)
        drawHUD(view, into: &image)
    }

    /// Dust behind a car on the grass, smoke from sliding tyres (seeded by the frame number).
    private func drawEffects(_ view: RacerView, into image: inout Image, anchor: SIMD2<Double>) {
        let dusty = view.offTrack && view.speed > 3
        let smoky = abs(view.slip) > 0.12 && view.speed > 6
        guard dusty || smoky else { return }
        let phi = -0.5 * view.slip  // the car's angle on screen, counter-clockwise from up
        let bx = -sin(phi)
        let by = -cos(phi)  // screen direction of the nose
        let puffs = dusty ? 7 : 4
        for k in 0..<puffs {
            let hsh = RacerRenderer.hash(view.frame, 100 + k)
            let dist = 12 + Double(hsh & 31)
            let side = Double(Int((hsh >> 5) & 31) - 15)
            let px = anchor.x - bx * dist - by * side * 0.6
            let py = anchor.y - by * dist + bx * side * 0.6
            let r = 2 + Int((hsh >> 10) & 3)
            let color: Color = dusty ? [178, 156, 110] : [205, 205, 205]
            image.fillCircle(cx: Int(px), cy: Int(py), radius: r, color: color)
        }
    }

    /// The car, turned by half its drift on screen, with its shadow, glass and wheels.
    private func drawCar(_ view: RacerView, into image: inout Image, anchor: SIMD2<Double>) {
        let phi = -0.5 * view.slip  // counter-clockwise from straight up, on screen
        let nose = (x: -sin(phi), y: -cos(phi))
        let side = (x: cos(phi), y: -sin(phi))
        let ppm = pixelsPerMetre
        let halfL = 2.2 * ppm
        let halfW = 1.0 * ppm
        let reach = Int(halfL + 3)
        let cx = Int(anchor.x)
        let cy = Int(anchor.y)
        let w = width
        let h = height
        let steerTilt = view.steering * 0.35
        let wheels: [(Double, Double)] = [(1.35, 1.0), (1.35, -1.0), (-1.35, 1.0), (-1.35, -1.0)]
        image.pixels.withUnsafeMutableBufferPointer { out in
            for dy in -reach...reach + 2 {
                for dx in -reach...reach + 2 {
                    let x = cx + dx
                    let y = cy + dy
                    guard x >= 0, y >= 0, x < w, y < h else { continue }
                    // Car frame: f forward (screen up when angle = 0), r to the right.
                    let fx = Double(dx)
                    let fy = Double(dy)
                    let forward = fx * nose.x + fy * nose.y
                    let rightward = fx * side.x + fy * side.y
                    let o = (y * w + x) * 3
                    var c: (Int, Int, Int)?
                    // Shadow (offset 2 px down-right, drawn first under the body).
                    let sf = (fx - 2) * nose.x + (fy - 2) * nose.y
                    let sr = (fx - 2) * side.x + (fy - 2) * side.y
                    if abs(sf) < halfL && abs(sr) < halfW {
                        c = (Int(out[o]) / 2, Int(out[o + 1]) / 2, Int(out[o + 2]) / 2)
                    }
                    // Wheels, the front pair turned with the steering.
                    for (wf, wr) in wheels {
                        var lf = forward - wf * ppm
                        var lr = rightward - wr * ppm
                        if wf > 0 {
                            let t = lf * cos(steerTilt) - lr * sin(steerTilt)
                            lr = lf * sin(steerTilt) + lr * cos(steerTilt)
                            lf = t
                        }
                        if abs(lf) < 0.45 * ppm && abs(lr) < 0.25 * ppm { c = (18, 18, 18) }
                    }
                    if abs(forward) < halfL && abs(rightward) < halfW * 0.9 {
                        let u = forward / halfL
                        if u > 0.05 && u < 0.42 && abs(rightward) < halfW * 0.7 {
                            c = (40, 62, 96)
                        }  // windscreen
                        else if u < -0.55 && u > -0.75 && abs(rightward) < halfW * 0.65 {
                            c = (52, 70, 100)
                        }  // rear window
                        else if abs(rightward) < halfW * 0.18 {
                            c = (240, 240, 240)
                        }  // stripe
                        else {
                            c = (210, 32, 28)
                        }  // body
                    }
                    if let c {
                        out[o] = UInt8(clamping: c.0)
                        out[o + 1] = UInt8(clamping: c.1)
                        out[o + 2] = UInt8(clamping: c.2)
                    }
                }
            }
        }
    }

    /// Lap, time, speed, crashes and a minimap with the car's dot.
    private func drawHUD(_ view: RacerView, into image: inout Image) {
        let laps = Int(Swift.max(0, view.progress).rounded(.down))
        let minutes = Int(view.time) / 60
        let seconds = view.time - Double(minutes * 60)
        image.fillRect(x: 6, y: 6, width: 150, height: 40, color: [16, 16, 20])
        image.drawText("LAP \(laps + 1)", x: 12, y: 11, color: [250, 210, 60], scale: 2)
        image.drawText(String(format: "%d:%04.1f", minutes, seconds), x: 12, y: 31, color: [230, 230, 230], scale: 1)
        image.drawText("CRASH \(view.crashes)", x: 80, y: 31, color: [230, 120, 110], scale: 1)
        let kmh = Int((view.speed * 3.6).rounded())
        let text = "\(kmh) KM/H"
        image.fillRect(
            x: width - 12 - Image.textWidth(text, scale: 2) - 6, y: height - 34,
            width: Image.textWidth(text, scale: 2) + 12, height: 26, color: [16, 16, 20])
        image.drawText(
            text, x: width - 12 - Image.textWidth(text, scale: 2), y: height - 28, color: [240, 240, 240], scale: 2)
        if view.offTrack {
            image.drawText(
                "OFF TRACK", x: width / 2 - Image.textWidth("OFF TRACK", scale: 2) / 2, y: 14, color: [250, 80, 60],
                scale: 2)
        }
        let size = RacerRenderer.minimapSize
        let ox = width - size - 6
        let oy = 6
        guard ox > 160 else { return }
        image.fillRect(x: ox, y: oy, width: size, height: size, color: [20, 30, 20])
        for p in minimap { image.fillRect(x: ox + p.x, y: oy + p.y, width: 2, height: 2, color: [170, 170, 170]) }
        let s = minimapTransform.scale
        let m = minimapTransform.min
        let px = ox + Int((view.x - m.x) * s) + 5
        let py = oy + size - 5 - Int((view.y - m.y) * s)
        image.fillRect(x: px - 2, y: py - 2, width: 5, height: 5, color: [240, 40, 30])
    }
}
