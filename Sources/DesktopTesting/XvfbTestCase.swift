import Desktop
import XCTest

/// A test case with a private Xvfb per test (640x480 unless a subclass says otherwise), never
/// the user's display, and a connection to it.
open class XvfbTestCase: XCTestCase {
    public var xvfb: VirtualDisplay!
    public var connection: X11Connection!

    /// The screen size of the private server.
    open var screenSize: (width: Int, height: Int) { (640, 480) }

    open override func setUpWithError() throws {
        xvfb = try VirtualDisplay(width: screenSize.width, height: screenSize.height)
        connection = try X11Connection(name: xvfb.name)
    }

    open override func tearDown() {
        connection = nil
        xvfb?.stop()
        xvfb = nil
    }

    /// True when the X server holds any key or mouse button down (read from the server, not from
    /// any client's own bookkeeping).
    public func serverHoldsInput() -> Bool {
        connection.sync()
        return !connection.pressedKeycodes().isEmpty || !connection.pressedButtons().isEmpty
    }
}
