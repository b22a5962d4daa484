import ArgumentParser
import Arena
import Foundation
import Imaging
import LayoutReader

/// Which line extractor and layout classifier a command runs (the committed defaults unless
/// files are named).
struct LayoutModelOptions: ParsableArguments {
    enum ExtractorKind: String, ExpressibleByArgument, CaseIterable {
        case unet, threshold
    }

    @Option(help: "Line extractor: unet (the committed default model or --unet) or threshold (a colour threshold).")
    var extractor: ExtractorKind = .unet
    @Option(help: "UNet model file (default: the committed small UNet).") var unet: String?
    @Option(help: "ViT layout classifier file (default: the committed model).") var vit: String?
    @Flag(help: "Skip the original layout reader's sparse-pixel cleanup (window 15, threshold 10) after the extractor.")
    var noCleanup = false

    /// The in-process pipeline; a missing, corrupt or mismatched model file is an error naming it.
    func makeInference() throws -> LocalLayoutInference {
        let classifier =
            try vit.map { try ViTLayoutClassifier(contentsOf: URL(fileURLWithPath: $0)) }
            ?? ViTLayoutClassifier.loadDefault().classifier
        return LocalLayoutInference(
            extractor: try Self.lineExtractor(extractor, unet: unet, noCleanup: noCleanup), classifier: classifier)
    }

    /// The line extractor of `kind` (the UNet of `unet` or the committed one), with the cleanup
    /// unless `noCleanup`.
    static func lineExtractor(_ kind: ExtractorKind, unet: String?, noCleanup: Bool) throws -> LineExtracting {
        switch kind {
        case .threshold:
            let t = ColorThresholdLineExtractor()
            if noCleanup { t.cleanup = nil }
            return t
        case .unet:
            let u =
                try unet.map { try UNetLineExtractor(contentsOf: URL(fileURLWithPath: $0)) }
                ?? UNetLineExtractor.loadDefault()
            if noCleanup { u.cleanup = nil }
            return u
        }
    }
}

/// The arena's nine layout guides (each class's instance at `seed`, entrance marked).
func arenaGuides(seed: UInt64 = 1) -> [LayoutGuide] {
    LayoutClass.allCases.map { c in
        let layout = MapLayout(layoutClass: c, seed: seed)
        return LayoutGuide(
            name: c.description, image: layout.guide(), entranceX: layout.entrance.x, entranceY: layout.entrance.y)
    }
}

/// The overlay's guides: the arena's built-in ones, with the pictures of `folder` (a user's
/// `NAME.png` per layout class, see ``LayoutGuideFolder``) in place of theirs. Errors name the file.
func overlayGuides(folder: String?) throws -> [LayoutGuide] {
    let builtIn = arenaGuides()
    guard let folder else { return builtIn }
    let user = try LayoutGuideFolder(
        contentsOf: URL(fileURLWithPath: folder), classNames: LayoutClass.allCases.map(\.description))
    return user.guides(over: builtIn)
}
