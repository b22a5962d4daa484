import Desktop
import Foundation
import Imaging

/// Shows ``GuideState``s on a click-through ``Overlay``: draws the picture for each new state,
/// shows the overlay while a stream runs and hides it when the stream stops. Remembers the last
/// picture it put on screen (tests compare it with a capture through the X server).
public final class GuideOverlayPresenter: @unchecked Sendable {
    public let overlay: Overlay
    public let picture: GuideOverlayPicture
    private let lock = NSLock()
    private var lastState: GuideState?
    private var visible = false
    /// The picture on screen (nil while hidden).
    public private(set) var shown: Image?
    /// The last error the overlay gave (the reader goes on without it).
    public private(set) var lastError: String?

    public init(overlay: Overlay, picture: GuideOverlayPicture) {
        self.overlay = overlay
        self.picture = picture
    }

    /// Shows `state` (hides the overlay for ``GuideState/Phase/hidden``). Serialised.
    public func present(_ state: GuideState) {
        lock.lock()
        defer { lock.unlock() }
        if state.phase == .hidden {
            if visible { overlay.hide() }
            visible = false
            shown = nil
            lastState = state
            return
        }
        if state != lastState || !visible {
            let img = picture.render(state)
            do {
                try overlay.setImage(img)
                shown = img
            } catch {
                lastError = "\(error)"
            }
        }
        if !visible {
            overlay.show()
            visible = true
        }
        lastState = state
    }

    /// The state last presented.
    public var state: GuideState? { lock.withLock { lastState } }
}
