import Desktop
import Foundation

/// The sorter wired one way for every caller (the `sort` and `demo` commands, the benchmark and
/// the tests): perception over a screen, an executor acting through an ``InputAgent``, the
/// parking spot derived from the grid and the window, and, when items are ordered by their text,
/// the clipboard reader.
public final class SortSession {
    /// What to sort and how.
    public struct Options: Sendable {
        public var grid: GridGeometry
        public var layout = SortLayout()
        /// Cells below this classifier confidence stay where they are.
        public var confidenceThreshold: Float = 0.6
        /// Order within a colour (anything but `.color` reads item texts with Ctrl+C).
        public var order: ClipboardItemReader.Order = .color

        public init(
            grid: GridGeometry, layout: SortLayout = SortLayout(), confidenceThreshold: Float = 0.6,
            order: ClipboardItemReader.Order = .color
        ) {
            self.grid = grid
            self.layout = layout
            self.confidenceThreshold = confidenceThreshold
            self.order = order
        }
    }

    public let agent: InputAgent
    public let perception: StashPerception
    public let executor: SortExecutor
    /// The item-text reader, when `order` is not `.color`.
    public let reader: ClipboardItemReader?

    /// - Parameters:
    ///   - window: the game window's rectangle (the pointer parks inside it, beside the grid).
    ///   - clipboard: needed when `options.order` reads item texts.
    public init(
        source: ScreenSource, classifier: CellClassifying, agent: InputAgent, window: ScreenRect, options: Options,
        clipboard: Clipboard? = nil, clock: MonotonicClock = SystemClock.shared
    ) {
        self.agent = agent
        perception = StashPerception(
            source: source, classifier: classifier, grid: options.grid,
            confidenceThreshold: options.confidenceThreshold)
        executor = SortExecutor(
            perception: perception, device: agent.device, layout: options.layout,
            parking: options.grid.parkingPoint(inside: window), clock: clock)
        if options.order != .color, let clipboard {
            let r = ClipboardItemReader(
                device: agent.device, clipboard: clipboard, grid: options.grid, order: options.order)
            executor.itemKey = { cell, cls in try r.key(at: cell, className: cls) }
            reader = r
        } else {
            reader = nil
        }
    }

    /// Step mode: each press of `gate`'s hotkey lets one click through; the kill switch ends it.
    public func useStepGate(_ gate: StepGate, announce: ((PlannedClick<String>) -> Void)? = nil) {
        agent.killSwitch?.onTrip { gate.stop() }
        executor.beforeClick = { click in
            announce?(click)
            try gate.wait()
        }
    }
}
