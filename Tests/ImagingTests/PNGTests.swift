import XCTest
import Foundation
import Imaging

final class PNGTests: XCTestCase {
    let tmp = FileManager.default.temporaryDirectory

    func pattern(_ channels: Int) -> Image {
        var img = Image(
            width: 7, height: 5, channels: channels, color: channels == 4 ? [10, 20, 30, 255] : [10, 20, 30])
        img.setPixel(x: 0, y: 0, [255, 0, 0, 128])
        img.setPixel(x: 6, y: 4, [0, 255, 0, 7])
        img.setPixel(x: 3, y: 2, [1, 2, 3, 4])
        return img
    }

    func testRoundTripRGBAndRGBA() throws {
        for ch in [3, 4] {
            let img = pattern(ch)
            let url = tmp.appendingPathComponent("png-\(UUID()).png")
            defer { try? FileManager.default.removeItem(at: url) }
            try PNG.write(img, to: url)
            let back = try PNG.read(contentsOf: url)
            XCTAssertEqual(back, img, "channels \(ch)")
        }
    }

    func testCorruptTruncatedAndMissingFilesNameTheFile() throws {
        let data = try PNG.encode(pattern(3))
        XCTAssertThrowsError(try PNG.decode(data.prefix(data.count / 2), path: "half.png")) { e in
            XCTAssertTrue("\(e)".hasPrefix("half.png: "), "\(e)")
        }
        XCTAssertThrowsError(try PNG.decode(Data("hello world, not a png".utf8), path: "text.png")) { e in
            XCTAssertEqual("\(e)", "text.png: not a PNG file (bad signature)")
        }
        var bad = data
        bad[20] ^= 0xFF  // damage the IHDR (CRC mismatch)
        XCTAssertThrowsError(try PNG.decode(bad, path: "crc.png"))
        XCTAssertThrowsError(try PNG.read(path: "/nonexistent/x.png")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/x.png"), "\(e)")
        }
    }

    func testCropResizeAndDraw() throws {
        var img = Image(width: 10, height: 8, color: [0, 0, 0])
        img.fillRect(x: 2, y: 3, width: 4, height: 2, color: [200, 100, 50])
        let c = try img.cropped(x: 2, y: 3, width: 4, height: 2)
        XCTAssertEqual(c, Image(width: 4, height: 2, color: [200, 100, 50]))
        XCTAssertThrowsError(try img.cropped(x: 8, y: 0, width: 4, height: 2))
        let flat = Image(width: 6, height: 6, color: [9, 99, 199])
        XCTAssertEqual(flat.resized(width: 3, height: 12), Image(width: 3, height: 12, color: [9, 99, 199]))
        var canvas = Image(width: 40, height: 10, color: [0, 0, 0])
        canvas.drawText("OK 42", x: 1, y: 1, color: [255, 255, 255])
        XCTAssertGreaterThan(canvas.pixels.filter { $0 == 255 }.count, 30)
    }
}
