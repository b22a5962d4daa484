import ArgumentParser
import Arena
import Autopilot
import Desktop
import Foundation

struct Drive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Agents that drive a game with real key presses.",
        subcommands: [DriveExpert.self, DriveBench.self])
}

struct DriveExpert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expert",
        abstract: "Drive a racer arena running in another process, from its truth file.",
        discussion: """
            The expert reads the arena's true state from the file the arena writes with
            --truth-out (the latest drawn frame's line) and presses the real arrow keys through \
            XTest into --window, only while it has focus. It stops after --laps or --seconds, \
            on Ctrl+Alt+K (kill switch), Ctrl+C or SIGTERM, and releases every key however it \
            stops. In one process, `pixelpilot arena racer --autoplay` does the same with the \
            state read directly.

            Example (two terminals):
              pixelpilot arena racer --track 7 --truth-out truth.jsonl
              pixelpilot drive expert --truth truth.jsonl --window Rally --laps 2
            """)

    @OptionGroup var display: DisplayOptions
    @Option(help: "The arena's truth file (--truth-out).") var truth: String
    @Option(help: "The arena's window (id or text in its title or class).") var window = WindowSpec(argument: "Rally")!
    @Option(parsing: .unconditional, help: "Stop after this many laps.") var laps: Int?
    @Option(parsing: .unconditional, help: "Stop after this many seconds.") var seconds: Double?
    @Option(parsing: .unconditional, help: "Mean reaction delay, seconds.") var reaction = 0.08
    @Option(parsing: .unconditional, help: "Slips of the hand per second.") var mistakes = 0.25
    @Option(parsing: .unconditional, help: "Random seed of its noise.") var expertSeed: UInt64 = 1

    func validate() throws {
        if let laps, laps <= 0 { throw ValidationError("--laps must be positive") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        guard reaction >= 0, reaction < 2, mistakes >= 0, mistakes < 20 else {
            throw ValidationError("--reaction must be 0...2 s and --mistakes 0...20 per second")
        }
    }

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let follower = try TruthFollower(url: URL(fileURLWithPath: truth))
        let deadline = Date().addingTimeInterval(5)
        while follower.snapshot() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard let first = follower.snapshot() else {
            throw CLIError("\(truth): no frame lines yet (is the arena running?)")
        }
        let id = try window.resolve(in: X11WindowSystem(connection: connection))
        let agent = try InputAgent.x11(connection: connection, target: id, timing: .pauses(0, maxActionsPerSecond: 200))
        defer { agent.stop() }
        let human = HumanLikeKeys(
            reactionDelay: reaction, reactionJitter: reaction / 4, mistakesPerSecond: mistakes, seed: expertSeed)
        let loop = ExpertLoop(device: agent.device, track: follower.track, human: human) {
            follower.snapshot() ?? first
        }
        agent.killSwitch?.onTrip { loop.stop() }
        print("Driving window 0x\(String(id, radix: 16)) from \(truth): track \(Int(follower.track.length)) m a lap")
        fflush(stdout)
        let result = loop.run(laps: laps, seconds: seconds)
        let m = (follower.snapshot() ?? first).simulation.metrics
        print(
            "Expert stopped (\(result)): progress \(String(format: "%.2f", m.progress)) laps, off track \(String(format: "%.1f", m.offTrackTime)) s, crashes \(m.crashes)"
        )
        if case .inputRefused(let why) = result { throw CLIError(why) }
    }
}
