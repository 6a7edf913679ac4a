// SMTPReply+Parse — reading a server's reply, for the client side (outbound delivery, tests).
//
// Standards: RFC 5321 §4.2 and §4.2.1 (reply lines; all lines of a reply carry one code;
// "-" after the code on every line but the last), RFC 2034 §3 and RFC 3463 §2 (an enhanced
// status code starts each line's text; its class is the reply code's first digit).
//
// Strict on structure — CRLF line ends, a valid code, the same code on every line, "-" on all
// lines but the last — and lenient on text: octets that are not UTF-8 are read as U+FFFD,
// since servers do send Latin-1 in reply text. An enhanced status code is recognized when the
// first line starts with one of the right class; it is then removed from each line that starts
// with it (RFC 2034 wants it on all lines, and a server that forgets one loses no text).

extension SMTPReply {
    // Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
    // Reply-code = %x32-35 %x30-35 %x30-39
    // textstring = 1*(%d09 / %d32-126)          ; any octets other than CR and LF are read
    /// Parses one complete reply: all its lines, each ending in CRLF.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SMTPReplySyntaxError) -> SMTPReply {
        let data = Array(bytes)
        guard data.count >= 2, data[data.count - 2] == 0x0D, data[data.count - 1] == 0x0A else {
            throw SMTPReplySyntaxError("the reply does not end in CRLF")
        }
        var code: Int?
        var texts: [ArraySlice<UInt8>] = []
        var start = 0
        var sawLastLine = false
        while start < data.count {
            guard let end = crlf(in: data, from: start) else {
                throw SMTPReplySyntaxError("a bare CR or LF in line \(texts.count + 1)")
            }
            let line = data[start..<end]
            start = end + 2
            let number = texts.count + 1
            guard !sawLastLine else { throw SMTPReplySyntaxError("line \(number) follows the last line") }
            guard line.count >= 3, let lineCode = replyCode(line.prefix(3)) else {
                throw SMTPReplySyntaxError("line \(number) does not start with a reply code")
            }
            if let code, code != lineCode {
                throw SMTPReplySyntaxError("line \(number) has code \(lineCode), line 1 had \(code)")
            }
            code = lineCode
            let separator = line.dropFirst(3).first
            switch separator {
            case nil, UInt8(ascii: " "): sawLastLine = true
            case UInt8(ascii: "-"): break
            default: throw SMTPReplySyntaxError("line \(number) has no space or '-' after its code")
            }
            texts.append(line.dropFirst(4))
        }
        guard let code, sawLastLine else { throw SMTPReplySyntaxError("the last line has '-' after its code") }

        var lines = texts.map { String(decoding: $0, as: UTF8.self) }
        var enhanced: EnhancedStatusCode?
        if let token = lines[0].split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).first,
           let candidate = EnhancedStatusCode(token), candidate.statusClass.rawValue == code / 100 {
            enhanced = candidate
            let prefix = String(token)
            lines = lines.map { line in
                if line == prefix { return "" }
                if line.hasPrefix(prefix + " ") { return String(line.dropFirst(prefix.count + 1)) }
                return line
            }
        }
        return SMTPReply(code: code, enhanced, lines: lines)
    }

    /// The index of the CRLF ending the line that starts at `start`; nil if a bare CR or LF
    /// comes first.
    private static func crlf(in data: [UInt8], from start: Int) -> Int? {
        var index = start
        while index < data.count {
            switch data[index] {
            case 0x0D: return index + 1 < data.count && data[index + 1] == 0x0A ? index : nil
            case 0x0A: return nil
            default: index += 1
            }
        }
        return nil
    }

    private static func replyCode(_ digits: ArraySlice<UInt8>) -> Int? {
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return isValidCode(code) ? code : nil
    }
}
