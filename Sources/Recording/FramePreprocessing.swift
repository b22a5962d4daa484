import Foundation
import Imaging

/// The one definition of how a recorded frame becomes network input, meant to be stored in the
/// model file (``encoded``, e.g. as `ModelFile.preprocessing`) and read back by play, so training
/// and play cannot disagree (the seed trained on B, G, R in 0...255 and played on 0...1).
///
/// A frame (always RGB in a recording) is resized bilinearly to `width`×`height` (half-pixel
/// centres, as Keras's `Resizing`), then each channel value v becomes `v * scale + offset`, in
/// `channelOrder` (only "RGB" exists: PixelPilot never swaps channels silently).
public struct FramePreprocessing: Codable, Sendable, Equatable {
    public var channelOrder = "RGB"
    public var width: Int, height: Int
    public var scale: Float, offset: Float
    /// Frames per example, newest last.
    public var windowLength: Int

    /// The default: 96×96 as the seed's model, values in [0, 1], 20-frame windows.
    public init(width: Int = 96, height: Int = 96, scale: Float = 1 / 255, offset: Float = 0, windowLength: Int = 20) {
        self.width = width
        self.height = height
        self.scale = scale
        self.offset = offset
        self.windowLength = windowLength
    }

    /// One line of JSON, for a model file's metadata.
    public var encoded: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }

    /// Reads ``encoded``; nil when it is not one.
    public init?(encoded: String) {
        guard let p = try? JSONDecoder().decode(FramePreprocessing.self, from: Data(encoded.utf8)),
            p.channelOrder == "RGB"
        else { return nil }
        self = p
    }

    /// Floats per frame.
    public var valuesPerFrame: Int { width * height * 3 }

    /// Writes the frame's values (height, width, channel order) to `out`, mirrored left to right
    /// when `flipped`.
    public func apply(_ image: Image, flipped: Bool = false, into out: UnsafeMutablePointer<Float>) {
        let small = image.resized(width: width, height: height)
        let c = small.channels
        let w = width
        let h = height
        let s = scale
        let o = offset
        small.pixels.withUnsafeBufferPointer { px in
            for y in 0..<h {
                for x in 0..<w {
                    let src = (y * w + (flipped ? w - 1 - x : x)) * c
                    let dst = (y * w + x) * 3
                    out[dst] = Float(px[src]) * s + o
                    out[dst + 1] = Float(px[src + 1]) * s + o
                    out[dst + 2] = Float(px[src + 2]) * s + o
                }
            }
        }
    }
}
