import Arena
import Desktop
import Foundation
import Imaging
import Recording

/// The racer without a window, in simulated time: the same simulation and renderer the arena
/// shows (a recorded frame of the arena is one of these pictures, pixel for pixel), so demos,
/// benchmarks and tests can make recordings and measure drives many times faster than real time.
/// Play on the real screen goes through ``PolicyPlayer``; this is for measuring.
public enum SimulatedRacer {
    /// A drive's outcome: the simulation's exact metrics.
    public struct Outcome: Sendable {
        public var metrics: RacerMetrics
        /// Frames seen by the driver (policy drives).
        public var frames: Int
    }

    /// Records the expert driving `seconds` of `track` into a new recording file at `fps`, frames
    /// of `width`×`height` as the arena draws them, each labelled with the arrow keys held at its
    /// instant (the expert decides every simulation step, with a person's reaction delay and slips).
    /// With a `perturbation` the car is sometimes driven by a disturbance instead (coasting,
    /// braking to a stop, a swerve) while the frames stay labelled with the expert's keys, so the
    /// recording shows how to recover from the states a learner drifts into.
    @discardableResult
    public static func recordExpert(
        track: RacerTrack, seconds: Double, fps: Double = 10, width: Int = 640, height: Int = 480,
        human: HumanLikeKeys = HumanLikeKeys(), caution: Double = 0.6, perturbation: ExpertPerturbation = .none,
        encoding: FrameEncoding = .png, to url: URL
    ) throws -> Outcome {
        let stepsPerSecond = 60.0
        var simulation = RacerSimulation(track: track, stepsPerSecond: stepsPerSecond)
        var driver = ExpertDriver(track: track, caution: caution)
        var human = human
        let renderer = RacerRenderer(track: track, width: width, height: height)
        let keyNames = RecordingFingerprint.seedKeys
        let fingerprint = RecordingFingerprint(
            regionX: 0, regionY: 0, width: width, height: height, fps: fps, keys: keyNames, screenWidth: width,
            screenHeight: height, pixelPilotVersion: "0.1.0", encoding: encoding, source: "window Rally")
        // Frame times lie in the past, so the writer labels them at once.
        let t0 = MonotonicTime.now.seconds - seconds - 10
        let labels = LabelBook()
        let writer = try RecordingWriter(
            url: url, fingerprint: fingerprint, startTime: t0, label: { labels.keys(at: $0) }, events: { [] })
        var image = Image(width: width, height: height)
        let frameCount = Int((seconds * fps).rounded(.down))
        var step = 0
        var perturbation = perturbation
        var wanted = RacerControls()
        for k in 0..<frameCount {
            let frameTime = Double(k) / fps
            while Double(step) / stepsPerSecond < frameTime {
                let now = simulation.metrics.time
                wanted = human.filter(driver.controls(for: simulation), at: now)
                simulation.step(perturbation.apply(wanted, at: now, forwardSpeed: simulation.car.forwardSpeed))
                step += 1
            }
            let keys = wanted  // the expert's keys now (held since the last step unless disturbed)
            renderer.render(RacerView(frame: k + 1, simulation: simulation), into: &image)
            labels.set(t0 + frameTime, Set(keys.keys))
            try writer.append(image, slot: k, time: t0 + frameTime)
        }
        try writer.finish(reason: "simulated drive of \(seconds) s", lateFrames: 0, stopTime: t0 + seconds)
        return Outcome(metrics: simulation.metrics, frames: frameCount)
    }

    /// The expert's drive of `seconds` on `track` (deciding every step, as a person would).
    public static func driveExpert(
        track: RacerTrack, seconds: Double, human: HumanLikeKeys = HumanLikeKeys(), caution: Double = 0.6
    ) -> Outcome {
        var simulation = RacerSimulation(track: track)
        var driver = ExpertDriver(track: track, caution: caution)
        var human = human
        while simulation.metrics.time < seconds - 1e-9 {
            simulation.step(human.filter(driver.controls(for: simulation), at: simulation.metrics.time))
        }
        return Outcome(metrics: simulation.metrics, frames: 0)
    }

    /// The policy's drive of `seconds` on `track`: a frame every 1/fps s as the arena would show
    /// it, one policy step per frame, the thresholded keys held until the next frame.
    public static func drivePolicy(
        _ model: PolicyModel, track: RacerTrack, seconds: Double, thresholds: [Float]? = nil,
        mode: PolicyStepper.Mode = .cachedFeatures,
        onFrame: ((_ frame: Int, _ image: Image, _ probabilities: [Float], _ keys: RacerControls) -> Void)? = nil
    ) -> Outcome {
        let m = model.metadata
        let fps = m.fps
        let stepsPerSecond = 60.0
        var simulation = RacerSimulation(track: track, stepsPerSecond: stepsPerSecond)
        let renderer = RacerRenderer(track: track, width: m.regionWidth, height: m.regionHeight)
        let stepper = PolicyStepper(network: model.network, mode: mode)
        let limits = thresholds ?? [Float](repeating: 0.5, count: m.keyNames.count)
        var image = Image(width: m.regionWidth, height: m.regionHeight)
        let frameCount = Int((seconds * fps).rounded(.down))
        var step = 0
        var held = RacerControls()
        for k in 0..<frameCount {
            renderer.render(RacerView(frame: k + 1, simulation: simulation), into: &image)
            let p = stepper.step(image)
            var keys = Set<String>()
            for (i, name) in m.keyNames.enumerated() where p[i] > limits[i] { keys.insert(name) }
            held = RacerControls(keys: keys)
            onFrame?(k, image, p, held)
            let until = Double(k + 1) / fps
            while Double(step) / stepsPerSecond < until {
                simulation.step(held)
                step += 1
            }
        }
        return Outcome(metrics: simulation.metrics, frames: frameCount)
    }
}

extension SimulatedRacer {
    /// How a corrections drive went.
    public struct CorrectionsOutcome: Sendable {
        public var metrics: RacerMetrics
        public var frames: Int
        /// Fraction of the frames the policy drove (the rest the expert, taking over).
        public var policyShare: Double
    }

    /// What `play --record-corrections` records when a person corrects the policy, with the
    /// expert as the person: the policy drives; when the car strays (more than `strayLimit` of
    /// the half-width off the centre line, off the asphalt, or slower than 3 m/s for a second) the
    /// expert takes over and drives until the car is back near the centre line at speed and has
    /// been for `handBack` seconds. Every
    /// frame is stored with the keys held; the expert's stretches are the file's `takeovers`.
    public static func recordCorrections(
        _ model: PolicyModel, track: RacerTrack, seconds: Double, human: HumanLikeKeys = HumanLikeKeys(),
        strayLimit: Double = 0.55, handBack: Double = 1.0, to url: URL
    ) throws -> CorrectionsOutcome {
        let m = model.metadata
        let fps = m.fps
        let stepsPerSecond = 60.0
        var simulation = RacerSimulation(track: track, stepsPerSecond: stepsPerSecond)
        var driver = ExpertDriver(track: track)
        var human = human
        let renderer = RacerRenderer(track: track, width: m.regionWidth, height: m.regionHeight)
        let stepper = PolicyStepper(network: model.network)
        let fingerprint = RecordingFingerprint(
            regionX: m.regionX, regionY: m.regionY, width: m.regionWidth, height: m.regionHeight, fps: fps,
            keys: m.keyNames, screenWidth: m.screenWidth, screenHeight: m.screenHeight, pixelPilotVersion: "0.1.0",
            source: "play corrections")
        let t0 = MonotonicTime.now.seconds - seconds - 10
        let labels = LabelBook()
        let writer = try RecordingWriter(
            url: url, fingerprint: fingerprint, startTime: t0, label: { labels.keys(at: $0) }, events: { [] })
        var image = Image(width: m.regionWidth, height: m.regionHeight)
        let frameCount = Int((seconds * fps).rounded(.down))
        var step = 0
        var takeovers: [[Int]] = []
        var expertDriving = false
        var calmSince = 0.0
        var slowSince = 0.0
        var policyFrames = 0
        var held = RacerControls()
        for k in 0..<frameCount {
            renderer.render(RacerView(frame: k + 1, simulation: simulation), into: &image)
            let p = stepper.step(image)
            // The person judges the car as it is now.
            let loc = simulation.location
            let half = track.width(at: loc.s) / 2
            let stray = abs(loc.lateral) / half
            let now = simulation.metrics.time
            if simulation.car.forwardSpeed > 3 { slowSince = .infinity } else { slowSince = Swift.min(slowSince, now) }
            let stuck = now - slowSince > 1.0
            if !expertDriving && (stray > strayLimit || !simulation.isOnTrack || stuck) {
                expertDriving = true
                calmSince = .infinity
                takeovers.append([k, k])
            } else if expertDriving {
                if stray < 0.25 && simulation.car.forwardSpeed > 5 {
                    calmSince = Swift.min(calmSince, now)
                } else {
                    calmSince = .infinity
                }
                if now - calmSince >= handBack { expertDriving = false } else { takeovers[takeovers.count - 1][1] = k }
            }
            if !expertDriving {
                policyFrames += 1
                var keys = Set<String>()
                for (i, name) in m.keyNames.enumerated() where p[i] > 0.5 { keys.insert(name) }
                held = RacerControls(keys: keys)
            }
            let frameTime = Double(k) / fps
            if expertDriving {
                // The expert's keys at this instant label the frame; it drives until the next.
                held = human.filter(driver.controls(for: simulation), at: now)
            }
            labels.set(t0 + frameTime, Set(held.keys))
            try writer.append(image, slot: k, time: t0 + frameTime)
            let until = Double(k + 1) / fps
            while Double(step) / stepsPerSecond < until {
                if expertDriving { held = human.filter(driver.controls(for: simulation), at: simulation.metrics.time) }
                simulation.step(held)
                step += 1
            }
        }
        let json = String(decoding: (try? JSONEncoder().encode(takeovers)) ?? Data("[]".utf8), as: UTF8.self)
        try writer.finish(
            reason: "simulated corrections", lateFrames: 0, stopTime: t0 + seconds, extraMeta: ["takeovers": json])
        return CorrectionsOutcome(
            metrics: simulation.metrics, frames: frameCount,
            policyShare: frameCount > 0 ? Double(policyFrames) / Double(frameCount) : 0)
    }
}

/// Key sets by time, for labelling simulated frames.
final class LabelBook: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Double, Set<String>)] = []
    func set(_ t: Double, _ keys: Set<String>) { lock.withLock { entries.append((t, keys)) } }
    func keys(at t: Double) -> Set<String> {
        lock.withLock { entries.last(where: { $0.0 <= t + 1e-9 })?.1 ?? [] }
    }
}
