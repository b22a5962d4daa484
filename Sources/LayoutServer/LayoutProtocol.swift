import Foundation
import Imaging
import LayoutReader

/// The layout protocol, version 1 (docs/layout-protocol.md): WebSocket messages between a
/// capture client and a layout server. Updates are binary messages (a fixed header, a JSON
/// header and the map's pixels); every answer is a JSON text message.
public enum LayoutProtocol {
    /// The version this build speaks.
    public static let version = 1
    /// The WebSocket path.
    public static let path = "/v1/layout"
    /// The first four bytes of every update.
    public static let magic: [UInt8] = Array("PPLU".utf8)
    /// Default largest update a server accepts (bytes): a 4K-scale map halved is about 7 MB raw.
    public static let defaultMaxMessageBytes = 48 << 20
    /// Largest map side a server accepts (pixels).
    public static let maxSide = 16384

    /// How an update's pixels are stored.
    public enum Encoding: String, Codable, Sendable {
        /// width × height × 3 bytes, RGB, row-major.
        case rgb8
        /// A PNG file.
        case png
    }

    /// The JSON header of an update.
    public struct UpdateHeader: Codable, Sendable, Equatable {
        public var id: UInt64
        public var width: Int, height: Int
        public var originX: Int, originY: Int
        public var scale: Float
        public var encoding: Encoding
        public init(id: UInt64, width: Int, height: Int, originX: Int, originY: Int, scale: Float, encoding: Encoding) {
            self.id = id
            self.width = width
            self.height = height
            self.originX = originX
            self.originY = originY
            self.scale = scale
            self.encoding = encoding
        }
    }

    /// Error codes of an error reply.
    public enum ErrorCode: String, Codable, Sendable {
        /// Not an update: bad magic, truncated header, bad JSON, pixels that do not match the header.
        case malformed
        /// The message is larger than the server's limit (it was read through and dropped).
        case tooLarge
        /// The update's protocol version is not the server's.
        case wrongVersion
        /// A text message of an unknown type.
        case unknownType
        /// The models failed on this update.
        case inferenceFailed
    }

    /// A message from the server (JSON text).
    public struct Reply: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            case hello, prediction, noMapFeatures, superseded, error
        }
        public var type: Kind
        public var protocolVersion: Int
        public var id: UInt64?
        // hello
        public var server: String?
        public var classNames: [String]?
        public var extractor: String?
        public var maxMessageBytes: Int?
        // prediction
        public var probabilities: [Float]?
        public var best: Int?
        public var tokenCount: Int?
        public var linePixels: Int?
        public var milliseconds: Double?
        // superseded
        public var by: UInt64?
        // error
        public var code: ErrorCode?
        public var message: String?

        enum CodingKeys: String, CodingKey {
            case type, id, server, classNames, extractor, maxMessageBytes, probabilities, best, tokenCount, linePixels
            case milliseconds, by, code, message
            case protocolVersion = "protocol"
        }

        public init(type: Kind, id: UInt64? = nil) {
            self.type = type
            self.protocolVersion = LayoutProtocol.version
            self.id = id
        }

        public static func error(_ code: ErrorCode, _ message: String, id: UInt64? = nil) -> Reply {
            var r = Reply(type: .error, id: id)
            r.code = code
            r.message = message
            return r
        }

        /// The reply as one line of JSON.
        public func json() -> String {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            return (try? String(decoding: enc.encode(self), as: UTF8.self)) ?? "{\"type\":\"error\"}"
        }

        /// Parses a reply; anything else is ``LiveInferenceError/badReply(_:)``.
        public static func parse(_ text: String) throws -> Reply {
            do {
                return try JSONDecoder().decode(Reply.self, from: Data(text.utf8))
            } catch {
                throw LiveInferenceError.badReply("'\(text.prefix(80))' (\(error))")
            }
        }
    }

    /// A decoding failure, turned into an error reply.
    public struct DecodeError: Error, Equatable {
        public var code: ErrorCode
        public var message: String
        public var id: UInt64?
    }

    /// The bytes of an update of `update` (RGB, or PNG when `png`).
    public static func encode(_ update: MapUpdate, id: UInt64, png: Bool = false) throws -> [UInt8] {
        let rgb = update.map.rgb()
        let header = UpdateHeader(
            id: id, width: rgb.width, height: rgb.height, originX: update.origin.x, originY: update.origin.y,
            scale: update.scale, encoding: png ? .png : .rgb8)
        let json = try JSONEncoder().encode(header)
        var out = magic
        out.reserveCapacity(8 + json.count + rgb.pixels.count)
        out += [UInt8(version >> 8), UInt8(version & 255)]
        out += [UInt8(json.count >> 8), UInt8(json.count & 255)]
        out += json
        if png { out += try PNG.encode(rgb, fast: true) } else { out += rgb.pixels }
        return out
    }

    /// Reads an update; a bad one is a ``DecodeError`` naming what is wrong.
    public static func decode(_ bytes: [UInt8]) throws -> (header: UpdateHeader, image: Image) {
        func bad(_ m: String, _ id: UInt64? = nil) -> DecodeError { DecodeError(code: .malformed, message: m, id: id) }
        guard bytes.count >= 8, Array(bytes[0..<4]) == magic else {
            throw bad("an update starts with the 4 bytes 'PPLU' (got \(bytes.count) bytes: \(bytes.prefix(4)))")
        }
        let v = Int(bytes[4]) << 8 | Int(bytes[5])
        guard v == version else {
            throw DecodeError(
                code: .wrongVersion, message: "this server speaks layout protocol \(version); the update says \(v)")
        }
        let n = Int(bytes[6]) << 8 | Int(bytes[7])
        guard bytes.count >= 8 + n else { throw bad("the JSON header is \(n) bytes but the message ends first") }
        let header: UpdateHeader
        do {
            header = try JSONDecoder().decode(UpdateHeader.self, from: Data(bytes[8..<(8 + n)]))
        } catch {
            throw bad("the update's JSON header does not parse: \(error)")
        }
        guard header.width > 0, header.height > 0, header.width <= maxSide, header.height <= maxSide else {
            throw bad("map size \(header.width)x\(header.height) is outside 1...\(maxSide)", header.id)
        }
        guard header.scale > 0, header.scale <= 8 else {
            throw bad("scale \(header.scale) is outside (0, 8]", header.id)
        }
        let body = Array(bytes[(8 + n)...])
        let image: Image
        switch header.encoding {
        case .rgb8:
            let want = header.width * header.height * 3
            guard body.count == want else {
                throw bad(
                    "an rgb8 map of \(header.width)x\(header.height) has \(want) pixel bytes, the update has \(body.count)",
                    header.id)
            }
            image = try Image(width: header.width, height: header.height, channels: 3, pixels: body)
        case .png:
            do {
                image = try PNG.decode(Data(body), path: "update \(header.id)").rgb()
            } catch {
                throw bad("the PNG does not decode: \(error)", header.id)
            }
            guard image.width == header.width, image.height == header.height else {
                throw bad(
                    "the PNG is \(image.width)x\(image.height), the header says \(header.width)x\(header.height)",
                    header.id)
            }
        }
        return (header, image)
    }
}
