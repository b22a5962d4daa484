import CPNG
import Foundation

/// PNG decoding and encoding through libpng's simplified API (8-bit RGB and RGBA).
public enum PNG {
    /// Reads a PNG file. Grey, palette and 16-bit files are converted to 8-bit RGB(A); the result
    /// has 4 channels when the file has alpha, else 3.
    public static func read(contentsOf url: URL) throws -> Image {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImagingError.badFile(path: url.path, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Reads a PNG file at `path`.
    public static func read(path: String) throws -> Image {
        try read(contentsOf: URL(fileURLWithPath: path))
    }

    /// Decodes PNG bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<data>") throws -> Image {
        guard data.count >= 8, data.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw ImagingError.badFile(path: path, reason: "not a PNG file (bad signature)")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let ok = data.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard ok != 0 else { throw ImagingError.badFile(path: path, reason: "corrupt PNG: \(message(&image))") }
        defer { png_image_free(&image) }
        let hasAlpha = (image.format & 0x01) != 0
        let channels = hasAlpha ? 4 : 3
        image.format = hasAlpha ? 3 : 2  // PNG_FORMAT_RGBA : PNG_FORMAT_RGB
        let width = Int(image.width)
        let height = Int(image.height)
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
            throw ImagingError.badFile(path: path, reason: "unsupported PNG size \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = data.withUnsafeBytes { _ in
            pixels.withUnsafeMutableBytes { buf in
                png_image_finish_read(&image, nil, buf.baseAddress, Int32(width * channels), nil)
            }
        }
        guard finished != 0 else {
            throw ImagingError.badFile(path: path, reason: "corrupt or truncated PNG: \(message(&image))")
        }
        return try Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes an image as PNG bytes. `fast` trades some size for much quicker compression
    /// (libpng's fastest settings; recordings use it).
    public static func encode(_ img: Image, fast: Bool = false) throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        if fast { image.flags = UInt32(PNG_IMAGE_FLAG_FAST) }
        image.width = UInt32(img.width)
        image.height = UInt32(img.height)
        image.format = img.channels == 4 ? 3 : 2
        // Speed over size (zlib took most of the time writing pictures; files are ~25 % larger).
        image.flags = UInt32(PNG_IMAGE_FLAG_FAST)
        var size: Int = 0
        let stride = Int32(img.width * img.channels)
        guard
            img.pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
            ) != 0
        else {
            throw ImagingError.invalidArgument("cannot encode PNG: \(message(&image))")
        }
        var out = Data(count: size)
        let ok = out.withUnsafeMutableBytes { dst in
            img.pixels.withUnsafeBytes {
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil)
            }
        }
        guard ok != 0 else { throw ImagingError.invalidArgument("cannot encode PNG: \(message(&image))") }
        out.count = size
        return out
    }

    /// Writes an image to a PNG file (atomically).
    public static func write(_ img: Image, to url: URL) throws {
        let data = try encode(img)
        do { try data.write(to: url, options: .atomic) } catch {
            throw ImagingError.badFile(path: url.path, reason: "cannot write PNG (\(error.localizedDescription))")
        }
    }

    /// Writes an image to a PNG file at `path`.
    public static func write(_ img: Image, path: String) throws {
        try write(img, to: URL(fileURLWithPath: path))
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
