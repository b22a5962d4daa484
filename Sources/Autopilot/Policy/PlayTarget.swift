import Desktop

/// The window a policy plays on and the region it sees: as at recording time (the model's window
/// name and region) unless a window or a region is given.
public struct PlayTarget: Sendable, Equatable {
    /// The region fed to the policy.
    public var region: ScreenRect
    /// The window keys go to (nil: no window has the focus).
    public var window: UInt?

    public init(region: ScreenRect, window: UInt?) {
        self.region = region
        self.window = window
    }

    /// Resolves the target of `model` (read from `path`) on `windows`.
    /// - Parameters:
    ///   - region: a region given by the user (the focused window gets the keys).
    ///   - window: a window given by the user (its rectangle is the region).
    public static func resolve(
        _ model: PolicyModel, path: String, region: ScreenRect?, window: WindowSpec?, windows: WindowSystem
    ) throws -> PlayTarget {
        let m = model.metadata
        if let region { return PlayTarget(region: region, window: try windows.activeWindow()?.id) }
        if let spec = window ?? m.windowName.flatMap({ WindowSpec($0) }) {
            let id = try spec.resolve(in: windows)
            return PlayTarget(region: try windows.window(id: id).rect, window: id)
        }
        guard m.regionWidth > 0, m.regionHeight > 0 else {
            throw PolicyError.badModel(
                path: path, reason: "it records no region (a converted model): give --window or --region")
        }
        return PlayTarget(
            region: ScreenRect(x: m.regionX, y: m.regionY, width: m.regionWidth, height: m.regionHeight),
            window: try windows.activeWindow()?.id)
    }
}
