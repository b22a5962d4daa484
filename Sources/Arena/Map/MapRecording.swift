import Desktop
import Foundation
import Imaging

/// Plays the map game off-screen in virtual time: the scripted explorer steers the player, the
/// world steps at `stepsPerSecond`, and every `1/captureFPS` seconds the capture square is
/// rendered exactly as the window would show it, with its ground truth. For tests and the
/// stitching benchmark (thousands of frames without waiting for a real clock).
public final class MapRecording {
    public let world: MapWorld
    public let view: MapView
    public let explorer: MapExplorer
    public let captureFPS: Double
    public let stepsPerSecond: Double
    public private(set) var frameCount = 0
    /// Forced events: frame number → event started just before that frame is captured.
    public var scheduled: [Int: MapEvent] = [:]

    public init(
        layout: MapLayout, effects: MapEffects, view: MapView, seed: UInt64, captureFPS: Double = 1,
        stepsPerSecond: Double = 20
    ) throws {
        world = MapWorld(layout: layout, effects: effects, seed: seed)
        self.view = view
        explorer = try MapExplorer(layout: layout, seed: seed)
        self.captureFPS = captureFPS
        self.stepsPerSecond = stepsPerSecond
    }

    /// One captured frame: the pixels of the capture square and the truth.
    public struct Capture {
        public var image: Image
        public var truth: MapTruth.FrameRecord
        /// Where the frame's centre is relative to the first frame's, in screen pixels.
        public var offsetX: Float, offsetY: Float
        public var hidesMap: Bool { truth.events.contains { $0.hidesMap } }
    }

    private var first: MapPoint?

    /// Advances to the next capture time and renders the capture square.
    public func next() -> Capture {
        let teleportsBefore = world.teleports.count
        if frameCount > 0 {
            let steps = max(1, Int((stepsPerSecond / captureFPS).rounded()))
            for s in 0..<steps {
                if s == steps - 1, let e = scheduled[frameCount] {
                    world.trigger(e, duration: e == .flash ? 1.5 / stepsPerSecond : 0.6 / captureFPS)
                }
                world.held = explorer.keys(player: world.player, time: world.time)
                world.step(1 / stepsPerSecond)
            }
        }
        let rect = view.captureRect
        let image = MapRenderer.image(world, view: view, rect: rect, frameIndex: frameCount)
        if first == nil { first = world.player }
        let origin = first ?? world.player
        let record = MapTruth.FrameRecord(
            index: frameCount, time: world.time, x: world.player.x, y: world.player.y,
            events: MapEvent.allCases.filter {
                world.activeEvents.contains($0) || ($0 == .teleport && world.teleports.count > teleportsBefore)
            })
        frameCount += 1
        return Capture(
            image: image, truth: record, offsetX: (world.player.x - origin.x) * view.scale,
            offsetY: (world.player.y - origin.y) * view.scale)
    }
}
