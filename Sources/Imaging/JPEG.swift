import CJPEG
import Foundation

/// JPEG decoding and encoding through libjpeg-turbo (8-bit RGB), for screenshots users save as
/// JPEG and for testing on compressed pictures.
public enum JPEG {
    /// Reads a JPEG file (grey and CMYK files come out as RGB).
    public static func read(contentsOf url: URL) throws -> Image {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImagingError.badFile(path: url.path, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Decodes JPEG bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<data>") throws -> Image {
        guard data.count >= 3, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xD8 else {
            throw ImagingError.badFile(path: path, reason: "not a JPEG file (bad signature)")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var w: Int32 = 0
        var h: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let rc = data.withUnsafeBytes { raw in
            pp_jpeg_decode(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &out, &w, &h, &message, message.count)
        }
        guard rc == 0, let out else {
            throw ImagingError.badFile(path: path, reason: "corrupt JPEG: \(String(cString: message))")
        }
        defer { pp_jpeg_free(out) }
        let n = Int(w) * Int(h) * 3
        return try Image(
            width: Int(w), height: Int(h), channels: 3, pixels: Array(UnsafeBufferPointer(start: out, count: n)))
    }

    /// Encodes an image as JPEG at `quality` (1–100).
    public static func encode(_ img: Image, quality: Int = 90) throws -> Data {
        guard (1...100).contains(quality) else {
            throw ImagingError.invalidArgument("JPEG quality must be 1...100, got \(quality)")
        }
        guard img.width > 0, img.height > 0 else {
            throw ImagingError.invalidArgument("cannot encode an empty image as JPEG")
        }
        let rgb = img.rgb()
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let rc = rgb.pixels.withUnsafeBufferPointer { p in
            pp_jpeg_encode(
                p.baseAddress, Int32(rgb.width), Int32(rgb.height), Int32(quality), &out, &size, &message, message.count
            )
        }
        guard rc == 0, let out else {
            throw ImagingError.invalidArgument("cannot encode JPEG: \(String(cString: message))")
        }
        defer { pp_jpeg_free(out) }
        return Data(bytes: out, count: Int(size))
    }

    /// Writes an image to a JPEG file (atomically).
    public static func write(_ img: Image, to url: URL, quality: Int = 90) throws {
        let data = try encode(img, quality: quality)
        do { try data.write(to: url, options: .atomic) } catch {
            throw ImagingError.badFile(path: url.path, reason: "cannot write JPEG (\(error.localizedDescription))")
        }
    }
}

/// Reading and writing pictures by file type: PNG or JPEG, told by the file's first bytes when
/// reading and by the name's extension when writing.
public enum ImageFile {
    /// Reads a PNG or JPEG file; other files are an error naming the file.
    public static func read(path: String) throws -> Image {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImagingError.badFile(path: path, reason: "cannot read file (\(error.localizedDescription))")
        }
        if data.count >= 2, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xD8 {
            return try JPEG.decode(data, path: path)
        }
        if data.count >= 8, data.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return try PNG.decode(data, path: path)
        }
        throw ImagingError.badFile(
            path: path, reason: data.isEmpty ? "the file is empty" : "neither a PNG nor a JPEG file")
    }

    /// Writes PNG, or JPEG when the name ends in `.jpg` or `.jpeg`.
    public static func write(_ img: Image, path: String, quality: Int = 90) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
            try JPEG.write(img, to: URL(fileURLWithPath: path), quality: quality)
        } else {
            try PNG.write(img, path: path)
        }
    }
}
