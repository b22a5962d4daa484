import Imaging

/// A picture shown above every other window, that clicks pass through.
public protocol Overlay: AnyObject {
    /// Where it is on screen.
    var rect: ScreenRect { get }
    /// Replaces the picture (the overlay takes the picture's size).
    func setImage(_ image: Image) throws
    /// Moves its top-left corner to `origin`.
    func move(to origin: ScreenPoint)
    /// Shows it above every other window.
    func show()
    /// Hides it.
    func hide()
}
