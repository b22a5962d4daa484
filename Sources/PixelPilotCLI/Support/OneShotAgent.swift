import ArgumentParser
import Desktop
import Foundation

/// The input agent of a one-shot command (`click`, `key`): the shared safety set-up, bound to a
/// window when one is named, with the kill switch, and a printed log of what it did.
struct OneShotAgent {
    let agent: InputAgent
    let dryRun: Bool
    var device: SafeInputDevice { agent.device }

    /// - Parameter killSwitch: listen for Ctrl+Alt+K (for commands that act for a while).
    init(connection: X11Connection, boundTo window: WindowSpec?, dryRun: Bool, killSwitch: Bool = false) throws {
        let target = try window?.resolve(in: X11WindowSystem(connection: connection))
        agent = try InputAgent.x11(
            connection: connection, target: target, killSwitch: killSwitch, timing: InputTiming(),
            dryRun: dryRun)
        self.dryRun = dryRun
    }

    /// Prints the actions done (or, in a dry run, that would have been).
    func printLog() {
        print((dryRun ? "would " : "") + device.log.map(\.description).joined(separator: ", "))
    }
}

/// `--region` values, with a message that names the option and the forms it takes.
func parseRegion(_ text: String) throws -> ScreenRect {
    guard let r = ScreenRect(argument: text) else {
        throw ValidationError("--region '\(text)' is not WxH+X+Y or X,Y,W,H with a positive size")
    }
    return r
}
