// IMAPLineClient — a small blocking IMAP client over TCP for the conformance script runners
// (ImaptestRunner, MPTRunner). It only moves bytes: it connects to host:port, sends what it is
// given, and reads either one raw line (what James MPT scripts compare, literal contents
// included line by line) or one whole response (RFC 9051 §4.3 and §7: a line that ends in a
// literal announcement `{n}`, `{n+}` or `~{n}` continues after n octets, so a response is read
// up to the CRLF that is not followed by a literal; what Dovecot imaptest compares).
//
// Text is kept byte for byte: bytes become Unicode scalars U+0000…U+00FF (ISO-8859-1) and back,
// so 8-bit and binary literals survive a round trip through String.
//
// Every read has a deadline (poll(2)); a timeout or the server closing the connection is an
// IMAPLineClientError, never a hang. Lines are limited to 64 MiB so a broken server cannot make
// the test eat the machine.
//
// Security: test code for loopback servers with disposable accounts; LOGIN sends the password
// in clear text.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct IMAPLineClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case connect, timeout, closed, io, tooLong }
    public let kind: Kind
    public let description: String
    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// Bytes ↔ String without loss: each byte is the scalar of the same value.
public enum Latin1 {
    public static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    /// Splits at LF, byte-wise (Swift's String would treat CR LF as one Character and not split
    /// it); a CR before the LF stays in the line. A final empty piece after a last LF is dropped.
    public static func lines(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if c == "\n" {
                out.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// Scalars above U+00FF (which script files read as Latin-1 never contain) become '?'.
    public static func bytes(_ string: String) -> [UInt8] {
        string.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : 0x3F }
    }
}

public final class IMAPLineClient {
    public let host: String
    public let port: Int
    /// Seconds each read waits for the next bytes.
    public var timeout: Double
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var pushedBack: [String] = []
    public private(set) var isClosed = false
    static let maxLine = 64 << 20

    public init(host: String = "127.0.0.1", port: Int, timeout: Double = 10) throws {
        self.host = host
        self.port = port
        self.timeout = timeout
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IMAPLineClientError(.connect, "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            systemClose(fd)
            throw IMAPLineClientError(.connect, "\(host) is not an IPv4 address")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let e = errno
            systemClose(fd)
            throw IMAPLineClientError(.connect, "connect \(host):\(port) failed: errno \(e)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close() }

    public func close() {
        if !isClosed {
            isClosed = true
            systemClose(fd)
        }
    }

    // MARK: sending

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IMAPLineClientError(.io, "send failed: errno \(errno)")
            }
            offset += n
        }
    }

    public func send(_ text: String) throws { try send(Latin1.bytes(text)) }

    /// Sends `line` and CRLF.
    public func sendLine(_ line: String) throws { try send(Latin1.bytes(line) + [13, 10]) }

    // MARK: reading

    /// Whether lines put back with unread(_:) are waiting.
    var hasPushedBack: Bool { !pushedBack.isEmpty }

    /// Puts a line back: the next readLine() or readResponse() returns it first.
    public func unread(_ line: String) { pushedBack.append(line) }

    /// One line without its CRLF (a bare LF also ends a line).
    public func readLine(timeout: Double? = nil) throws -> String {
        if let line = pushedBack.popLast() { return line }
        let deadline = Date().addingTimeInterval(timeout ?? self.timeout)
        while true {
            if let lf = buffer[start...].firstIndex(of: 10) {
                var end = lf
                if end > start && buffer[end - 1] == 13 { end -= 1 }
                let line = Latin1.string(buffer[start..<end])
                start = lf + 1
                compact()
                return line
            }
            if buffer.count - start > IMAPLineClient.maxLine {
                throw IMAPLineClientError(.tooLong, "line longer than \(IMAPLineClient.maxLine) bytes")
            }
            try fill(deadline: deadline)
        }
    }

    /// Exactly `count` bytes (a literal's contents).
    public func readBytes(_ count: Int, timeout: Double? = nil) throws -> String {
        let deadline = Date().addingTimeInterval(timeout ?? self.timeout)
        guard count <= IMAPLineClient.maxLine else { throw IMAPLineClientError(.tooLong, "literal of \(count) bytes") }
        while buffer.count - start < count { try fill(deadline: deadline) }
        let text = Latin1.string(buffer[start..<start + count])
        start += count
        compact()
        return text
    }

    /// One whole response: its lines joined with CRLF, each literal's contents in place after
    /// its `{n}` CRLF, without the final CRLF.
    public func readResponse(timeout: Double? = nil) throws -> String {
        var text = try readLine(timeout: timeout)
        while let size = IMAPLineClient.trailingLiteralSize(text) {
            text += "\r\n" + (try readBytes(size, timeout: timeout))
            text += try readLine(timeout: timeout)
        }
        return text
    }

    /// The n of a line ending in `{n}`, `{n+}`, `~{n}` (RFC 9051 literal, RFC 7888 LITERAL+,
    /// RFC 3516 literal8).
    public static func trailingLiteralSize(_ line: String) -> Int? {
        guard line.hasSuffix("}"), let open = line.lastIndex(of: "{") else { return nil }
        var digits = line[line.index(after: open)..<line.index(before: line.endIndex)]
        if digits.hasSuffix("+") || digits.hasSuffix("-") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    private func compact() {
        if start > 65536 && start > buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    private func fill(deadline: Date) throws {
        if isClosed { throw IMAPLineClientError(.closed, "connection closed") }
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw IMAPLineClientError(.timeout, "no reply within the timeout") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(left, 3600) * 1000) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw IMAPLineClientError(.io, "poll failed: errno \(errno)")
            }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw IMAPLineClientError(.io, "recv failed: errno \(errno)")
            }
            if n == 0 { throw IMAPLineClientError(.closed, "the server closed the connection") }
            buffer.append(contentsOf: chunk[0..<n])
            return
        }
    }

    /// Whether bytes are waiting (or arrive within `seconds`), without consuming them.
    public func hasInput(within seconds: Double = 0) -> Bool {
        if !pushedBack.isEmpty || buffer.count > start { return true }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, Int32(seconds * 1000)) > 0
    }
}

private func systemClose(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// send(2) without SIGPIPE when the server has gone away.
private func systemSend(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, pointer, count, 0)
    #endif
}
