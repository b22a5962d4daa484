import ArgumentParser
import Arena
import Autopilot
import Desktop
import Foundation

struct ArenaRacer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "racer",
        abstract: "Open a top-down rally game in a real X11 window, drive it with the arrow keys.",
        discussion: """
            Up is throttle, Down brakes and then reverses, Left and Right steer. The track is built \
            from --track (corners of varied radius, a straight, chicanes, width changes); the car \
            grips up to a limit and drifts past it; gravel slows it and the tyre wall stops it (a \
            crash). The game runs in fixed steps of 1/--fps s whatever the drawing rate.

            --truth-out FILE writes the true state as one JSON line per drawn frame (monotonic \
            time, keys held, position, heading, speed, drift, progress in laps, off-track time, \
            crashes; the format is in README.md). --autoplay lets the expert driver play: it reads \
            the true state and presses the real arrow keys through XTest, with a reaction delay and \
            slips of the hand (--reaction, --mistakes), so a recorder sees what a person's keyboard \
            would make. Ctrl+Alt+K (kill switch) stops it and releases every key.

            Examples:
              pixelpilot arena racer --track 7
              pixelpilot arena racer --track 7 --autoplay --laps 3 --truth-out truth.jsonl
            """)

    @OptionGroup var display: DisplayOptions
    @Option(parsing: .unconditional, help: "Random seed of the track's shape.") var track: UInt64 = 1
    @Option(parsing: .unconditional, help: "Random seed of the start and the visual effects.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Scale of the track's loop (1: about 600-900 m a lap; 0.4-2.5).")
    var trackSize = 1.0
    @Option(parsing: .unconditional, help: "Simulation steps per second (fixed time step).") var fps = 60.0
    @Option(parsing: .unconditional, help: "Frames drawn per second.") var renderFps = 30.0
    @Option(help: "Window size WxH.") var size = ScreenSize(width: 640, height: 480)
    @Option(parsing: .unconditional, help: "Window position X,Y on the screen.") var position = ScreenPoint(x: 0, y: 0)
    @Option(parsing: .unconditional, help: "Game seconds per real second (1 = real time).") var timeScale = 1.0
    @Option(help: "Write the true state per frame to this JSON-lines file.") var truthOut: String?
    @Flag(help: "Let the expert driver play (real XTest key presses).") var autoplay = false
    @Option(parsing: .unconditional, help: "Expert: mean reaction delay in seconds.") var reaction = 0.08
    @Option(parsing: .unconditional, help: "Expert: slips of the hand per second.") var mistakes = 0.25
    @Option(parsing: .unconditional, help: "Expert: random seed of its noise.") var expertSeed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Stop after this many laps (with --autoplay).") var laps: Int?
    @Option(parsing: .unconditional, help: "Close after this many seconds (default: until Ctrl+C).") var seconds:
        Double?

    func validate() throws {
        guard (160...3840).contains(size.width), (120...2160).contains(size.height) else {
            throw ValidationError("--size must be WxH between 160x120 and 3840x2160, got '\(size)'")
        }
        guard (0.4...2.5).contains(trackSize) else {
            throw ValidationError("--track-size must be 0.4...2.5, got \(trackSize)")
        }
        guard (10...1000).contains(fps) else {
            throw ValidationError("--fps (simulation steps per second) must be 10...1000, got \(fps)")
        }
        guard renderFps > 0, renderFps <= 240 else {
            throw ValidationError("--render-fps must be in (0, 240], got \(renderFps)")
        }
        guard timeScale > 0, timeScale <= 16 else {
            throw ValidationError("--time-scale must be in (0, 16], got \(timeScale)")
        }
        guard reaction >= 0, reaction < 2 else { throw ValidationError("--reaction must be 0...2 s, got \(reaction)") }
        guard mistakes >= 0, mistakes < 20 else {
            throw ValidationError("--mistakes must be 0...20 per second, got \(mistakes)")
        }
        if let laps, laps <= 0 { throw ValidationError("--laps must be positive, got \(laps)") }
        if laps != nil && !autoplay { throw ValidationError("--laps needs --autoplay") }
    }

    func run() throws {
        let (connection, virtual) = try display.open(virtualWhenUnset: true)
        defer { withExtendedLifetime(virtual) {} }
        var options = RacerArenaOptions()
        options.trackSeed = track
        options.trackSize = trackSize
        options.seed = seed
        options.stepsPerSecond = fps
        options.framesPerSecond = renderFps
        (options.width, options.height) = (size.width, size.height)
        options.position = (position.x, position.y)
        options.timeScale = timeScale
        options.truthURL = truthOut.map { URL(fileURLWithPath: $0) }
        let arena = try RacerArena(display: connection.name, options: options)
        arena.window.focus()
        arena.start()
        print(
            "Racer arena on \(connection.name): window 0x\(String(arena.window.window, radix: 16)) at \(arena.window.rect), track \(track): \(Int(arena.track.length)) m a lap"
        )
        fflush(stdout)
        let started = Date()
        if autoplay {
            // The shared agent set-up: focus-bound, kill switch, guardian.
            let agent = try InputAgent.x11(
                connection: connection, target: arena.window.window,
                timing: .pauses(0, maxActionsPerSecond: 200))
            let human = HumanLikeKeys(
                reactionDelay: reaction, reactionJitter: reaction / 4, mistakesPerSecond: mistakes, seed: expertSeed)
            let loop = ExpertLoop(device: agent.device, track: arena.track, human: human) { arena.snapshot() }
            agent.killSwitch?.onTrip { loop.stop() }
            let result = loop.run(laps: laps, seconds: seconds)
            agent.stop()
            let m = arena.snapshot().simulation.metrics
            print(
                "Expert stopped (\(result)): \(m.laps) laps \(m.lapTimes.map { String(format: "%.1f s", $0) }), off track \(String(format: "%.1f", m.offTrackTime)) s, crashes \(m.crashes), top speed \(Int(m.topSpeed * 3.6)) km/h"
            )
        } else {
            while seconds.map({ Date().timeIntervalSince(started) < $0 }) ?? true { Thread.sleep(forTimeInterval: 0.2) }
            let m = arena.snapshot().simulation.metrics
            print("Closed: \(m.laps) laps, off track \(String(format: "%.1f", m.offTrackTime)) s, crashes \(m.crashes)")
        }
        arena.close()
        if let e = arena.loopError { throw CLIError("\(e)") }
    }
}
