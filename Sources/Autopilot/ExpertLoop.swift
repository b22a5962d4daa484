import Arena
import Desktop
import Foundation

/// Why an expert drive ended.
public enum ExpertStop: Sendable, Equatable {
    /// The requested laps were driven.
    case laps(Int)
    /// The time limit passed.
    case timeLimit
    /// ``ExpertLoop/stop()`` was called (a hotkey, the kill switch, the end of a recording).
    case requested
    /// An injected key was refused or failed (focus lost, kill switch); the message says why.
    case inputRefused(String)
}

/// Drives a ``RacerArena`` with the ``ExpertDriver``: it reads the arena's true state in-process
/// (``RacerArena/snapshot()``), passes each decision through ``HumanLikeKeys``, and presses and
/// releases the real arrow keys through an ``InputDevice`` (XTest), so the game, the recorder and
/// the X server see the same key events a person's keyboard makes. Every held key is released
/// when it ends, however it ends.
public final class ExpertLoop: @unchecked Sendable {
    public let device: InputDevice
    public let snapshot: @Sendable () -> RacerSnapshot
    /// Decisions per real second.
    public var rate: Double = 100
    private var driver: ExpertDriver
    private var human: HumanLikeKeys
    private let lock = NSLock()
    private var stopRequested = false
    /// Key presses and releases sent.
    public private(set) var keyEvents = 0

    public init(
        device: InputDevice, track: RacerTrack, human: HumanLikeKeys = HumanLikeKeys(), caution: Double = 0.6,
        snapshot: @escaping @Sendable () -> RacerSnapshot
    ) {
        self.device = device
        self.snapshot = snapshot
        driver = ExpertDriver(track: track, caution: caution)
        self.human = human
    }

    /// Asks a running ``run(laps:seconds:)`` to end (from any thread).
    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Drives until `laps` more laps are done (nil: no limit), `seconds` pass (nil: no limit) or
    /// ``stop()``; releases every key before returning.
    @discardableResult
    public func run(laps: Int? = nil, seconds: Double? = nil) -> ExpertStop {
        defer { device.releaseAll() }
        let start = ExpertLoop.now()
        let startLaps = snapshot().simulation.metrics.laps
        var held = RacerControls()
        var tick = 0
        while true {
            lock.lock()
            let halt = stopRequested
            lock.unlock()
            if halt { return .requested }
            let now = ExpertLoop.now()
            if let seconds, now - start >= seconds { return .timeLimit }
            let state = snapshot()
            if let laps, state.simulation.metrics.laps - startLaps >= laps { return .laps(laps) }
            // Reaction delays and slips are in game time, so a sped-up game gets the same driver.
            let wanted = human.filter(driver.controls(for: state.simulation), at: state.simulation.metrics.time)
            do {
                for (control, key) in RacerControls.arrows where held.contains(control) && !wanted.contains(control) {
                    try device.release(key)
                    held.remove(control)
                    keyEvents += 1
                }
                for (control, key) in RacerControls.arrows where wanted.contains(control) && !held.contains(control) {
                    try device.press(key)
                    held.insert(control)
                    keyEvents += 1
                }
            } catch {
                return .inputRefused("\(error)")
            }
            tick += 1
            let due = start + Double(tick) / rate
            let wait = due - ExpertLoop.now()
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
    }
}
