import Foundation

/// What a racer arena simulates and shows.
public struct RacerArenaOptions: Sendable {
    /// Seed of the track's shape (`--track`).
    public var trackSeed: UInt64 = 1
    /// Scale of the track's loop (1: about 600-900 m a lap; 0.5-2).
    public var trackSize: Double = 1
    /// Seed of everything else: the start's small offset and the effects (`--seed`).
    public var seed: UInt64 = 1
    /// Simulation steps per simulated second (fixed time step, independent of rendering).
    public var stepsPerSecond: Double = 60
    /// Frames drawn per real second.
    public var framesPerSecond: Double = 30
    /// Window size, pixels.
    public var width = 640, height = 480
    /// Simulated seconds per real second (1 = real time; tests speed the game up).
    public var timeScale: Double = 1
    /// Where the window opens, screen pixels.
    public var position = (x: 0, y: 0)
    /// Writes one JSON line per rendered frame here (see ``RacerTruthWriter``).
    public var truthURL: URL?
    public init() {}
}

/// A consistent copy of the arena's state between two steps.
public struct RacerSnapshot: Sendable {
    public init(simulation: RacerSimulation, keys: Set<String>, frames: Int) {
        self.simulation = simulation
        self.keys = keys
        self.frames = frames
    }
    public var simulation: RacerSimulation
    /// The X keys the arena sees held (from its window's key events).
    public var keys: Set<String>
    /// Frames drawn so far.
    public var frames: Int
}
