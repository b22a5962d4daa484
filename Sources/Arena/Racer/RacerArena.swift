import Desktop
import Foundation
import Imaging

/// A driving game in a real X11 window: the ``RacerSimulation`` advanced on the monotonic clock in
/// fixed steps, driven by the arrow keys the window receives (up throttle, down brake and
/// reverse, left and right steer), drawn by ``RacerRenderer`` at its own frame rate. A person
/// can drive it; an agent must press real keys (XTest) like a person.
///
/// Its true state (``snapshot()``, the truth file) is for the expert driver, tests and metrics.
public final class RacerArena: @unchecked Sendable {
    public let options: RacerArenaOptions
    public let track: RacerTrack
    public let renderer: RacerRenderer
    public let window: X11PictureWindow
    private let lock = NSLock()
    private var simulation: RacerSimulation
    private var held: Set<String> = []
    private var frames = 0
    private var running = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var truth: RacerTruthWriter?
    /// The first error of the game loop (e.g. the truth file's disk filled), if any.
    public private(set) var loopError: Error?

    /// Opens the window (titled "Rally - PixelPilot racer arena") and draws the start.
    public init(display: String, options: RacerArenaOptions = RacerArenaOptions()) throws {
        guard options.stepsPerSecond >= 10, options.stepsPerSecond <= 1000 else {
            throw ArenaError.invalidOption("simulation rate must be 10...1000 steps/s, got \(options.stepsPerSecond)")
        }
        guard options.framesPerSecond > 0, options.framesPerSecond <= 240 else {
            throw ArenaError.invalidOption("frame rate must be in (0, 240] frames/s, got \(options.framesPerSecond)")
        }
        guard (160...3840).contains(options.width), (120...2160).contains(options.height) else {
            throw ArenaError.invalidOption(
                "window size must be 160x120 ... 3840x2160, got \(options.width)x\(options.height)")
        }
        self.options = options
        guard (0.4...2.5).contains(options.trackSize) else {
            throw ArenaError.invalidOption("track size must be 0.4...2.5, got \(options.trackSize)")
        }
        track = RacerTrack(seed: options.trackSeed, size: options.trackSize)
        renderer = RacerRenderer(track: track, width: options.width, height: options.height)
        simulation = RacerSimulation(track: track, stepsPerSecond: options.stepsPerSecond)
        if let url = options.truthURL { truth = try RacerTruthWriter(url: url, track: track, options: options) }
        let first = renderer.render(RacerView(frame: 0, simulation: simulation))
        window = try X11PictureWindow(
            display: display,
            rect: ScreenRect(
                x: options.position.x, y: options.position.y,
                width: options.width, height: options.height),
            picture: first, title: "Rally - PixelPilot racer arena", className: "PixelPilotRacer")
        window.onEvent = { [weak self] e in self?.handle(e) }
    }

    deinit {
        stop()
        window.close()
    }

    private func handle(_ e: X11PictureWindow.Event) {
        let t = RacerArena.now()
        switch e {
        case .keyPress(let key, _):
            lock.lock()
            held.insert(key.name)
            let w = truth
            lock.unlock()
            try? w?.write(key: key.name, down: true, time: t)
        case .keyRelease(let key):
            lock.lock()
            held.remove(key.name)
            let w = truth
            lock.unlock()
            try? w?.write(key: key.name, down: false, time: t)
        default: break
        }
    }

    /// The state now (thread-safe copy).
    public func snapshot() -> RacerSnapshot {
        lock.lock()
        defer { lock.unlock() }
        return RacerSnapshot(simulation: simulation, keys: held, frames: frames)
    }

    /// Starts the game loop on its own thread.
    public func start() {
        lock.lock()
        guard !running else {
            lock.unlock()
            return
        }
        running = true
        lock.unlock()
        let t = Thread { [weak self] in self?.loop() }
        t.name = "pixelpilot.racer"
        thread = t
        t.start()
    }

    /// Stops the game loop (the window stays until ``close()``) and closes the truth file.
    public func stop() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        if was { finished.wait() }
        lock.lock()
        let w = truth
        truth = nil
        lock.unlock()
        try? w?.close()
    }

    /// Stops and destroys the window.
    public func close() {
        stop()
        window.close()
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func loop() {
        defer { finished.signal() }
        let start = RacerArena.now()
        let dt = 1 / options.stepsPerSecond
        let framePeriod = 1 / options.framesPerSecond
        var nextFrame = start + framePeriod
        var image = Image(width: options.width, height: options.height)
        while true {
            lock.lock()
            guard running else {
                lock.unlock()
                return
            }
            let target = (RacerArena.now() - start) * options.timeScale
            // Fixed steps: as many as the clock asks for, never partial ones.
            var steps = 0
            while simulation.metrics.time + dt <= target + 1e-9 && steps < 1000 {
                simulation.step(RacerControls(keys: held))
                steps += 1
            }
            lock.unlock()
            let now = RacerArena.now()
            if now >= nextFrame {
                lock.lock()
                frames += 1
                let view = RacerView(frame: frames, simulation: simulation)
                let sim = simulation
                let keys = held
                lock.unlock()
                renderer.render(view, into: &image)
                window.setPicture(image)
                let shown = RacerArena.now()
                lock.lock()
                let writer = truth
                lock.unlock()
                do { try writer?.write(view: view, simulation: sim, keys: keys, time: shown) } catch {
                    lock.lock()
                    if loopError == nil { loopError = error }
                    truth = nil
                    lock.unlock()
                }
                nextFrame += framePeriod
                if nextFrame < RacerArena.now() { nextFrame = RacerArena.now() + framePeriod }  // behind: skip, no burst
            }
            let nextStep = start + (simulation.metrics.time + dt) / options.timeScale
            let wait = Swift.min(nextFrame, nextStep) - RacerArena.now()
            if wait > 0 { Thread.sleep(forTimeInterval: Swift.min(wait, 0.05)) }
        }
    }
}
