/// What the last ``UNetLineExtractor/lines(of:origin:scale:)`` call did.
public struct UNetUpdateReport: Sendable, Equatable {
    /// Tiles covering the map, and how many went through the network (changed + stale ones run).
    public var tiles: Int, tilesRun: Int
    /// Tiles whose pixels were new or differed from the kept ones: always run in this call.
    public var tilesChanged: Int
    /// Stale tiles (pixels unchanged, mask made with older statistics) run in this call, and the
    /// stale tiles left for later calls. The mask equals a full pass with ``mean`` and ``std``
    /// exactly when `staleTilesLeft` is 0.
    public var staleTilesRun: Int, staleTilesLeft: Int
    /// True when the normalisation statistics changed in this call (every kept tile went stale).
    public var statisticsRefreshed: Bool
    /// The statistics in force (per RGB channel, 0-255 units).
    public var mean: [Float], std: [Float]
    /// Wall time of the call, seconds.
    public var seconds: Double
}
