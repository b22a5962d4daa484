/// What stops a layout server or client from starting. The message is derived.
public enum LayoutServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Binding to an address other than loopback needs a token.
    case tokenRequired(host: String)
    /// The address is not HOST:PORT.
    case badAddress(String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            return
                "serving on \(host) (not loopback) needs a token: give --token SECRET or set PIXELPILOT_LAYOUT_TOKEN (clients give the same)"
        case .badAddress(let a): return "'\(a)' is not HOST:PORT (e.g. 127.0.0.1:50000)"
        }
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Splits "HOST:PORT" ("[::1]:PORT" for IPv6).
    public static func parseAddress(_ s: String) throws -> (host: String, port: Int) {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port)
        else { throw LayoutServerError.badAddress(s) }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw LayoutServerError.badAddress(s) }
        return (host, port)
    }
}
