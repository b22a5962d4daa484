import Foundation

/// Lap and driving metrics, exact (from the simulation, not from pixels).
public struct RacerMetrics: Sendable, Equatable {
    /// Simulated seconds since the start.
    public var time = 0.0
    /// Distance driven along the centre line, in laps (negative when driving backwards from the
    /// start): `2.25` is two laps and a quarter.
    public var progress = 0.0
    /// Completed laps (the start line crossed forwards after a whole lap).
    public var laps: Int { Int(progress.rounded(.down)) }
    /// Fraction of the current lap, 0..<1.
    public var lapFraction: Double { progress - progress.rounded(.down) }
    /// Simulated seconds with the car's centre beyond an asphalt edge.
    public var offTrackTime = 0.0
    /// Times the car hit the tyre barrier.
    public var crashes = 0
    /// Highest ground speed so far, m/s.
    public var topSpeed = 0.0
    /// Duration of each completed lap, seconds.
    public var lapTimes: [Double] = []
}

/// A racer: one car on one track, advanced in fixed time steps, independent of any rendering.
///
/// `step(_:)` is a pure function of the state and the controls, so a run is reproduced exactly
/// from its controls. Leaving the asphalt costs grip and speed; touching the tyre barrier (the
/// run-off's outer edge) is a crash: the car stops against the barrier, and a crash is counted
/// once per contact.
public struct RacerSimulation: Sendable {
    public let track: RacerTrack
    public let handling: RacerHandling
    /// Seconds per step.
    public let timeStep: Double
    public private(set) var car: RacerCarState
    public private(set) var metrics = RacerMetrics()
    /// Steps taken.
    public private(set) var steps = 0
    /// The car's place on the track.
    public private(set) var location: TrackLocation
    /// The controls of the last step.
    public private(set) var controls = RacerControls()
    private var touchingBarrier = false
    private var lapStart = 0.0
    private var bestLapsCounted = 0

    /// A car on the start line of `track`, facing the driving direction. `stepsPerSecond` is the
    /// simulation rate (60 by default).
    public init(track: RacerTrack, stepsPerSecond: Double = 60, handling: RacerHandling = RacerHandling()) {
        precondition(stepsPerSecond > 0, "steps per second must be positive")
        self.track = track
        self.handling = handling
        timeStep = 1 / stepsPerSecond
        car = RacerCarState(position: track.point(at: 0), heading: track.heading(at: 0))
        location = track.locate(car.position)
    }

    /// A simulation resumed from a known state (a truth file's frame, a replay): the car, the
    /// simulated time and the progress in laps.
    public init(
        track: RacerTrack, stepsPerSecond: Double = 60, handling: RacerHandling = RacerHandling(),
        car: RacerCarState, time: Double, progress: Double, crashes: Int = 0, offTrackTime: Double = 0
    ) {
        self.init(track: track, stepsPerSecond: stepsPerSecond, handling: handling)
        self.car = car
        location = track.locate(car.position)
        steps = Int((time * stepsPerSecond).rounded())
        metrics.time = time
        metrics.progress = progress
        metrics.crashes = crashes
        metrics.offTrackTime = offTrackTime
        bestLapsCounted = metrics.laps
    }

    /// True while the car's centre is on the asphalt.
    public var isOnTrack: Bool { abs(location.lateral) <= track.width(at: location.s) / 2 }

    /// Advances one time step with `controls` held.
    public mutating func step(_ controls: RacerControls) {
        self.controls = controls
        let before = location
        car.advance(controls: controls, onTrack: isOnTrack, handling: handling, dt: timeStep)
        var loc = track.locate(car.position, hint: before.index)
        // The tyre barrier: the car is stopped against it and a crash counted once per contact.
        let barrier = track.width(at: loc.s) / 2 + track.runoff
        if abs(loc.lateral) > barrier - handling.width / 2 {
            if !touchingBarrier { metrics.crashes += 1 }
            touchingBarrier = true
            let side: Double = loc.lateral > 0 ? 1 : -1
            let centre = track.point(at: loc.s)
            let t = track.heading(at: loc.s)
            let normal = SIMD2(-sin(t), cos(t))
            car.position = centre + normal * side * (barrier - handling.width / 2 - 0.05)
            // Keep a little of the speed along the barrier, none into it.
            let along = SIMD2(cos(t), sin(t))
            car.velocity = along * (car.velocity * along).sum() * 0.2
            loc = track.locate(car.position, hint: loc.index)
        } else if abs(loc.lateral) < barrier - handling.width / 2 - 0.5 {
            touchingBarrier = false
        }
        // Progress along the centre line, unwrapped across the start line.
        var ds = loc.s - before.s
        if ds > track.length / 2 { ds -= track.length } else if ds < -track.length / 2 { ds += track.length }
        location = loc
        steps += 1
        metrics.time = Double(steps) * timeStep
        let lapsBefore = metrics.laps
        metrics.progress += ds / track.length
        if metrics.laps > lapsBefore && metrics.laps > bestLapsCounted {
            bestLapsCounted = metrics.laps
            metrics.lapTimes.append(metrics.time - lapStart)
            lapStart = metrics.time
        }
        if !isOnTrack { metrics.offTrackTime += timeStep }
        metrics.topSpeed = Swift.max(metrics.topSpeed, car.speed)
    }

    /// Puts the car at `state` (tests, replays); the location and the progress follow, as if it
    /// had driven there along the shorter way.
    public mutating func place(_ state: RacerCarState) {
        car = state
        let loc = track.locate(state.position)
        var ds = loc.s - location.s
        if ds > track.length / 2 { ds -= track.length } else if ds < -track.length / 2 { ds += track.length }
        metrics.progress += ds / track.length
        location = loc
    }
}
