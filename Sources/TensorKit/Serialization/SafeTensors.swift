import Foundation

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping each tensor name to `dtype`, `shape` and `data_offsets` (plus an optional
/// `__metadata__` map of strings), then the raw little-endian data.
///
/// F32 is read and written; F16, BF16, F64, I64, I32, U8 and BOOL are converted to `Float` on read.
public enum SafeTensors {
    /// The tensors and metadata of one file.
    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
        public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// Reads a file. Errors name the file and what is wrong with it.
    public static func read(contentsOf url: URL) throws -> Contents {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw TensorError.badFile(path: url.path, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Parses the bytes of a safetensors file; `path` is used in error messages.
    public static func decode(_ data: Data, path: String = "<data>") throws -> Contents {
        func fail(_ reason: String) -> TensorError {
            .badFile(path: path, reason: "not a valid safetensors file: \(reason)")
        }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { raw -> UInt64 in
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(raw[i]) << (8 * UInt64(i)) }
            return v
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) exceeds the file size (\(data.count) bytes); truncated?")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let body = data.count - dataStart
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any],
                let dtype = entry["dtype"] as? String,
                let shapeAny = entry["shape"] as? [Any],
                let offsetsAny = entry["data_offsets"] as? [Any], offsetsAny.count == 2
            else {
                throw fail("entry '\(name)' lacks dtype, shape or data_offsets")
            }
            let shape = try shapeAny.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else { throw fail("entry '\(name)' has a bad shape") }
                return n
            }
            let offsets = try offsetsAny.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else {
                    throw fail("entry '\(name)' has bad data_offsets")
                }
                return n
            }
            guard offsets[0] <= offsets[1], offsets[1] <= body else {
                throw fail(
                    "entry '\(name)' data_offsets \(offsets) lie outside the \(body)-byte data section; truncated?")
            }
            let count = shape.reduce(1, *)
            guard let width = elementSize(dtype) else { throw fail("entry '\(name)' has unsupported dtype \(dtype)") }
            guard offsets[1] - offsets[0] == count * width else {
                throw fail("entry '\(name)' has \(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtype)")
            }
            let t = Tensor.uninitialized(shape)
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + dataStart + offsets[0]
                convert(dtype, from: base, to: t.pointer, count: count)
            }
            tensors[name] = t
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// Writes tensors (as F32) and metadata, keys sorted, atomically.
    public static func write(_ contents: Contents, to url: URL) throws {
        let data = encode(contents)
        do { try data.write(to: url, options: .atomic) } catch {
            throw TensorError.badFile(path: url.path, reason: "cannot write file (\(error.localizedDescription))")
        }
    }

    /// The bytes of a safetensors file holding `contents`.
    public static func encode(_ contents: Contents) -> Data {
        var header = "{"
        var parts: [String] = []
        if !contents.metadata.isEmpty {
            let m = contents.metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(contents.metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var offset = 0
        let names = contents.tensors.keys.sorted()
        for name in names {
            let t = contents.tensors[name]!
            let bytes = t.count * 4
            parts.append(
                "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            )
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
        var headerBytes = Array(header.utf8)
        while (headerBytes.count % 8) != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        var len = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for name in names {
            let t = contents.tensors[name]!
            data.append(UnsafeBufferPointer(start: t.pointer, count: t.count))
        }
        return data
    }

    static func jsonString(_ s: String) -> String {
        let encoded = try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        let text = encoded.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
        return String(text.dropFirst().dropLast())
    }

    static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "F16", "BF16", "I16": return 2
        case "F64", "I64": return 8
        case "U8", "I8", "BOOL": return 1
        default: return nil
        }
    }

    static func convert(_ dtype: String, from src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count: Int) {
        switch dtype {
        case "F32": for i in 0..<count { dst[i] = src.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case "F64": for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        case "I64": for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
        case "I32": for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
        case "I16": for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
        case "U8", "BOOL": for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        case "I8": for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case "F16":
            for i in 0..<count {
                let bits = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                dst[i] = halfToFloat(bits)
            }
        case "BF16":
            for i in 0..<count {
                let bits = UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16
                dst[i] = Float(bitPattern: bits)
            }
        default: break
        }
    }

    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            return (sign != 0 ? -1 : 1) * Float(mant) * Float(pow(2.0, -24.0))
        } else if exp == 31 {
            return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13))
        }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }
}
