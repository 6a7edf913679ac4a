// ListenAddress — where a listener binds: "127.0.0.1:2525", "[::1]:25", "0.0.0.0:25", "[::]:587".
//
// The host part is an IP address (no names: binding must not depend on DNS at start-up); IPv6
// addresses are written in brackets as in RFC 3986 §3.2.2. Port 0 asks the system for a free
// port (tests). Used by the smtp.*_listen configuration keys.

public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: IPAddress
    public var port: Int

    public init(host: IPAddress, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        let hostText: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard hostText.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let host = IPAddress(String(hostText)),
              !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port <= 65535 else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.isIPv4 ? "\(host):\(port)" : "[\(host)]:\(port)" }
}
