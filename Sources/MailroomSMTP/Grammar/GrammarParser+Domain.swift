// GrammarParser+Domain — domains and address literals, in mailboxes, source routes and EHLO.
//
// Standards: RFC 5321 §4.1.2 (Domain, sub-domain, Ldh-str), §4.1.3 (address literals),
// §2.3.5 (no trailing dot: "user@example.net." is refused), §4.5.3.1.2 (255 octets);
// RFC 6531 §3.3 (sub-domain =/ U-label); RFC 5890 §2.3.2.1 and RFC 5891 §5.3–5.4 (a U-label
// on the wire is already in its IDNA2008 form: NFC, lower case, no width mapping).
//
// Syntax is checked here; IDNA2008 validity and normalization are MailroomCore.DomainName's.
// DomainName would map "ＥＸＡＭＰＬＥ。com" to "example.com" (RFC 5895 mappings are for
// user input); on the wire such a name is refused, so one domain has one accepted spelling
// besides ASCII case and the A-label/U-label pair.

import MailroomCore

extension GrammarParser {
    /// RFC 5321 §4.5.3.1.2: "The maximum total length of a domain name or number is 255 octets."
    static let maximumDomainLength = 255

    /// Why a domain or an address literal was refused; the caller wraps it in its error kind.
    struct DomainProblem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    // Domain     = sub-domain *("." sub-domain)
    // sub-domain = Let-dig [Ldh-str]          ; =/ U-label (RFC 6531 §3.3)
    // Let-dig    = ALPHA / DIGIT
    // Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
    /// Checks the syntax and returns the labels. A label with a non-ASCII octet is a U-label
    /// candidate: its ASCII octets must be LDH, and DomainName decides the rest.
    static func parseDomainSyntax(_ bytes: ArraySlice<UInt8>) throws(DomainProblem) -> [ArraySlice<UInt8>] {
        guard !bytes.isEmpty else { throw DomainProblem("The domain is empty") }
        guard bytes.count <= maximumDomainLength else {
            throw DomainProblem("The domain is longer than \(maximumDomainLength) octets")
        }
        let labels = bytes.split(separator: dot, omittingEmptySubsequences: false)
        for label in labels {
            guard let first = label.first, let last = label.last else {
                throw DomainProblem(bytes.last == dot ? "The domain ends with '.'" : "The domain has an empty label")
            }
            if label.contains(where: { $0 >= 0x80 }) {
                if let bad = label.first(where: { $0 < 0x80 && !isLDH($0) }) {
                    throw DomainProblem("The domain contains \(describe(bad))")
                }
            } else {
                if let bad = label.first(where: { !isLDH($0) }) {
                    throw DomainProblem("The domain contains \(describe(bad))")
                }
                guard isLetDig(first), isLetDig(last) else {
                    throw DomainProblem("A domain label starts or ends with '-'")
                }
            }
        }
        return labels
    }

    /// A domain of a mailbox: RFC 5321 syntax, then DomainName's checks (at least two labels,
    /// IDNA2008, not all-numeric at the top). Returns whether it was written with U-labels.
    static func parseDomainName(_ bytes: ArraySlice<UInt8>) throws(DomainProblem) -> (DomainName, unicode: Bool) {
        let labels = try parseDomainSyntax(bytes)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DomainProblem("The domain is not valid UTF-8")
        }
        let name: DomainName
        do {
            name = try DomainName(text)
        } catch {
            throw DomainProblem(error.message)
        }
        let unicode = bytes.contains(where: { $0 >= 0x80 })
        if unicode {
            // Each U-label as sent must be the label DomainName stored (ASCII case aside).
            let stored = Array(name.unicode.utf8).split(separator: dot, omittingEmptySubsequences: false)
            guard stored.count == labels.count else {
                throw DomainProblem("The domain contains a full stop other than '.'")
            }
            for (sent, kept) in zip(labels, stored) where sent.contains(where: { $0 >= 0x80 }) {
                guard sent.map(lower).elementsEqual(kept) else {
                    throw DomainProblem("A U-label is not in IDNA2008 form (lower case, NFC, no full-width characters)")
                }
            }
        }
        return (name, unicode)
    }

    // ehlo argument = Domain / address-literal
    static func parseHelloDomain(_ bytes: ArraySlice<UInt8>) throws(DomainProblem) -> HelloDomain {
        if bytes.first == openBracket { return .addressLiteral(try parseAddressLiteral(bytes)) }
        let labels = try parseDomainSyntax(bytes)
        if bytes.allSatisfy({ $0 < 0x80 }), labels.count == 1 || labels.last!.allSatisfy(isDigit) {
            return .unqualified(String(decoding: bytes, as: UTF8.self))
        }
        return .domain(try parseDomainName(bytes).0)
    }

    // address-literal         = "[" ( IPv4-address-literal / IPv6-address-literal /
    //                                 General-address-literal ) "]"
    // IPv4-address-literal    = Snum 3("."  Snum)
    // IPv6-address-literal    = "IPv6:" IPv6-addr
    // General-address-literal = Standardized-tag ":" 1*dcontent      ; refused, see AddressLiteral
    // Snum                    = 1*3DIGIT       ; a decimal value from 0 through 255
    static func parseAddressLiteral(_ bytes: ArraySlice<UInt8>) throws(DomainProblem) -> AddressLiteral {
        guard bytes.count >= 2, bytes.first == openBracket, bytes.last == closeBracket else {
            throw DomainProblem("Unbalanced '[' in the address literal")
        }
        let content = bytes.dropFirst().dropLast()
        guard !content.contains(openBracket), !content.contains(closeBracket), content.allSatisfy({ $0 < 0x80 }) else {
            throw DomainProblem("Bad address literal")
        }
        if content.count > 5, upperASCII(content.prefix(5)) == "IPV6:" {
            guard let address = IPAddress(String(decoding: content.dropFirst(5), as: UTF8.self)), !address.isIPv4 else {
                throw DomainProblem("Bad IPv6 address literal")
            }
            return AddressLiteral(address)
        }
        if content.contains(colon) {
            throw DomainProblem("Only IPv4 and IPv6 address literals are supported")
        }
        let parts = content.split(separator: dot, omittingEmptySubsequences: false)
        var octets: [UInt8] = []
        for part in parts {
            guard parts.count == 4, (1...3).contains(part.count), part.allSatisfy(isDigit),
                  let value = decimal(part), value <= 255 else {
                throw DomainProblem("Bad IPv4 address literal")
            }
            octets.append(UInt8(value))
        }
        guard let address = IPAddress(bytes: octets) else { throw DomainProblem("Bad IPv4 address literal") }
        return AddressLiteral(address)
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
