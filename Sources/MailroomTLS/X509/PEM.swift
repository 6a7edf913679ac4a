// PEM — the textual encoding of certificates and keys: base64 between
// "-----BEGIN LABEL-----" and "-----END LABEL-----" lines.
//
// Standards: RFC 7468 §2 (general form; we write the strict form of §3: 64-character lines,
// no headers) and §5 (label CERTIFICATE), §10 (label PRIVATE KEY, PKCS #8).
//
// Security: the parser takes bytes already limited in size by the caller
// (TLSCredentials.maximumPEMFileSize); it only finds labels and decodes base64, so nothing
// depends on the (secret) contents of a key block except the base64 decoder.

import Foundation  // base64

enum PEM {
    /// RFC 7468 §3: lines of exactly 64 base64 characters, the last one shorter.
    static let lineLength = 64

    static func encode(label: String, der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString()
        var lines = ["-----BEGIN \(label)-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: lineLength, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    struct Block: Equatable {
        var label: String
        var der: [UInt8]
    }

    /// Every BEGIN/END block in the text, in order. Text outside blocks (OpenSSL's
    /// "Bag Attributes" and "subject=" lines) is ignored, as RFC 7468 §2 allows. A block whose
    /// END label differs from its BEGIN label, or whose base64 does not decode, is an error.
    static func blocks(in text: String) throws(DERError) -> [Block] {
        var result: [Block] = []
        var current: (label: String, base64: String)?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let label = Self.label(of: line, marker: "BEGIN") {
                guard current == nil else { throw DERError("BEGIN \(label) inside the \(current!.label) block") }
                current = (label, "")
            } else if let label = Self.label(of: line, marker: "END") {
                guard let open = current else { throw DERError("END \(label) without BEGIN") }
                guard open.label == label else { throw DERError("BEGIN \(open.label) ends with END \(label)") }
                guard let data = Data(base64Encoded: open.base64), !data.isEmpty else {
                    throw DERError("the \(label) block is not valid base64")
                }
                result.append(Block(label: label, der: Array(data)))
                current = nil
            } else if current != nil {
                // RFC 1421 style headers ("Proc-Type: 4,ENCRYPTED") mark legacy encrypted keys.
                if line.contains(":") { throw DERError("the \(current!.label) block has headers (an encrypted key?)") }
                current!.base64 += line
            }
        }
        if let open = current { throw DERError("BEGIN \(open.label) has no END line") }
        return result
    }

    private static func label(of line: String, marker: String) -> String? {
        let prefix = "-----\(marker) ", suffix = "-----"
        guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count >= prefix.count + suffix.count else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
