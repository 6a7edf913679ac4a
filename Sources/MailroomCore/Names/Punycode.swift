// Punycode — the Bootstring encoding of Unicode labels into LDH ASCII used by IDNA A-labels.
//
// Standards: RFC 3492 (Punycode): parameters §5, bias adaptation §6.1, decoding §6.2,
// encoding §6.3, overflow handling §6.4. Mixed-case annotations (§A) are not produced;
// upper-case digits are accepted on input as §5 requires.
//
// This works on one label and knows nothing of "xn--" or of IDNA validity: DomainName does that.
//
// Security: all arithmetic is checked against maxint = 2^31 - 1 as in §6.4, so hostile input
// gives nil instead of trapping or wrapping; decoded values that are surrogates, beyond
// U+10FFFF or basic code points (§6.2) are refused. Encoding costs O(length × distinct
// non-ASCII code points): callers bound the length first (DomainName refuses labels longer
// than 63 scalars before encoding).

/// RFC 3492 Punycode for a single label (without the "xn--" ACE prefix).
public enum Punycode {
    // RFC 3492 §5: parameter values for Punycode.
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 0x80
    private static let delimiter: UInt8 = 0x2D  // "-"
    /// RFC 3492 §6.4: the largest integer the algorithm may hold. 2^31 - 1 like the RFC's
    /// sample code, so overflow results agree with other implementations.
    private static let maxInt = 0x7FFF_FFFF

    /// Encodes a Unicode label. Returns nil on overflow (§6.4), which needs absurdly long input.
    /// An all-ASCII label encodes as itself followed by "-" ("abc" → "abc-"), as §6.3 specifies.
    public static func encode(_ unicode: String) -> String? {
        let input = unicode.unicodeScalars.map { Int($0.value) }
        // §6.3: copy the basic code points, in order, then the delimiter if there were any.
        var output: [UInt8] = input.filter { $0 < initialN }.map { UInt8($0) }
        let basicCount = output.count
        if basicCount > 0 { output.append(delimiter) }

        var n = initialN
        var delta = 0
        var bias = initialBias
        var handled = basicCount
        // The §6.3 loop picks "the minimum code point >= n" each round; the distinct non-basic
        // code points in ascending order are exactly that sequence.
        for m in Set(input.filter { $0 >= initialN }).sorted() {
            // delta += (m - n) * (h + 1), failing on overflow.
            guard m - n <= (maxInt - delta) / (handled + 1) else { return nil }
            delta += (m - n) * (handled + 1)
            n = m
            for c in input {
                if c < n {
                    delta += 1
                    guard delta <= maxInt else { return nil }
                } else if c == n {
                    // Emit delta as a generalized variable-length integer (§3.3).
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, firstTime: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a Punycode label. Returns nil if it is not valid Punycode: non-ASCII input, a
    /// character that is not a base-36 digit after the last delimiter, a truncated number,
    /// overflow, or a decoded value that is not a non-basic Unicode scalar.
    public static func decode(_ ascii: String) -> String? {
        let input = Array(ascii.utf8)
        guard input.allSatisfy({ $0 < 0x80 }) else { return nil }

        // §6.2: everything before the last delimiter is basic code points, copied as is.
        var output: [Int] = []
        var position = 0
        if let last = input.lastIndex(of: delimiter) {
            output = input[..<last].map { Int($0) }
            position = last + 1
        }

        var n = initialN
        var i = 0
        var bias = initialBias
        while position < input.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < input.count, let d = digitValue(input[position]) else { return nil }
                position += 1
                guard d <= (maxInt - i) / w else { return nil }
                i += d * w
                let t = threshold(k, bias)
                if d < t { break }
                guard w <= maxInt / (base - t) else { return nil }
                w *= base - t
                k += base
            }
            let length = output.count + 1
            bias = adapt(i - oldI, length, firstTime: oldI == 0)
            guard i / length <= maxInt - n else { return nil }
            n += i / length
            i %= length
            // §6.2: a basic code point here means the input was not produced by an encoder.
            guard n >= initialN, Unicode.Scalar(UInt32(n)) != nil else { return nil }
            output.insert(n, at: i)
            i += 1
        }

        var result = String.UnicodeScalarView()
        for value in output {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            result.append(scalar)
        }
        return String(result)
    }

    // MARK: - RFC 3492 helpers

    /// §6.1 bias adaptation.
    private static func adapt(_ delta: Int, _ numPoints: Int, firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// §6.2/§6.3: t = k - bias clamped to [tmin, tmax].
    private static func threshold(_ k: Int, _ bias: Int) -> Int {
        if k <= bias { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    /// §5: digit values 0–25 are "a"–"z", 26–35 are "0"–"9" (lower case on output).
    private static func digit(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(0x61 + value) : UInt8(0x30 + value - 26)
    }

    /// §5: "A"–"Z" and "a"–"z" are 0–25, "0"–"9" are 26–35.
    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x41...0x5A: return Int(byte - 0x41)
        case 0x61...0x7A: return Int(byte - 0x61)
        case 0x30...0x39: return Int(byte - 0x30) + 26
        default: return nil
        }
    }
}
