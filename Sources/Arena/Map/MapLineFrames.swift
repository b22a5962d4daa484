import Desktop
import Foundation
import Imaging

/// One captured frame of the map game with the wall lines it shows, exactly: training and test
/// data for a line extractor.
public struct MapLineFrame: Sendable {
    /// The capture square as the screen shows it (RGB, with the scene's effects).
    public var image: Image
    /// 1 where a revealed wall line is under the pixel (the arena's wall mask at the pixel's map
    /// position, nearest map pixel, where the fog is lifted); all 0 when the frame hides the map.
    public var lines: [UInt8]
    public var layoutClass: LayoutClass
    public var seed: UInt64
    public var effects: MapEffects
    /// How the frame looks (``MapLook/arena`` unless the frames were made ``MapAppearance/varied``).
    public var look: MapLook
    /// The events of the frame (a hidden map has an empty mask).
    public var events: Set<MapEvent>
}

/// Renders frames of an autoplayed walk (the scripted explorer) through a generated layout, each
/// paired with its exact wall-line mask.
public enum MapLineFrames {
    /// The seed's half scale: a 1920×1080 screen (1 screen pixel per map pixel) whose capture
    /// square is 600×600, the size the seed's UNet data had.
    public static let halfScaleView = MapView(screenWidth: 1920, screenHeight: 1080)

    /// `count` frames, one every `interval` seconds of play after `warmUp` seconds, of layout
    /// `layoutClass` varied by `seed`, with `effects`. Flash frames (the lines washed out, no clear
    /// truth) are skipped; frames with the map off or a loading screen are kept with an empty mask.
    /// With `appearance` ``MapAppearance/varied`` each frame has its own ``MapLook`` (from `seed`,
    /// `lookSeed` and the frame's number), its minimap zoom included in the truth.
    public static func generate(
        layoutClass: LayoutClass, seed: UInt64, effects: MapEffects, count: Int, interval: Double = 3,
        warmUp: Double = 20, view: MapView = halfScaleView, appearance: MapAppearance = .arena, lookSeed: UInt64 = 0
    ) throws -> [MapLineFrame] {
        let layout = MapLayout(layoutClass: layoutClass, seed: seed)
        let world = MapWorld(layout: layout, effects: effects, seed: seed)
        let explorer = try MapExplorer(layout: layout, seed: seed)
        let rect = view.captureRect
        let dt = 1.0 / 30
        var frames: [MapLineFrame] = []
        var next = warmUp
        var index = 0
        var guardSteps = 0
        while frames.count < count && guardSteps < Int((warmUp + Double(count) * interval * 4 + 60) / dt) {
            guardSteps += 1
            world.held = explorer.keys(player: world.player, time: world.time)
            let events = world.step(dt)
            guard world.time >= next else { continue }
            next += interval
            index += 1
            if events.contains(.flash) { continue }
            let frameSeed = seed &* 0x100_0000_01B3 ^ lookSeed &+ UInt64(index)
            let look = appearance == .arena ? MapLook.arena : MapLook.varied(seed: frameSeed)
            var zoomed = view
            zoomed.minimapScale *= look.minimapScale
            let rendered = MapRenderer.image(world, view: zoomed, rect: rect, frameIndex: index, look: look)
            let image = look == .arena ? rendered : look.degrade(rendered, seed: frameSeed)
            let hidden = events.contains(.loading) || events.contains(.mapOff)
            let mask =
                hidden
                ? [UInt8](repeating: 0, count: rect.width * rect.height) : truth(world, view: zoomed, rect: rect)
            frames.append(
                MapLineFrame(
                    image: image, lines: mask, layoutClass: layoutClass, seed: seed, effects: effects, look: look,
                    events: events))
        }
        return frames
    }

    /// The revealed wall lines under each pixel of `rect` (the renderer's mapping from screen to map).
    public static func truth(_ world: MapWorld, view: MapView, rect: ScreenRect) -> [UInt8] {
        let s = view.scale
        let inv = 1 / s
        let layout = world.layout
        var out = [UInt8](repeating: 0, count: rect.width * rect.height)
        for row in 0..<rect.height {
            let my = world.player.y + (Float(rect.y + row) + 0.5 - view.player.y) * inv - 0.5
            let iy = Int(my.rounded())
            guard iy >= 0, iy < layout.height else { continue }
            for col in 0..<rect.width {
                let mx = world.player.x + (Float(rect.x + col) + 0.5 - view.player.x) * inv - 0.5
                let ix = Int(mx.rounded())
                guard ix >= 0, ix < layout.width else { continue }
                let i = iy * layout.width + ix
                if layout.walls[i] != 0 && world.revealed[i] != 0 { out[row * rect.width + col] = 1 }
            }
        }
        return out
    }
}
