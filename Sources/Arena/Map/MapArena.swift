import Desktop
import Foundation
import Imaging

/// A real X11 window that plays like an ARPG area with the overlay minimap in the middle of the
/// screen: arrows or WASD move the player (never through walls), a click on the ground walks
/// there, the fog lifts within the light radius, the scene is busy, and a few frames a minute are
/// hard cases. It records the ground truth of every frame it draws.
public final class MapArena: @unchecked Sendable {
    public let world: MapWorld
    public let view: MapView
    /// How the minimap and the ground look (``MapLook/arena`` unless a varied one is given).
    public let look: MapLook
    public let window: X11PictureWindow
    public let fps: Double
    private let lock = NSLock()
    private var frames: [MapTruth.FrameRecord] = []
    private var running = true
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private let buffer: UnsafeMutablePointer<UInt8>
    private var pendingRelease: [MoveKey: Double] = [:]
    private let grid: WalkableGrid?

    /// Opens the arena full-size at (0, 0) on `display` and starts drawing at `fps`, in `look`
    /// (its colours, widths, ground and effects; a capture's noise, blur and compression are not
    /// drawn on screen, and the minimap's zoom is `view`'s).
    public init(
        display: String, layout: MapLayout, effects: MapEffects, view: MapView, seed: UInt64, fps: Double = 20,
        look: MapLook = .arena
    ) throws {
        world = MapWorld(layout: layout, effects: effects, seed: seed)
        self.view = view
        self.look = look
        self.fps = fps
        grid = try? WalkableGrid(
            mask: layout.walkable, width: layout.width, height: layout.height, cell: 4, clearance: 4)
        buffer = .allocate(capacity: view.screenWidth * view.screenHeight * 4)
        let rect = ScreenRect(x: 0, y: 0, width: view.screenWidth, height: view.screenHeight)
        window = try X11PictureWindow(
            display: display, rect: rect, picture: Image(width: rect.width, height: rect.height, color: [10, 10, 14]),
            title: "Path of Exile - The Coast (PixelPilot map arena)", className: "PixelPilotMapArena")
        drawFrame()
        window.onEvent = { [weak self] e in self?.handle(e) }
        let t = Thread { [weak self] in self?.loop() }
        t.name = "pixelpilot.map-arena"
        thread = t
        t.start()
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Stops drawing and closes the window.
    public func close() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        guard was else { return }
        if thread != nil { done.wait() }
        window.close()
    }

    /// The player's true position (map pixels).
    public var player: MapPoint {
        lock.lock()
        defer { lock.unlock() }
        return world.player
    }
    /// Runs `body` with the world locked (tests: trigger events, read state).
    public func withWorld<T>(_ body: (MapWorld) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(world)
    }
    /// The ground truth so far.
    public func truth() -> MapTruth {
        lock.lock()
        defer { lock.unlock() }
        return MapTruth(layout: world.layout, effects: world.effects, view: view, frames: frames)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func handle(_ e: X11PictureWindow.Event) {
        lock.lock()
        defer { lock.unlock() }
        switch e {
        case .keyPress(let name, _):
            if let k = MoveKey(key: name) {
                world.held.insert(k)
                pendingRelease[k] = nil
                world.route = []
            }
        case .keyRelease(let name):
            // Auto-repeat sends release+press pairs: a release counts only if no press follows soon.
            if let k = MoveKey(key: name) { pendingRelease[k] = MapArena.now() }
        case .buttonPress(1, let x, let y):
            let s = view.scale * world.scene.zoom
            let target = world.player + MapPoint(x: (Float(x) - view.player.x) / s, y: (Float(y) - view.player.y) / s)
            if let grid,
                let r = grid.route(
                    from: GridPoint(x: Int(world.player.x), y: Int(world.player.y)),
                    to: GridPoint(x: Int(target.x), y: Int(target.y)))
            {
                world.route = r.map { MapPoint(x: Float($0.x), y: Float($0.y)) }
            }
        default: break
        }
    }

    private func drawFrame() {
        let rect = ScreenRect(x: 0, y: 0, width: view.screenWidth, height: view.screenHeight)
        let index = frames.count
        MapRenderer.render(world, view: view, rect: rect, frameIndex: index, into: buffer, look: look)
        window.drawFrame(bgra: buffer)
        frames.append(
            .init(
                index: index, time: world.time, x: world.player.x, y: world.player.y,
                events: MapEvent.allCases.filter { world.activeEvents.contains($0) }))
    }

    private func loop() {
        defer { done.signal() }
        var last = MapArena.now()
        let start = last
        var k = 1
        while true {
            let due = start + Double(k) / fps
            let wait = due - MapArena.now()
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            k = max(k + 1, Int((MapArena.now() - start) * fps) + 1)
            lock.lock()
            guard running else {
                lock.unlock()
                return
            }
            let now = MapArena.now()
            for (key, t) in pendingRelease where now - t > 0.03 {
                world.held.remove(key)
                pendingRelease[key] = nil
            }
            world.step(min(0.25, now - last))
            last = now
            drawFrame()
            lock.unlock()
        }
    }
}

/// Drives a ``MapArena`` with a ``MapExplorer``, pressing real direction keys through XTest (only
/// while the arena has focus), like a person would. Every key is released when it stops.
public final class MapAutoplay: @unchecked Sendable {
    private let arena: MapArena
    private let explorer: MapExplorer
    /// Keys go through the shared agent set-up, bound to the arena window (no kill switch: the
    /// explorer stands in for the person, who keeps theirs).
    private let agent: InputAgent
    private var device: SafeInputDevice { agent.device }
    private let connection: X11Connection
    private var running = true
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    /// The last input error (a refused key while the arena lost focus), if any.
    public private(set) var lastError: String?

    public init(arena: MapArena, display: String, seed: UInt64) throws {
        self.arena = arena
        explorer = try MapExplorer(layout: arena.world.layout, seed: seed)
        connection = try X11Connection(name: display)
        agent = try InputAgent(
            backend: try X11InputDevice(connection: connection),
            windows: X11WindowSystem(connection: try X11Connection(name: display)), target: arena.window.window,
            hotkeys: nil, timing: .pauses(0, maxActionsPerSecond: 200))
        let t = Thread { [weak self] in self?.loop() }
        t.name = "pixelpilot.map-autoplay"
        t.start()
    }

    deinit { stop() }

    /// Stops and releases every key.
    public func stop() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        if was { done.wait() }
        device.releaseAll()
    }

    private func loop() {
        defer { done.signal() }
        var held: Set<MoveKey> = []
        let start = MapArena.now()
        while true {
            lock.lock()
            let go = running
            lock.unlock()
            guard go else { break }
            let p = arena.player
            let want = explorer.keys(player: p, time: MapArena.now() - start)
            do {
                for k in held.subtracting(want) { try device.release(k.arrow) }
                for k in want.subtracting(held) { try device.press(k.arrow) }
                held = want
            } catch {
                lastError = "\(error)"
                device.releaseAll()
                held = []
            }
            Thread.sleep(forTimeInterval: 0.04)
        }
        device.releaseAll()
    }
}
