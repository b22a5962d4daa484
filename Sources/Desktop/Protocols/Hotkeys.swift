/// Global hotkeys: a handler runs whenever a combination is pressed, whichever window has focus.
public protocol HotkeyCenter: AnyObject, Sendable {
    /// Calls `handler` (on a background queue) whenever `combo` is pressed.
    ///
    /// - Throws: ``DesktopError/hotkeyTaken(_:)`` when another program holds it.
    func register(_ combo: KeyCombo, handler: @escaping @Sendable () -> Void) throws
    /// Stops listening and gives every combination back.
    func stop()
}

/// The system clipboard, as text.
public protocol Clipboard: AnyObject {
    /// The clipboard's text, or nil when nobody owns it. Waits at most `timeout` seconds for
    /// the owner to answer.
    func readText(timeout: Double) throws -> String?
    /// Takes the clipboard and serves `text` to readers until something else takes it.
    func own(_ text: String) throws
}

/// Records the user's keys and mouse buttons with monotonic timestamps.
public protocol InputRecorder: AnyObject {
    /// Everything recorded so far.
    var recorded: InputTimeline { get }
    /// Called for every event as it arrives (on the recorder's thread).
    var onEvent: (@Sendable (TimedInputEvent) -> Void)? { get set }
    /// Stops recording (the events stay available).
    func stop()
}
