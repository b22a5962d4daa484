import Foundation
import TensorKit

/// The small line-extraction UNet that ships with PixelPilot, so the live reader works without
/// training: made by `make layout-models` (`pixelpilot train unet` on arena frames) and committed
/// as `Sources/LayoutReader/Resources/unet-small.safetensors`.
///
/// Looked up by path, never through `Bundle.module` (whose accessor ends the process when the
/// folder is missing): `$PIXELPILOT_UNET_MODEL` when set; the `PixelPilot_LayoutReader.resources`
/// folder beside the executable; `share/pixelpilot/` beside the executable's folder; the source
/// tree this was built from.
public enum UNetDefaultModel {
    public static let fileName = "unet-small.safetensors"

    /// The file and where it is looked for.
    public static let shipped = ShippedModel(
        fileName: fileName, environmentVariable: "PIXELPILOT_UNET_MODEL",
        resourceFolder: "PixelPilot_LayoutReader.resources",
        sourceTreeURL: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(fileName))

    /// Every place looked at, in order.
    public static func candidates() -> [URL] { shipped.candidates() }

    /// The committed file in the source tree.
    public static var sourceTreeURL: URL { shipped.sourceTreeURL }

    /// The first existing candidate, or an error listing where it looked.
    public static func url() throws -> URL {
        guard let found = shipped.locate() else {
            let all = candidates()
            throw TensorError.badFile(
                path: fileName,
                reason:
                    "the default line-extraction UNet was not found (looked at \(all.map(\.path).joined(separator: ", "))); give a model file or run `make layout-models`"
            )
        }
        return found
    }
}
