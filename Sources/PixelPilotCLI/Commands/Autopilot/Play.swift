import ArgumentParser
import Autopilot
import Desktop
import Foundation
import Workshop
import Recording

extension PolicyStepper.Mode: ExpressibleByArgument {}

struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Let a trained policy play: capture, one inference per frame, press the keys it predicts.",
        discussion: """
            Reads everything from the model file (`pixelpilot train policy`): the region, \
            fps, keys, frame size and window length of its recordings. It captures the \
            region at the model's fps (the window the recordings were of, found by name, \
            or the same screen region; --window or --region to choose), keeps a rolling \
            window of the last frames' features (each frame encoded once), runs one \
            inference per frame, and presses or releases only the keys whose state changes \
            (held while the probability is above --threshold, 0.5; per key: --threshold \
            Up=0.4,Left=0.6; --threshold calibrated takes the model's, fitted on its \
            validation recordings). --mode window re-encodes the whole window every step, as \
            the original autopilot did (same outputs, about window-length times the work).

            Safety: keys go only to the target window while it has the focus; Ctrl+Alt+K \
            (kill switch) stops it; every held key is released however it stops (the end, \
            an error, Ctrl+C, SIGTERM, the kill switch, the window losing the focus or \
            disappearing). A lost focus or a vanished window ends play with an error (exit \
            status 1). --dry-run sends nothing and prints the keys it would press and \
            release.

            --record-corrections FILE records the drive (frames and held keys) into a new \
            recording; when you press a key the policy takes its hands off and you drive, \
            until you let go for --takeover-idle seconds. `pixelpilot train policy ...

            --corrections FILE` then learns from the stretches you drove.

            Examples:
              pixelpilot play --model policy.safetensors
              pixelpilot play --model p.safetensors --window Rally --dry-run --seconds 10
              pixelpilot play --model policy.safetensors --record-corrections fix1.ppr
            """)

    @OptionGroup var display: DisplayOptions
    @Option(help: "The policy model file (.safetensors).") var model: String
    @Option(help: "Play in this window (id or text in its title or class).") var window: WindowSpec?
    @Option(parsing: .unconditional, help: "Capture this region (WxH+X+Y or X,Y,W,H) instead.", transform: parseRegion)
    var region: ScreenRect?
    @Option(parsing: .unconditional, help: "Frames per second (must equal the model's; default: the model's).") var fps:
        Double?
    @Option(help: "Probability above which a key is held: 0.5, per key Up=0.4,Left=0.6, or calibrated (the model's).")
    var threshold = "0.5"
    @Option(help: "cached (each frame encoded once) or window (re-encode the window every step).")
    var mode = PolicyStepper.Mode.cachedFeatures
    @Option(parsing: .unconditional, help: "Stop after this many seconds.") var seconds: Double?
    @Flag(help: "Press nothing: print the keys it would press and release.") var dryRun = false
    @Option(help: "Record the drive and your takeovers into this new recording file.") var recordCorrections: String?
    @Option(parsing: .unconditional, help: "Seconds without your keys before the policy drives again.")
    var takeoverIdle = 1.0

    func validate() throws {
        if region != nil && window != nil { throw ValidationError("give --region or --window, not both") }
        if let fps, !(fps > 0 && fps <= 240) { throw ValidationError("--fps must be in (0, 240], got \(fps)") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        guard takeoverIdle > 0 else { throw ValidationError("--takeover-idle must be positive") }
    }

    func run() throws {
        let policy = try PolicyModel.read(from: URL(fileURLWithPath: model))
        let m = policy.metadata
        let thresholds = try KeyThresholds.parse(threshold, keys: m.keyNames, calibrated: m.calibratedThresholds)
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        let windows = X11WindowSystem(connection: connection)
        let chosen = try PlayTarget.resolve(policy, path: model, region: region, window: window, windows: windows)
        let rect = chosen.region
        let rate = fps ?? m.fps
        let problems = m.mismatches(width: rect.width, height: rect.height, fps: rate)
        guard problems.isEmpty else { throw PolicyError.mismatch(path: model, problems: problems) }
        guard let target = chosen.window else {
            throw CLIError("no window has the focus: give --window NAME (keys go only to it)")
        }
        let agent = try InputAgent.x11(
            connection: connection, target: dryRun ? nil : target, timing: .pauses(0, maxActionsPerSecond: 200),
            dryRun: dryRun)
        defer { agent.stop() }
        var settings = PlaySettings(region: rect, fps: rate, thresholds: thresholds)
        settings.mode = mode
        settings.seconds = seconds
        settings.requireFocus = !dryRun
        settings.takeoverIdle = takeoverIdle
        let player = try PolicyPlayer(
            model: policy, source: X11ScreenSource(connection: connection), device: agent.device, windows: windows,
            target: target, settings: settings)
        agent.killSwitch?.onTrip { player.stop(reason: "kill switch") }
        var recorder: X11InputRecorder?
        if recordCorrections != nil { recorder = try X11InputRecorder(displayName: connection.name) }
        defer { recorder?.stop() }
        print(
            "Playing \(model) on window 0x\(String(target, radix: 16)), region \(rect) at \(rateText(rate)) fps, keys \(m.keyNames.joined(separator: ","))\(dryRun ? " (dry run: nothing is pressed)" : ""); Ctrl+Alt+K stops"
        )
        fflush(stdout)
        let console = PlayConsole(dryRun: dryRun)
        let summary = try player.run(
            corrections: recordCorrections.map { URL(fileURLWithPath: $0) }, recorder: recorder, onStep: console.show)
        if console.terminal { print("") }
        print(
            String(
                format: "Stopped (%@): %d frames, %d late, step %.1f ms mean, %.1f ms max, %d key events%@",
                summary.stop.description, summary.frames, summary.lateFrames, summary.meanLatency * 1000,
                summary.maxLatency * 1000, summary.keyEvents,
                summary.corrections.map { ", corrections in \($0.path) (\(summary.takenOverFrames) frames you drove)" }
                    ?? ""))
        fflush(stdout)
        if summary.stop.isFailure { throw CLIError(summary.stop.description) }
    }
}

/// What `play` prints while it drives: the keys a dry run would press and release, and a status
/// line (redrawn in place on a terminal, every 5 s in a log).
final class PlayConsole {
    let terminal = isatty(STDOUT_FILENO) != 0
    let dryRun: Bool
    private var lastStatus = Date.distantPast
    private var latencies: [Double] = []

    init(dryRun: Bool) { self.dryRun = dryRun }

    func show(_ step: PlayStep) {
        latencies.append(step.latency)
        if dryRun && (!step.pressed.isEmpty || !step.released.isEmpty) {
            let parts = step.pressed.map { "press \($0)" } + step.released.map { "release \($0)" }
            if terminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
            print("frame \(step.frame): \(parts.joined(separator: ", "))")
        }
        let now = Date()
        guard now.timeIntervalSince(lastStatus) >= (terminal ? 0.2 : 5) else { return }
        lastStatus = now
        let recent = latencies.suffix(50)
        let mean = recent.reduce(0, +) / Double(max(1, recent.count))
        let keys = step.takenOver ? "you drive" : (step.held.isEmpty ? "-" : step.held.joined(separator: "+"))
        let line = String(
            format: "frame %d  keys %@  step %.1f ms (max %.1f)  late frames %d", step.frame, keys, mean * 1000,
            (recent.max() ?? 0) * 1000, step.lateFrames)
        if terminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            print(line)
        }
    }
}
