import Desktop
import Foundation
import Imaging

/// The stash arena without a window: the same state, click rules, faults and pictures as
/// ``StashArena``, seen through ``ScreenSource`` and clicked through ``InputDevice``, on any clock.
/// With a manual clock a whole sort — verification, re-plans after dropped clicks, a slow UI —
/// runs in milliseconds and the same way every time.
///
/// The screen is the window's picture with the window's top-left at `origin`.
public final class StashSimulator: ScreenSource, InputDevice, @unchecked Sendable {
    public let layout: StashArena.Layout
    public let faults: ArenaFaults
    public let origin: ScreenPoint
    public let clock: MonotonicClock
    public let width: Int, height: Int
    private let lock = NSLock()
    /// The state and the rules that change it (under ``lock``), on the plain style's grid that the pictures show.
    private var game: StashRules
    private var pointer = (x: -100, y: -100)
    private var pending: [(due: MonotonicTime, x: Int, y: Int)] = []
    private var heldSet = Set<HeldInput>()
    private var sprites: [Int: Image] = [:]
    private let emptySprite: Image
    /// The window's picture, drawn again only after the state or a held item's position changed.
    private var picture: Image?
    /// Clicks applied.
    public var appliedClicks: Int { lock.withLock { game.appliedClicks } }
    /// Clicks dropped by fault injection.
    public var droppedClicks: Int { lock.withLock { game.droppedClicks } }

    public init(
        state: StashState, origin: ScreenPoint = ScreenPoint(x: 10, y: 10),
        layout: StashArena.Layout = StashArena.Layout(),
        faults: ArenaFaults = ArenaFaults(), seed: UInt64 = 1, clock: MonotonicClock = SystemClock.shared
    ) {
        game = StashRules(
            state: state, grid: layout.plainGrid(columns: state.columns, rows: state.rows), faults: faults, seed: seed)
        self.origin = origin
        self.layout = layout
        self.faults = faults
        self.clock = clock
        emptySprite = GemArt.cell(.empty, size: layout.cellSize)
        let size = StashArena.windowSize(columns: state.columns, rows: state.rows, layout: layout)
        width = size.width
        height = size.height
    }

    /// The true state (tests only), after any clicks that are due.
    public var state: StashState {
        lock.withLock {
            applyDue()
            return game.state
        }
    }

    /// The window's rectangle on the simulated screen.
    public var windowRect: ScreenRect { ScreenRect(x: origin.x, y: origin.y, width: width, height: height) }

    /// Screen position of the grid's top-left cell corner.
    public var gridOrigin: ScreenPoint { origin.offset(dx: layout.origin.x, dy: layout.origin.y) }

    // MARK: ScreenSource

    public var screenRect: ScreenRect {
        ScreenRect(x: 0, y: 0, width: origin.x + width + 10, height: origin.y + height + 10)
    }

    public func capture(_ rect: ScreenRect?) throws -> Frame {
        let picture = lock.withLock { () -> Image in
            applyDue()
            if let picture = self.picture { return picture }
            let p = StashArena.picture(
                of: game.state, pointer: pointer, layout: layout, width: width, height: height,
                empty: emptySprite, sprite: sprite)
            self.picture = p
            return p
        }
        return try Frame(capturing: rect, of: picture, at: origin, screen: screenRect, time: clock.now())
    }

    public func capture(window: UInt) throws -> Frame { try capture(windowRect) }

    // MARK: InputDevice

    public var held: Set<HeldInput> { lock.withLock { heldSet } }

    public func perform(_ action: InputAction) throws {
        lock.withLock {
            applyDue()
            switch action {
            case .move(let p):
                pointer = (p.x - origin.x, p.y - origin.y)
                if game.state.cursor != nil { picture = nil }
            case .input(let e):
                heldSet.apply(e)
                if case .button(.left, down: true) = e { press(x: pointer.x, y: pointer.y) }
            case .scroll, .text:
                break
            }
        }
    }

    public func releaseAll() { lock.withLock { heldSet.removeAll() } }

    // MARK: The game

    private func press(x: Int, y: Int) {
        guard game.takesPress() else { return }
        if faults.clickDelay > 0 {
            pending.append((clock.now() + faults.clickDelay, x, y))
        } else {
            apply(x: x, y: y)
        }
    }

    private func applyDue() {
        let now = clock.now()
        while let first = pending.first, first.due <= now {
            pending.removeFirst()
            apply(x: first.x, y: first.y)
        }
    }

    private func apply(x: Int, y: Int) {
        if game.click(x: x, y: y) { picture = nil }
    }

    private func sprite(_ item: StashItem) -> Image {
        if let s = sprites[item.id] { return s }
        let s = GemArt.cell(.gem(item.look), size: layout.cellSize)
        sprites[item.id] = s
        return s
    }
}
