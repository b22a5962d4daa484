import Foundation
import SeededRandom

/// The busy game world under the minimap: a ground texture, fires, bluish water pools, enemies
/// and their skill flashes. Positions are in map pixels; the world is drawn at ``zoom`` times the
/// minimap's scale, so it slides under the minimap faster than the map lines do (as in the game).
final class MapScene {
    /// World pixels per minimap pixel.
    let zoom: Float = 5
    /// 256×256 RGB ground texture, tileable.
    let texture: [UInt8]
    struct Fire {
        var p: MapPoint
        var r: Float
        var phase: Float
    }
    struct Pool {
        var p: MapPoint
        var rx: Float
        var ry: Float
    }
    struct Enemy {
        var p: MapPoint
        var v: MapPoint
        var nextSkill: Double
    }
    struct Flash {
        var p: MapPoint
        var start: Double
        var r: Float
        var color: (Float, Float, Float)
    }
    var fires: [Fire] = [], pools: [Pool] = [], enemies: [Enemy] = [], flashes: [Flash] = []
    /// The player's own skill flashes (centred on the player), start times.
    var playerSkills: [Double] = []
    private var rng: SeededGenerator
    private let layout: MapLayout
    let effects: MapEffects

    init(layout: MapLayout, effects: MapEffects, seed: UInt64) {
        self.layout = layout
        self.effects = effects
        rng = SeededGenerator(seed: seed ^ 0x5CE7E)
        texture = MapScene.groundTexture(seed: seed)
        let amount = effects == .none ? 0 : effects == .normal ? 1 : 2
        for _ in 0..<(18 * amount) {
            if let p = randomWalkable() { fires.append(Fire(p: p, r: uniform(5, 12), phase: uniform(0, 6.28))) }
        }
        for _ in 0..<(10 * amount) {
            if let p = randomWalkable() { pools.append(Pool(p: p, rx: uniform(12, 30), ry: uniform(8, 20))) }
        }
        for _ in 0..<(30 * amount) {
            if let p = randomWalkable() {
                enemies.append(Enemy(p: p, v: MapPoint(x: 0, y: 0), nextSkill: Double(uniform(0, 4))))
            }
        }
    }

    private func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rngUniform() }
    private func rngUniform() -> Float { rng.nextUniform() }

    private func randomWalkable() -> MapPoint? {
        for _ in 0..<200 {
            let p = MapPoint(x: uniform(0, Float(layout.width)), y: uniform(0, Float(layout.height)))
            if layout.isWalkable(p) { return p }
        }
        return nil
    }

    /// Moves enemies and starts and ends skill flashes.
    func step(_ dt: Double, time: Double) {
        guard effects != .none else { return }
        for i in enemies.indices {
            if rngUniform() < Float(dt) { enemies[i].v = MapPoint(x: uniform(-20, 20), y: uniform(-20, 20)) }
            let next = enemies[i].p + enemies[i].v * Float(dt)
            if layout.isWalkable(next) { enemies[i].p = next } else { enemies[i].v = enemies[i].v * -1 }
            if time >= enemies[i].nextSkill {
                let blue = rngUniform() < 0.6
                flashes.append(
                    Flash(
                        p: enemies[i].p, start: time, r: uniform(8, 22),
                        color: blue ? (120, 160, 255) : (230, 120, 255)))
                enemies[i].nextSkill = time + Double(uniform(1.5, effects == .heavy ? 3 : 6))
            }
        }
        flashes.removeAll { time - $0.start > 0.35 }
        if rngUniform() < Float(dt) * (effects == .heavy ? 1.2 : 0.5) { playerSkills.append(time) }
        playerSkills.removeAll { time - $0 > 0.3 }
    }

    /// Tileable multi-octave value noise turned into dark blue-grey ground with darker patches,
    /// pebbles and brighter vegetation (the measured ground: mean RGB about 42, 48, 62).
    static func groundTexture(seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed ^ 0x6E0)
        let n = 256
        var field = [Float](repeating: 0, count: n * n)
        var amplitude: Float = 1
        for cells in [8, 16, 32, 64] {
            var grid = [Float](repeating: 0, count: cells * cells)
            for i in grid.indices { grid[i] = rng.nextUniform() }
            let step = n / cells
            for y in 0..<n {
                let gy = y / step
                let fy = Float(y % step) / Float(step)
                let sy = fy * fy * (3 - 2 * fy)
                for x in 0..<n {
                    let gx = x / step
                    let fx = Float(x % step) / Float(step)
                    let sx = fx * fx * (3 - 2 * fx)
                    let a = grid[gy * cells + gx]
                    let b = grid[gy * cells + (gx + 1) % cells]
                    let c = grid[((gy + 1) % cells) * cells + gx]
                    let d = grid[((gy + 1) % cells) * cells + (gx + 1) % cells]
                    field[y * n + x] += amplitude * ((a * (1 - sx) + b * sx) * (1 - sy) + (c * (1 - sx) + d * sx) * sy)
                }
            }
            amplitude *= 0.5
        }
        var out = [UInt8](repeating: 0, count: n * n * 3)
        for i in 0..<(n * n) {
            let v = field[i] / 1.875  // 0...1
            var r = 30 + 26 * v
            var g = 36 + 26 * v
            var b = 50 + 26 * v
            if v > 0.68 {
                r += 22
                g += 24
                b += 4
            }  // vegetation and rocks
            if v < 0.3 {
                r -= 10
                g -= 10
                b -= 10
            }  // darker patches
            if rng.nextUniform() < 0.01 {
                r += 40
                g += 40
                b += 40
            }  // pebbles
            out[3 * i] = UInt8(max(0, min(255, r)))
            out[3 * i + 1] = UInt8(max(0, min(255, g)))
            out[3 * i + 2] = UInt8(max(0, min(255, b)))
        }
        return out
    }
}
