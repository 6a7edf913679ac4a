// TOMLParserTests.swift — tests for Sources/MailroomCore/TOML (TOML 1.0.0, https://toml.io/en/v1.0.0).
//
// Fixtures per spec section (§Comment, §Keys, §String, §Integer, §Float, §Boolean, the
// date-time sections, §Array, §Table, §Inline Table, §Array of Tables), line numbers from
// `line(of:)`, `flattened()` paths, encode ↔ parse round trips of `tomlLiteral`, and named
// failure cases that pin line, column and message, plus hostile input (deep nesting, long
// lines).

@testable import MailroomCore
import Testing

// MARK: - Helpers

/// The value at a path of table keys, or nil.
private func tomlLookup(_ table: TOMLTable, _ path: String...) -> TOMLValue? {
    var value: TOMLValue = .table(table)
    for key in path {
        guard case .table(let t) = value, let next = t[key] else { return nil }
        value = next
    }
    return value
}

/// The sub-table at a path, or an empty table.
private func tomlSubtable(_ table: TOMLTable, _ path: String...) -> TOMLTable {
    var current = table
    for key in path {
        guard case .table(let t)? = current[key] else { return TOMLTable() }
        current = t
    }
    return current
}

/// The tables of an array of tables.
private func tomlTables(_ value: TOMLValue?) -> [TOMLTable] {
    guard case .array(let items)? = value else { return [] }
    return items.compactMap { item in
        if case .table(let t) = item { return t }
        return nil
    }
}

private func tomlParseError(_ text: String) -> TOMLError? {
    do {
        _ = try TOMLParser.parse(text)
        return nil
    } catch {
        return error
    }
}

/// Expects `text` to fail at `line`:`column` with a message containing `message`.
private func expectTOMLFailure(
    _ text: String, line: Int, column: Int, _ message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = tomlParseError(text) else {
        Issue.record("expected a TOMLError, but the document parsed", sourceLocation: sourceLocation)
        return
    }
    #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
    #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
    #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
}

private func tomlTable(_ pairs: [(String, TOMLValue)]) -> TOMLTable {
    var t = TOMLTable()
    for (key, value) in pairs { t[key] = value }
    return t
}

// MARK: - Valid documents

@Suite("TOML valid documents")
struct TOMLValidDocumentTests {
    @Test func emptyDocument() throws {
        #expect(try TOMLParser.parse("").keys.isEmpty)
        #expect(try TOMLParser.parse("\n\n# only a comment\n   \t\n").keys.isEmpty)
    }

    @Test func commentsBlankLinesAndCRLF() throws {
        let doc = "# full-line comment\r\n\r\nkey = \"value\" # trailing\r\n  other = 1\t# tab before\r\n# 注释 in Chinese\r\n# last, no newline"
        let t = try TOMLParser.parse(doc)
        #expect(t.keys == ["key", "other"])
        #expect(t["key"] == .string("value"))
        #expect(t["other"] == .integer(1))
        #expect(t.line(of: "other") == 4)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let t = try TOMLParser.parse("\u{FEFF}a = 1")
        #expect(t["a"] == .integer(1))
    }

    @Test func keys() throws {
        let doc = #"""
        key = "value"
        bare_key = "value"
        bare-key = "value"
        1234 = "value"
        "127.0.0.1" = "value"
        "character encoding" = "value"
        "ʎǝʞ" = "value"
        'key2' = "value"
        'quoted "value"' = "value"
        "" = "blank"
        "名字" = "张三"
        'ключ' = "literal key"
        physical.color = "orange"
        physical.shape = "round"
        site."google.com" = true
        fruit . flavor = "banana"
        3.14159 = "pi"
        "a\u0041" = "escaped key"
        """#
        let t = try TOMLParser.parse(doc)
        #expect(Array(t.keys.prefix(5)) == ["key", "bare_key", "bare-key", "1234", "127.0.0.1"])
        #expect(t["1234"] == .string("value"))
        #expect(t["127.0.0.1"] == .string("value"))
        #expect(t["character encoding"] == .string("value"))
        #expect(t["ʎǝʞ"] == .string("value"))
        #expect(t["key2"] == .string("value"))
        #expect(t["quoted \"value\""] == .string("value"))
        #expect(t[""] == .string("blank"))
        #expect(t["名字"] == .string("张三"))
        #expect(t["ключ"] == .string("literal key"))
        #expect(tomlLookup(t, "physical", "color") == .string("orange"))
        #expect(tomlLookup(t, "physical", "shape") == .string("round"))
        #expect(tomlLookup(t, "site", "google.com") == .boolean(true))
        #expect(tomlLookup(t, "fruit", "flavor") == .string("banana"))
        #expect(tomlLookup(t, "3", "14159") == .string("pi"))
        #expect(t["aA"] == .string("escaped key"))
    }

    @Test func basicStrings() throws {
        let doc = #"""
        str = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF."
        escapes = "\b\t\n\f\r\"\\"
        unicode = "\u4E2D\u6587 \U0001F600"
        chinese = "你好，世界"
        tab = "a	b"
        empty = ""
        hash = "# not a comment"
        """#
        let t = try TOMLParser.parse(doc)
        #expect(t["str"] == .string("I'm a string. \"You can quote me\". Name\tJosé\nLocation\tSF."))
        #expect(t["escapes"] == .string("\u{8}\t\n\u{C}\r\"\\"))
        #expect(t["unicode"] == .string("中文 😀"))
        #expect(t["chinese"] == .string("你好，世界"))
        #expect(t["tab"] == .string("a\tb"))
        #expect(t["empty"] == .string(""))
        #expect(t["hash"] == .string("# not a comment"))
    }

    @Test func literalStrings() throws {
        let doc = #"""
        winpath  = 'C:\Users\nodejs\templates'
        winpath2 = '\\ServerX\admin$\system32\'
        quoted   = 'Tom "Dubs" Preston-Werner'
        regex    = '<\i\c*\s*>'
        chinese  = '路径\目录'
        empty    = ''
        """#
        let t = try TOMLParser.parse(doc)
        #expect(t["winpath"] == .string(#"C:\Users\nodejs\templates"#))
        #expect(t["winpath2"] == .string(#"\\ServerX\admin$\system32\"#))
        #expect(t["quoted"] == .string(#"Tom "Dubs" Preston-Werner"#))
        #expect(t["regex"] == .string(#"<\i\c*\s*>"#))
        #expect(t["chinese"] == .string(#"路径\目录"#))
        #expect(t["empty"] == .string(""))
    }

    @Test func multilineBasicStrings() throws {
        let doc = #"""
        str1 = """
        Roses are red
        Violets are blue"""
        str2 = """
        The quick brown \


          fox jumps over \
            the lazy dog."""
        str3 = """\
               The quick brown \
               fox jumps over \
               the lazy dog.\
               """
        str4 = """Here are two quotation marks: "". Simple enough."""
        str5 = """Here are three quotation marks: ""\"."""
        str6 = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
        str7 = """"This," she said, "is just a pointless statement.""""
        str8 = """中文\t"引号"\u0021"""
        """#
        let t = try TOMLParser.parse(doc)
        #expect(t["str1"] == .string("Roses are red\nViolets are blue"))
        #expect(t["str2"] == .string("The quick brown fox jumps over the lazy dog."))
        #expect(t["str3"] == .string("The quick brown fox jumps over the lazy dog."))
        #expect(t["str4"] == .string(#"Here are two quotation marks: "". Simple enough."#))
        #expect(t["str5"] == .string(#"Here are three quotation marks: """."#))
        #expect(t["str6"] == .string("Here are fifteen quotation marks: " + String(repeating: "\"", count: 15) + "."))
        #expect(t["str7"] == .string(#""This," she said, "is just a pointless statement.""#))
        #expect(t["str8"] == .string("中文\t\"引号\"!"))
    }

    @Test func multilineStringLineEndingBackslashWithTrailingSpaceAndCRLF() throws {
        let t = try TOMLParser.parse("a = \"\"\"one \\   \r\n   two\"\"\"\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\nc = '''\r\np\r\nq'''")
        #expect(t["a"] == .string("one two"))
        #expect(t["b"] == .string("x\ny"))
        #expect(t["c"] == .string("p\nq"))
    }

    @Test func multilineLiteralStrings() throws {
        let doc = #"""
        regex2 = '''I [dw]on't need \d{2} apples'''
        lines  = '''
        The first newline is
        trimmed in raw strings.
           All other whitespace
           is preserved.
        '''
        quot15 = '''Here are fifteen quotation marks: """""""""""""""'''
        apos15 = "Here are fifteen apostrophes: '''''''''''''''"
        str = ''''That,' she said, 'is still pointless.''''
        """#
        let t = try TOMLParser.parse(doc)
        #expect(t["regex2"] == .string(#"I [dw]on't need \d{2} apples"#))
        #expect(t["lines"] == .string("The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"))
        #expect(t["quot15"] == .string("Here are fifteen quotation marks: " + String(repeating: "\"", count: 15)))
        #expect(t["apos15"] == .string("Here are fifteen apostrophes: " + String(repeating: "'", count: 15)))
        #expect(t["str"] == .string("'That,' she said, 'is still pointless.'"))
    }

    @Test func integers() throws {
        let doc = """
        int1 = +99
        int2 = 42
        int3 = 0
        int4 = -17
        int5 = 1_000
        int6 = 5_349_221
        int7 = 53_49_221
        int8 = 1_2_3_4_5
        zero_plus = +0
        zero_minus = -0
        hex1 = 0xDEADBEEF
        hex2 = 0xdeadbeef
        hex3 = 0xdead_beef
        oct1 = 0o01234567
        oct2 = 0o755
        bin1 = 0b11010110
        max = 9223372036854775807
        min = -9223372036854775808
        hexmax = 0x7FFFFFFFFFFFFFFF
        """
        let t = try TOMLParser.parse(doc)
        #expect(t["int1"] == .integer(99))
        #expect(t["int2"] == .integer(42))
        #expect(t["int3"] == .integer(0))
        #expect(t["int4"] == .integer(-17))
        #expect(t["int5"] == .integer(1000))
        #expect(t["int6"] == .integer(5_349_221))
        #expect(t["int7"] == .integer(5_349_221))
        #expect(t["int8"] == .integer(12345))
        #expect(t["zero_plus"] == .integer(0))
        #expect(t["zero_minus"] == .integer(0))
        #expect(t["hex1"] == .integer(0xDEADBEEF))
        #expect(t["hex2"] == .integer(0xDEADBEEF))
        #expect(t["hex3"] == .integer(0xDEADBEEF))
        #expect(t["oct1"] == .integer(0o01234567))
        #expect(t["oct2"] == .integer(0o755))
        #expect(t["bin1"] == .integer(0b11010110))
        #expect(t["max"] == .integer(Int64.max))
        #expect(t["min"] == .integer(Int64.min))
        #expect(t["hexmax"] == .integer(Int64.max))
    }

    @Test func floats() throws {
        let doc = """
        flt1 = +1.0
        flt2 = 3.1415
        flt3 = -0.01
        flt4 = 5e+22
        flt5 = 1e06
        flt6 = -2E-2
        flt7 = 6.626e-34
        flt8 = 224_617.445_991_228
        flt9 = 0e0
        flt10 = -0.0
        flt11 = 1.5E3
        sf1 = inf
        sf2 = +inf
        sf3 = -inf
        sf4 = nan
        sf5 = +nan
        sf6 = -nan
        """
        let t = try TOMLParser.parse(doc)
        #expect(t["flt1"] == .float(1.0))
        #expect(t["flt2"] == .float(3.1415))
        #expect(t["flt3"] == .float(-0.01))
        #expect(t["flt4"] == .float(5e22))
        #expect(t["flt5"] == .float(1e6))
        #expect(t["flt6"] == .float(-0.02))
        #expect(t["flt7"] == .float(6.626e-34))
        #expect(t["flt8"] == .float(224617.445991228))
        #expect(t["flt9"] == .float(0))
        guard case .float(let negativeZero)? = t["flt10"] else {
            Issue.record("flt10 is not a float")
            return
        }
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        #expect(t["flt11"] == .float(1500))
        #expect(t["sf1"] == .float(.infinity))
        #expect(t["sf2"] == .float(.infinity))
        #expect(t["sf3"] == .float(-.infinity))
        for key in ["sf4", "sf5", "sf6"] {
            guard case .float(let d)? = t[key] else {
                Issue.record("\(key) is not a float")
                continue
            }
            #expect(d.isNaN)
        }
    }

    @Test func booleans() throws {
        let t = try TOMLParser.parse("yes = true\nno = false\narr = [true,false]")
        #expect(t["yes"] == .boolean(true))
        #expect(t["no"] == .boolean(false))
        #expect(t["arr"] == .array([.boolean(true), .boolean(false)]))
    }

    @Test func dateTimes() throws {
        let doc = """
        odt1 = 1979-05-27T07:32:00Z
        odt2 = 1979-05-27T00:32:00-07:00
        odt3 = 1979-05-27T00:32:00.999999-07:00
        odt4 = 1979-05-27 07:32:00Z
        odt5 = 1979-05-27t07:32:00z
        ldt1 = 1979-05-27T07:32:00
        ldt2 = 1979-05-27T00:32:00.999999
        ld1 = 1979-05-27
        lt1 = 07:32:00
        lt2 = 00:32:00.999999
        leapday = 2000-02-29
        leapsecond = 2016-12-31T23:59:60Z
        dates = [1979-05-27, 1979-05-27 07:32:00]
        withcomment = 1979-05-27 # a date, then a comment
        """
        let t = try TOMLParser.parse(doc)
        #expect(t["odt1"] == .dateTime("1979-05-27T07:32:00Z"))
        #expect(t["odt2"] == .dateTime("1979-05-27T00:32:00-07:00"))
        #expect(t["odt3"] == .dateTime("1979-05-27T00:32:00.999999-07:00"))
        #expect(t["odt4"] == .dateTime("1979-05-27 07:32:00Z"))
        #expect(t["odt5"] == .dateTime("1979-05-27t07:32:00z"))
        #expect(t["ldt1"] == .dateTime("1979-05-27T07:32:00"))
        #expect(t["ldt2"] == .dateTime("1979-05-27T00:32:00.999999"))
        #expect(t["ld1"] == .dateTime("1979-05-27"))
        #expect(t["lt1"] == .dateTime("07:32:00"))
        #expect(t["lt2"] == .dateTime("00:32:00.999999"))
        #expect(t["leapday"] == .dateTime("2000-02-29"))
        #expect(t["leapsecond"] == .dateTime("2016-12-31T23:59:60Z"))
        #expect(t["dates"] == .array([.dateTime("1979-05-27"), .dateTime("1979-05-27 07:32:00")]))
        #expect(t["withcomment"] == .dateTime("1979-05-27"))
        #expect(t["ld1"]?.typeName == "date-time")
    }

    @Test func arrays() throws {
        let doc = #"""
        integers = [ 1, 2, 3 ]
        colors = [ "red", "yellow", "green" ]
        nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]
        nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]
        string_array = [ "all", 'strings', """are the same""", '''type''' ]
        numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
        contributors = [
          "Foo Bar <foo@example.com>",
          { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" }
        ]
        integers2 = [
          1, 2, 3 # a comment
          , 4
        ]
        integers3 = [
          1,
          2, # this is ok
        ]
        empty = []
        empty2 = [ # comment

        ]
        chinese = ["一", "二"]
        """#
        let t = try TOMLParser.parse(doc)
        #expect(t["integers"] == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(t["colors"] == .array([.string("red"), .string("yellow"), .string("green")]))
        #expect(t["nested_arrays_of_ints"] == .array([
            .array([.integer(1), .integer(2)]), .array([.integer(3), .integer(4), .integer(5)]),
        ]))
        #expect(t["nested_mixed_array"] == .array([
            .array([.integer(1), .integer(2)]), .array([.string("a"), .string("b"), .string("c")]),
        ]))
        #expect(t["string_array"] == .array([.string("all"), .string("strings"), .string("are the same"), .string("type")]))
        #expect(t["numbers"] == .array([.float(0.1), .float(0.2), .float(0.5), .integer(1), .integer(2), .integer(5)]))
        let contributor = tomlTable([
            ("name", .string("Baz Qux")), ("email", .string("bazqux@example.com")),
            ("url", .string("https://example.com/bazqux")),
        ])
        #expect(t["contributors"] == .array([.string("Foo Bar <foo@example.com>"), .table(contributor)]))
        #expect(t["integers2"] == .array([.integer(1), .integer(2), .integer(3), .integer(4)]))
        #expect(t["integers3"] == .array([.integer(1), .integer(2)]))
        #expect(t["empty"] == .array([]))
        #expect(t["empty2"] == .array([]))
        #expect(t["chinese"] == .array([.string("一"), .string("二")]))
    }

    @Test func inlineTables() throws {
        let doc = """
        name = { first = "Tom", last = "Preston-Werner" }
        point = { x = 1, y = 2 }
        animal = { type.name = "pug" }
        nested = { a = { b = { c = 1 } }, list = [1, 2] }
        empty = {}
        spaced = {   }
        multiline_value = { items = [
          1,
          2,
        ], text = \"\"\"
        two
        lines\"\"\" }
        chinese = { "名字" = "张三", city = "北京" }
        """
        let t = try TOMLParser.parse(doc)
        #expect(tomlLookup(t, "name", "first") == .string("Tom"))
        #expect(tomlLookup(t, "name", "last") == .string("Preston-Werner"))
        #expect(tomlSubtable(t, "name").keys == ["first", "last"])
        #expect(tomlLookup(t, "point", "y") == .integer(2))
        #expect(tomlLookup(t, "animal", "type", "name") == .string("pug"))
        #expect(tomlLookup(t, "nested", "a", "b", "c") == .integer(1))
        #expect(tomlLookup(t, "nested", "list") == .array([.integer(1), .integer(2)]))
        #expect(t["empty"] == .table(TOMLTable()))
        #expect(t["spaced"] == .table(TOMLTable()))
        #expect(tomlLookup(t, "multiline_value", "items") == .array([.integer(1), .integer(2)]))
        #expect(tomlLookup(t, "multiline_value", "text") == .string("two\nlines"))
        #expect(tomlLookup(t, "chinese", "名字") == .string("张三"))
        #expect(tomlLookup(t, "chinese", "city") == .string("北京"))
    }

    @Test func tableHeaders() throws {
        let doc = #"""
        [table-1]
        key1 = "some string"
        key2 = 123

        [table-2]
        key1 = "another string"
        key2 = 456

        [dog."tater.man"]
        type.name = "pug"

        [a.b.c]            # this is best practice
        [ d.e.f ]          # same as [d.e.f]
        [ g .  h  . i ]    # same as [g.h.i]
        [ j . "ʞ" . 'l' ]  # same as [j."ʞ".'l']
        ["服务器"]
        "地址" = "127.0.0.1"
        """#
        let t = try TOMLParser.parse(doc)
        #expect(t.keys == ["table-1", "table-2", "dog", "a", "d", "g", "j", "服务器"])
        #expect(tomlLookup(t, "table-1", "key2") == .integer(123))
        #expect(tomlLookup(t, "table-2", "key1") == .string("another string"))
        #expect(tomlLookup(t, "dog", "tater.man", "type", "name") == .string("pug"))
        #expect(tomlLookup(t, "a", "b", "c") == .table(TOMLTable()))
        #expect(tomlLookup(t, "d", "e", "f") == .table(TOMLTable()))
        #expect(tomlLookup(t, "g", "h", "i") == .table(TOMLTable()))
        #expect(tomlLookup(t, "j", "ʞ", "l") == .table(TOMLTable()))
        #expect(tomlLookup(t, "服务器", "地址") == .string("127.0.0.1"))
    }

    @Test func superTablesDottedKeysAndOrderRules() throws {
        // §Table: super-tables may be defined after their sub-tables.
        let t1 = try TOMLParser.parse("[x.y.z.w]\n[x]\na = 1")
        #expect(tomlLookup(t1, "x", "a") == .integer(1))
        #expect(tomlLookup(t1, "x", "y", "z", "w") == .table(TOMLTable()))

        let t2 = try TOMLParser.parse("[a.b.c]\nanswer = 42\n\n[a]\nbetter = 43")
        #expect(tomlLookup(t2, "a", "b", "c", "answer") == .integer(42))
        #expect(tomlLookup(t2, "a", "better") == .integer(43))

        // §Table: [table] can define sub-tables of tables defined by dotted keys.
        let t3 = try TOMLParser.parse("""
        [fruit]
        apple.color = "red"
        apple.taste.sweet = true
        [fruit.apple.texture]
        smooth = true
        """)
        #expect(tomlLookup(t3, "fruit", "apple", "color") == .string("red"))
        #expect(tomlLookup(t3, "fruit", "apple", "taste", "sweet") == .boolean(true))
        #expect(tomlLookup(t3, "fruit", "apple", "texture", "smooth") == .boolean(true))

        // §Table: out-of-order tables are valid (discouraged).
        let t4 = try TOMLParser.parse("[fruit.apple]\n[animal]\n[fruit.orange]\nx = 1")
        #expect(t4.keys == ["fruit", "animal"])
        #expect(tomlLookup(t4, "fruit", "orange", "x") == .integer(1))

        // §Keys: dotted keys on the root, in any order within a table.
        let t5 = try TOMLParser.parse("apple.type = \"fruit\"\norange.type = \"fruit\"\napple.skin = \"thin\"")
        #expect(tomlSubtable(t5, "apple").keys == ["type", "skin"])

        // A table only implied by a header may get keys by dotted keys from its parent.
        let t6 = try TOMLParser.parse("[a.b.c]\nz = 1\n[a]\nb.d = 2")
        #expect(tomlLookup(t6, "a", "b", "d") == .integer(2))
        #expect(tomlLookup(t6, "a", "b", "c", "z") == .integer(1))

        // Array of tables under a table defined by dotted keys.
        let t7 = try TOMLParser.parse("[fruit]\napple.color = \"red\"\n[[fruit.apple.seeds]]\nsize = 2")
        #expect(tomlTables(tomlLookup(t7, "fruit", "apple", "seeds")).first?["size"] == .integer(2))
    }

    @Test func arraysOfTables() throws {
        let doc = """
        [[products]]
        name = "Hammer"
        sku = 738594937

        [[products]]  # empty table within the array

        [[products]]
        name = "Nail"
        sku = 284758393

        color = "gray"

        [[fruits]]
        name = "apple"

        [fruits.physical]  # subtable
        color = "red"
        shape = "round"

        [[fruits.varieties]]  # nested array of tables
        name = "red delicious"

        [[fruits.varieties]]
        name = "granny smith"

        [[fruits]]
        name = "banana"

        [[fruits.varieties]]
        name = "plantain"

        [[a.b]]
        x = 1
        [a]
        y = 2
        """
        let t = try TOMLParser.parse(doc)
        let products = tomlTables(t["products"])
        #expect(products.count == 3)
        #expect(products[0]["name"] == .string("Hammer"))
        #expect(products[0]["sku"] == .integer(738594937))
        #expect(products[1].keys.isEmpty)
        #expect(products[2]["color"] == .string("gray"))
        let fruits = tomlTables(t["fruits"])
        #expect(fruits.count == 2)
        #expect(tomlLookup(fruits[0], "physical", "shape") == .string("round"))
        #expect(tomlTables(fruits[0]["varieties"]).map { $0["name"] } == [.string("red delicious"), .string("granny smith")])
        #expect(tomlTables(fruits[1]["varieties"]).map { $0["name"] } == [.string("plantain")])
        #expect(tomlTables(tomlLookup(t, "a", "b")).first?["x"] == .integer(1))
        #expect(tomlLookup(t, "a", "y") == .integer(2))
        #expect(t["products"]?.typeName == "array")
    }

    @Test func specExampleDocument() throws {
        let doc = """
        # This is a TOML document

        title = "TOML Example"

        [owner]
        name = "Tom Preston-Werner"
        dob = 1979-05-27T07:32:00-08:00

        [database]
        enabled = true
        ports = [ 8000, 8001, 8002 ]
        data = [ ["delta", "phi"], [3.14] ]
        temp_targets = { cpu = 79.5, case = 72.0 }

        [servers]

        [servers.alpha]
        ip = "10.0.0.1"
        role = "frontend"

        [servers.beta]
        ip = "10.0.0.2"
        role = "backend"
        """
        let t = try TOMLParser.parse(doc)
        #expect(t.keys == ["title", "owner", "database", "servers"])
        #expect(tomlLookup(t, "owner", "dob") == .dateTime("1979-05-27T07:32:00-08:00"))
        #expect(tomlLookup(t, "database", "data") == .array([.array([.string("delta"), .string("phi")]), .array([.float(3.14)])]))
        #expect(tomlLookup(t, "database", "temp_targets", "case") == .float(72))
        #expect(tomlSubtable(t, "servers").keys == ["alpha", "beta"])
        #expect(tomlLookup(t, "servers", "beta", "role") == .string("backend"))
    }
}

// MARK: - Line numbers

@Suite("TOML line numbers")
struct TOMLLineNumberTests {
    static let document = """
    # config
    title = "x"

    [server]
    host = "a"
    port = 25
    tls.cert = "c"

    [[user]]
    name = "a"
    [[user]]
    name = "b"
    [a.b.c]
    x = 1
    [a]
    y = { p = 1, q = [
      1,
    ], r = 2 }
    z = \"\"\"
    multi
    \"\"\"
    w = 2
    """

    @Test func keysAndHeaders() throws {
        let t = try TOMLParser.parse(Self.document)
        #expect(t.line(of: "title") == 2)
        #expect(t.line(of: "server") == 4)
        #expect(tomlSubtable(t, "server").line(of: "host") == 5)
        #expect(tomlSubtable(t, "server").line(of: "port") == 6)
        #expect(tomlSubtable(t, "server").line(of: "tls") == 7)
        #expect(tomlSubtable(t, "server", "tls").line(of: "cert") == 7)
        #expect(t.line(of: "user") == 9)
        let users = tomlTables(t["user"])
        #expect(users.map { $0.line(of: "name") } == [10, 12])
        #expect(t.line(of: "missing") == nil)
    }

    @Test func impliedTablesTakeTheLineOfTheirOwnHeader() throws {
        let t = try TOMLParser.parse(Self.document)
        #expect(t.line(of: "a") == 15)  // implied on line 13, defined by [a] on line 15
        #expect(tomlSubtable(t, "a").line(of: "b") == 13)
        #expect(tomlSubtable(t, "a", "b").line(of: "c") == 13)
        #expect(tomlSubtable(t, "a", "b", "c").line(of: "x") == 14)
    }

    @Test func multiLineValuesDoNotShiftLaterLines() throws {
        let t = try TOMLParser.parse(Self.document)
        let a = tomlSubtable(t, "a")
        #expect(a.line(of: "y") == 16)
        #expect(tomlSubtable(t, "a", "y").line(of: "p") == 16)
        #expect(tomlSubtable(t, "a", "y").line(of: "r") == 18)
        #expect(a.line(of: "z") == 19)
        #expect(a.line(of: "w") == 22)
    }

    @Test func crlfLineEndingsCountOnce() throws {
        let t = try TOMLParser.parse("a = 1\r\n\r\n[t]\r\nb = '''\r\nx\r\n'''\r\nc = 2\r\n")
        #expect(t.line(of: "a") == 1)
        #expect(t.line(of: "t") == 3)
        #expect(tomlSubtable(t, "t").line(of: "b") == 4)
        #expect(tomlSubtable(t, "t").line(of: "c") == 7)
    }

    @Test func keysSetInCodeHaveNoLine() {
        var t = TOMLTable()
        t["k"] = .integer(1)
        #expect(t.line(of: "k") == nil)
        #expect(t.keys == ["k"])
        t["k"] = nil
        #expect(t.keys.isEmpty)
        #expect(t["k"] == nil)
    }
}

// MARK: - flattened()

@Suite("TOML flattened paths")
struct TOMLFlattenedTests {
    @Test func pathsQuotingAndDocumentOrder() throws {
        let doc = """
        title = "T"
        [server]
        "listen.addr" = "0.0.0.0"
        ports = [25, 587]
        tls = { cert = "c.pem", "key file" = "k.pem" }
        [[user]]
        name = "a"
        [empty]
        [server.limits]
        size = 10
        """
        let t = try TOMLParser.parse(doc)
        let leaves = t.flattened()
        #expect(leaves.map(\.path) == [
            "title",
            "server.\"listen.addr\"",
            "server.ports",
            "server.tls.cert",
            "server.tls.\"key file\"",
            "user",
            "server.limits.size",
        ])
        #expect(leaves.map(\.line) == [1, 3, 4, 5, 5, 6, 10])
        #expect(leaves[2].value == .array([.integer(25), .integer(587)]))
        #expect(leaves[5].value == .array([.table(tomlTable([("name", .string("a"))]))]))
        #expect(leaves[6].value == .integer(10))
    }

    @Test func reopenedTablesFollowTheFile() throws {
        let t = try TOMLParser.parse("[a.b]\nx = 1\n[c]\ny = 2\n[a]\nz = 3")
        #expect(t.flattened().map(\.path) == ["a.b.x", "c.y", "a.z"])
    }

    @Test func nonBareSegmentsAreQuoted() throws {
        let t = try TOMLParser.parse(#"""
        "名字" = 1
        "" = 2
        'a "q"' = 3
        bare-key_1 = 4
        x."y z".w = 5
        "tab\there" = 6
        """#)
        #expect(t.flattened().map(\.path) == [
            #""名字""#, #""""#, #""a \"q\"""#, "bare-key_1", #"x."y z".w"#, #""tab\there""#,
        ])
    }

    @Test func emptyDocumentAndEmptyTablesHaveNoLeaves() throws {
        #expect(try TOMLParser.parse("").flattened().isEmpty)
        #expect(try TOMLParser.parse("[a]\n[b.c]\nd = {}").flattened().isEmpty)
    }
}

// MARK: - Round trips and literals

@Suite("TOML literals and round trips")
struct TOMLRoundTripTests {
    static let values: [TOMLValue] = [
        .string("plain"),
        .string(""),
        .string(#"with "quotes" and \backslashes\ and a trailing \"#),
        .string("controls \u{0}\u{1}\u{8}\t\n\u{B}\u{C}\r\u{1B}\u{1F}\u{7F} end"),
        .string("中文 配置 「引号」 😀 é"),
        .string("'single' and ''' and \"\"\" inside"),
        .string("# not a comment = [x]"),
        .integer(0), .integer(42), .integer(-42), .integer(Int64.max), .integer(Int64.min),
        .float(0.1), .float(-0.0), .float(1.0), .float(1e300), .float(.leastNonzeroMagnitude), .float(1e16),
        .float(123456.789), .float(-2.5e-8), .float(.infinity), .float(-.infinity), .float(.nan),
        .boolean(true), .boolean(false),
        .dateTime("1979-05-27T07:32:00Z"), .dateTime("1979-05-27T00:32:00.999999-07:00"),
        .dateTime("1979-05-27 07:32:00"), .dateTime("1979-05-27"), .dateTime("07:32:00.5"),
        .array([]),
        .array([.integer(1), .string("a\"b"), .array([.float(1.5), .array([])]), .table(TOMLTable())]),
        .table(TOMLTable()),
        .table(tomlTable([
            ("bare", .integer(1)),
            ("needs quoting", .string("v")),
            ("名字", .string("张三")),
            ("", .boolean(true)),
            ("a.b", .array([.table(tomlTable([("x", .integer(1))]))])),
            ("nested", .table(tomlTable([("deeper", .table(tomlTable([("k", .string("\\\"")),])))]))),
        ])),
    ]

    @Test(arguments: values)
    func literalReparsesToTheSameValue(_ value: TOMLValue) throws {
        let reparsed = try TOMLParser.parse("v = " + value.tomlLiteral)
        #expect(reparsed["v"] == value, "literal: \(value.tomlLiteral)")
    }

    @Test func exactLiterals() {
        #expect(TOMLValue.string(#"a"b\c"#).tomlLiteral == #""a\"b\\c""#)
        #expect(TOMLValue.string("\u{0}\u{7F}\u{1B}\t\n\r\u{8}\u{C}").tomlLiteral == #""\u0000\u007F\u001B\t\n\r\b\f""#)
        #expect(TOMLValue.string("中文").tomlLiteral == "\"中文\"")
        #expect(TOMLValue.integer(-5).tomlLiteral == "-5")
        #expect(TOMLValue.float(1).tomlLiteral == "1.0")
        #expect(TOMLValue.float(0.5).tomlLiteral == "0.5")
        #expect(TOMLValue.float(.nan).tomlLiteral == "nan")
        #expect(TOMLValue.float(-.infinity).tomlLiteral == "-inf")
        #expect(TOMLValue.boolean(true).tomlLiteral == "true")
        #expect(TOMLValue.dateTime("1979-05-27").tomlLiteral == "1979-05-27")
        #expect(TOMLValue.array([.integer(1), .string("x")]).tomlLiteral == #"[1, "x"]"#)
        #expect(TOMLValue.array([]).tomlLiteral == "[]")
        #expect(TOMLValue.table(TOMLTable()).tomlLiteral == "{}")
        let t = tomlTable([("a", .integer(1)), ("b c", .array([.integer(1), .integer(2)])), ("名", .table(tomlTable([("x", .boolean(false))])))])
        #expect(TOMLValue.table(t).tomlLiteral == #"{ a = 1, "b c" = [1, 2], "名" = { x = false } }"#)
    }

    @Test func wholeDocumentRoundTripsAsAnInlineTable() throws {
        let doc = #"""
        title = "Mailroom \"test\" 配置"
        path = 'C:\mail\'
        [server]
        listen = ["0.0.0.0:25", "[::]:25"]
        limits = { size = 52_428_800, ratio = 0.75, until = 2030-01-01T00:00:00Z }
        [[domain]]
        name = "例子.中国"
        aliases = []
        [[domain]]
        name = "example.org"
        [domain.dkim]
        selector = "s1"
        """#
        let t = try TOMLParser.parse(doc)
        let literal = TOMLValue.table(t).tomlLiteral
        let reparsed = try TOMLParser.parse("root = " + literal)
        #expect(reparsed["root"] == .table(t), "literal: \(literal)")
        for leaf in t.flattened() {
            let again = try TOMLParser.parse("v = " + leaf.value.tomlLiteral)
            #expect(again["v"] == leaf.value, "\(leaf.path)")
        }
    }

    @Test func typeNames() {
        #expect(TOMLValue.string("").typeName == "string")
        #expect(TOMLValue.integer(0).typeName == "integer")
        #expect(TOMLValue.float(0).typeName == "float")
        #expect(TOMLValue.boolean(true).typeName == "boolean")
        #expect(TOMLValue.dateTime("07:32:00").typeName == "date-time")
        #expect(TOMLValue.array([]).typeName == "array")
        #expect(TOMLValue.table(TOMLTable()).typeName == "table")
    }

    @Test func equality() {
        #expect(TOMLValue.float(.nan) == .float(.nan))
        #expect(TOMLValue.float(1) != .integer(1))
        #expect(TOMLValue.string("1") != .integer(1))
        #expect(tomlTable([("a", .integer(1)), ("b", .integer(2))]) == tomlTable([("b", .integer(2)), ("a", .integer(1))]))
        #expect(tomlTable([("a", .integer(1))]) != tomlTable([("a", .integer(2))]))
        #expect(tomlTable([("a", .integer(1))]) != tomlTable([("a", .integer(1)), ("b", .integer(2))]))
    }

    @Test func errorDescription() {
        let e = TOMLError(line: 2, column: 3, message: "duplicate key 'port'")
        #expect(e.description == "line 2, column 3: duplicate key 'port'")
        #expect("\(e)" == "line 2, column 3: duplicate key 'port'")
    }
}

// MARK: - Failures

@Suite("TOML invalid documents")
struct TOMLInvalidDocumentTests {
    @Test func duplicateKey() {
        let e = tomlParseError("port = 25\nport = 587")
        #expect(e == TOMLError(line: 2, column: 1, message: "duplicate key 'port'"))
    }

    @Test func duplicateKeyInTableAndDotted() {
        expectTOMLFailure("[server]\nport = 25\nhost = \"x\"\n  port = 26", line: 4, column: 3, "duplicate key 'port'")
        expectTOMLFailure("a.b = 1\na.b = 2", line: 2, column: 1, "duplicate key 'a.b'")
        expectTOMLFailure("p = { x = 1, x = 2 }", line: 1, column: 14, "duplicate key 'x'")
        expectTOMLFailure("\"名字\" = 1\n'名字' = 2", line: 2, column: 1, "duplicate key '\"名字\"'")
        // A key may not replace a table defined by a header.
        expectTOMLFailure("[a.b]\nx = 1\n[a]\nb = 2", line: 4, column: 1, "duplicate key 'b'")
        // A table defined by dotted keys may not be replaced by an inline table.
        expectTOMLFailure("a.b = 0\na = {}", line: 2, column: 1, "duplicate key 'a'")
    }

    @Test func unterminatedString() {
        let e = tomlParseError("name = \"abc")
        #expect(e == TOMLError(line: 1, column: 8, message: "unterminated string"))
        expectTOMLFailure("a = 1\nname = \"abc\nnext = 1", line: 2, column: 8, "unterminated string")
        expectTOMLFailure("path = 'C:\\x\r\n", line: 1, column: 8, "unterminated string")
        expectTOMLFailure("a = 1\nbody = \"\"\"\nline\n", line: 2, column: 8, "unterminated multi-line string")
        expectTOMLFailure("body = '''\nline\n''", line: 1, column: 8, "unterminated multi-line string")
        expectTOMLFailure("k = \"x\\", line: 1, column: 5, "unterminated string")
    }

    @Test func badEscape() {
        expectTOMLFailure(#"a = "x\qy""#, line: 1, column: 7, #"invalid escape sequence '\q'"#)
        // \e and \xHH are TOML 1.1, not 1.0.
        expectTOMLFailure(#"a = "\e""#, line: 1, column: 6, #"invalid escape sequence '\e'"#)
        expectTOMLFailure(#"a = "\x41""#, line: 1, column: 6, #"invalid escape sequence '\x'"#)
        expectTOMLFailure(#"a = "\uD800""#, line: 1, column: 6, "not a Unicode scalar value")
        expectTOMLFailure(#"a = "\U00110000""#, line: 1, column: 6, "not a Unicode scalar value")
        expectTOMLFailure(#"a = "\u12""#, line: 1, column: 6, "4 hexadecimal digits")
        expectTOMLFailure(#"a = "\U1234567""#, line: 1, column: 6, "8 hexadecimal digits")
        expectTOMLFailure("a = \"x \\ y\"", line: 1, column: 8, "invalid escape sequence")
        expectTOMLFailure("a = \"x \\\ny\"", line: 1, column: 8, "only allowed in multi-line strings")
        expectTOMLFailure("a = \"\"\"x \\ y\"\"\"", line: 1, column: 10, "must end the line")
    }

    @Test func invalidIntegers() {
        expectTOMLFailure("n = 012", line: 1, column: 5, "invalid integer '012': leading zeros are not allowed")
        expectTOMLFailure("n = 1__0", line: 1, column: 6, "invalid integer '1__0': an underscore must be between two digits")
        expectTOMLFailure("n = 1_", line: 1, column: 6, "an underscore must be between two digits")
        expectTOMLFailure("n = +_1", line: 1, column: 6, "an underscore must be between two digits")
        expectTOMLFailure("n = _1", line: 1, column: 5, "invalid value '_1'")
        expectTOMLFailure("n = 0_0", line: 1, column: 5, "leading zeros")
        expectTOMLFailure("n = 0x", line: 1, column: 7, "expected a digit after '0x'")
        expectTOMLFailure("n = 0x_1", line: 1, column: 7, "an underscore must be between two digits")
        expectTOMLFailure("n = -0x1", line: 1, column: 5, "a sign is not allowed on hexadecimal integers")
        expectTOMLFailure("n = 0b102", line: 1, column: 9, "'2' is not a binary digit")
        expectTOMLFailure("n = 0o8", line: 1, column: 7, "expected a digit after '0o'")
        expectTOMLFailure("n = 0XFF", line: 1, column: 6, "must be lower case")
        expectTOMLFailure("n = 1x", line: 1, column: 6, "invalid integer '1x': unexpected 'x'")
        expectTOMLFailure("n = 9223372036854775808", line: 1, column: 5, "out of range")
        expectTOMLFailure("n = -9223372036854775809", line: 1, column: 5, "out of range")
        expectTOMLFailure("n = 0xFFFFFFFFFFFFFFFF", line: 1, column: 5, "out of range")
        expectTOMLFailure("n = 99999999999999999999999", line: 1, column: 5, "out of range")
    }

    @Test func invalidFloats() {
        expectTOMLFailure("f = 1.", line: 1, column: 7, "expected a digit after the decimal point")
        expectTOMLFailure("f = .5", line: 1, column: 5, "expected a value, found '.'")
        expectTOMLFailure("f = 1.e5", line: 1, column: 7, "expected a digit after the decimal point")
        expectTOMLFailure("f = 03.14", line: 1, column: 5, "invalid float '03.14': leading zeros are not allowed")
        expectTOMLFailure("f = 1e", line: 1, column: 7, "expected a digit in the exponent")
        expectTOMLFailure("f = 1_.0", line: 1, column: 6, "an underscore must be between two digits")
        expectTOMLFailure("f = 1.5.2", line: 1, column: 8, "unexpected '.'")
        expectTOMLFailure("f = 1e400", line: 1, column: 5, "out of range")
        expectTOMLFailure("f = Infinity", line: 1, column: 5, "invalid value 'Infinity'")
        expectTOMLFailure("f = NaN", line: 1, column: 5, "invalid value 'NaN'")
        expectTOMLFailure("f = infinity", line: 1, column: 5, "invalid value 'infinity'")
    }

    @Test func missingValue() {
        let e = tomlParseError("a =")
        #expect(e == TOMLError(line: 1, column: 4, message: "missing value after '='"))
        expectTOMLFailure("a = ", line: 1, column: 5, "missing value after '='")
        expectTOMLFailure("a = # comment", line: 1, column: 5, "missing value after '='")
        expectTOMLFailure("x = 1\na =\nb = 1", line: 2, column: 4, "missing value after '='")
        expectTOMLFailure("a = 1\r\nb = \r\n", line: 2, column: 5, "missing value after '='")
        expectTOMLFailure("t = { x = }", line: 1, column: 11, "missing value after '='")
        expectTOMLFailure("t = { x = , y = 1 }", line: 1, column: 11, "missing value after '='")
    }

    @Test func missingEqualsOrKey() {
        let e = tomlParseError("a 1")
        #expect(e == TOMLError(line: 1, column: 3, message: "expected '=' after key"))
        expectTOMLFailure("a", line: 1, column: 2, "expected '=' after key")
        expectTOMLFailure("[t]\nkey value", line: 2, column: 5, "expected '=' after key")
        expectTOMLFailure("first name = 1", line: 1, column: 7, "expected '=' after key")
        expectTOMLFailure("= 1", line: 1, column: 1, "missing key before '='")
        expectTOMLFailure("a..b = 1", line: 1, column: 3, "expected a key, found '.'")
        expectTOMLFailure("a. = 1", line: 1, column: 4, "missing key before '='")
        expectTOMLFailure("\"\"\"a\"\"\" = 1", line: 1, column: 1, "multi-line strings cannot be used as keys")
        expectTOMLFailure("名字 = 1", line: 1, column: 1, "'名' is not allowed in a bare key; put the key in quotes")
        expectTOMLFailure("key\u{0} = 1", line: 1, column: 4, "expected '=' after key")
        expectTOMLFailure("\u{0} = 1", line: 1, column: 1, "expected a key, found control character U+0000")
    }

    @Test func redefinedTable() {
        let e = tomlParseError("[a]\nx = 1\n[a]\ny = 2")
        #expect(e == TOMLError(line: 3, column: 2, message: "table 'a' is already defined on line 1"))
        expectTOMLFailure("[a.b]\n[a]\n[a]", line: 3, column: 2, "table 'a' is already defined on line 2")
        expectTOMLFailure("[x]\n[y]\n[ x ]", line: 3, column: 3, "table 'x' is already defined on line 1")
        expectTOMLFailure("[a]\n[\"a\"]", line: 2, column: 2, "table 'a' is already defined")
    }

    @Test func tablesDefinedByDottedKeysCannotBeRedefined() {
        expectTOMLFailure("[fruit]\napple.color = \"red\"\n[fruit.apple]", line: 3, column: 8,
                      "table 'fruit.apple' is already defined by dotted keys on line 2")
        expectTOMLFailure("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]", line: 3, column: 14,
                      "table 'fruit.apple.taste' is already defined by dotted keys")
        expectTOMLFailure("a.b = 1\n[a]", line: 2, column: 2, "already defined by dotted keys")
    }

    @Test func dottedKeysCannotExtendTablesDefinedByHeaders() {
        expectTOMLFailure("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", line: 4, column: 3,
                      "cannot add to table 'b.c' with dotted keys: it is defined by a table header on line 1")
        expectTOMLFailure("[a.b.c.d]\nz = 9\n[a]\nb.c.d.k.t = 1", line: 4, column: 5, "defined by a table header")
    }

    @Test func inlineTablesCannotBeExtended() {
        expectTOMLFailure("a = { x = 1 }\n[a.b]", line: 2, column: 2, "cannot add to inline table 'a'")
        expectTOMLFailure("a = { x = 1 }\na.y = 2", line: 2, column: 1, "cannot add to inline table 'a'")
        expectTOMLFailure("a = { x = 1 }\n[a]", line: 2, column: 2, "already defined as an inline table")
        expectTOMLFailure("a = { x = { y = 1 } }\n[a.x.z]", line: 2, column: 2, "cannot add to inline table 'a'")
        expectTOMLFailure("t = { a.b = 1, a = 2 }", line: 1, column: 16, "duplicate key 'a'")
        expectTOMLFailure("t = { a = { b = 1 }, a.c = 2 }", line: 1, column: 22, "cannot add to inline table 'a'")
    }

    @Test func arraysOfTablesConflicts() {
        expectTOMLFailure("fruit = []\n[[fruit]]", line: 2, column: 3, "cannot append to static array 'fruit'")
        expectTOMLFailure("[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red\"\n[fruits.varieties]",
                      line: 5, column: 9, "'fruits.varieties' is already an array of tables")
        expectTOMLFailure("[[fruits]]\n[fruits.physical]\ncolor = \"red\"\n[[fruits.physical]]",
                      line: 4, column: 10, "cannot define array of tables 'fruits.physical': 'fruits.physical' is already a table")
        expectTOMLFailure("[[albums.songs]]\nname = \"x\"\n[[albums]]", line: 3, column: 3, "'albums' is already a table")
        expectTOMLFailure("[[a.b]]\n[a]\nb.y = 2", line: 3, column: 1, "cannot add to array of tables 'b' with dotted keys")
        expectTOMLFailure("a = [{ b = 1 }]\n[a.c]", line: 2, column: 2, "static array")
        expectTOMLFailure("a = 1\n[[a]]", line: 2, column: 3, "already defined as an integer")
    }

    @Test func valuesAreNotTables() {
        expectTOMLFailure("a = 1\n[a]", line: 2, column: 2, "cannot define table 'a': it is already defined as an integer")
        expectTOMLFailure("a = false\na.b = true", line: 2, column: 1, "cannot use 'a' as a table: it is already defined as a boolean")
        expectTOMLFailure("a = \"s\"\n[a.b]", line: 2, column: 2, "already defined as a string")
    }

    @Test func garbageAfterValue() {
        let e = tomlParseError("a = 1 2")
        #expect(e == TOMLError(line: 1, column: 7, message: "expected a newline or comment after value, found '2'"))
        expectTOMLFailure("a = \"x\" y", line: 1, column: 9, "found 'y'")
        expectTOMLFailure("a = true false", line: 1, column: 10, "after value")
        expectTOMLFailure("a = [1] ]", line: 1, column: 9, "after value, found ']'")
        expectTOMLFailure("a = 1979-05-27T07:32:00Zjunk", line: 1, column: 25, "found 'j'")
        expectTOMLFailure("a = 1, b = 2", line: 1, column: 6, "found ','")
        expectTOMLFailure("a = \"\"\"x\"\"\"\"\"\"", line: 1, column: 14, "found '\"'")
        expectTOMLFailure("[a] b = 1", line: 1, column: 5, "expected a newline or comment after table header, found 'b'")
        expectTOMLFailure("[a]]", line: 1, column: 4, "after table header")
        expectTOMLFailure("\"名字\" = \"张三\" x", line: 1, column: 13, "found 'x'")
    }

    @Test func unquotedString() {
        expectTOMLFailure("host = localhost", line: 1, column: 8, "invalid value 'localhost' (strings must be in quotes)")
        expectTOMLFailure("b = True", line: 1, column: 5, "invalid value 'True'")
        expectTOMLFailure("v = 中文", line: 1, column: 5, "expected a value, found '中'")
    }

    @Test func controlCharacters() {
        expectTOMLFailure("a = \"x\u{1}\"", line: 1, column: 7, "control character U+0001 must be escaped in a string")
        expectTOMLFailure("a = \"\"\"x\u{0}\"\"\"", line: 1, column: 9, "control character U+0000 must be escaped")
        expectTOMLFailure("a = 'x\u{7F}'", line: 1, column: 7, "control character U+007F is not allowed in a literal string")
        expectTOMLFailure("a = '''\u{1B}'''", line: 1, column: 8, "control character U+001B is not allowed in a literal string")
        expectTOMLFailure("# bell \u{7}\n", line: 1, column: 8, "control character U+0007 is not allowed in a comment")
        expectTOMLFailure("a = 1 # del \u{7F}", line: 1, column: 13, "control character U+007F is not allowed in a comment")
        expectTOMLFailure("a = 1\rb = 2", line: 1, column: 6, "carriage return (U+000D) must be followed by a line feed")
        expectTOMLFailure("a = \"\"\"x\ry\"\"\"", line: 1, column: 9, "carriage return")
        expectTOMLFailure("# c\r", line: 1, column: 4, "carriage return")
    }

    @Test func inlineTableSyntax() {
        expectTOMLFailure("t = { a = 1,\n b = 2 }", line: 1, column: 13, "newline is not allowed in an inline table")
        expectTOMLFailure("t = {\n}", line: 1, column: 6, "newline is not allowed in an inline table")
        expectTOMLFailure("t = { a = 1, }", line: 1, column: 12, "trailing comma is not allowed in an inline table")
        expectTOMLFailure("t = { a = 1 b = 2 }", line: 1, column: 13, "expected ',' or '}' in inline table, found 'b'")
        expectTOMLFailure("t = { a = 1", line: 1, column: 5, "unterminated inline table")
        expectTOMLFailure("t = { a = 1 # c\n}", line: 1, column: 13, "comments are not allowed in an inline table")
        expectTOMLFailure("t = { , }", line: 1, column: 7, "expected a key, found ','")
    }

    @Test func arraySyntax() {
        expectTOMLFailure("a = [1 2]", line: 1, column: 8, "expected ',' or ']' in array, found '2'")
        expectTOMLFailure("a = [1,\n2", line: 1, column: 5, "unterminated array")
        expectTOMLFailure("a = [,]", line: 1, column: 6, "expected a value, found ','")
        expectTOMLFailure("a = [1,,2]", line: 1, column: 8, "expected a value, found ','")
        expectTOMLFailure("a = [\n  1,\n  # note\n  x\n]", line: 4, column: 3, "invalid value 'x'")
    }

    @Test func invalidDateTimes() {
        expectTOMLFailure("d = 1979-13-01", line: 1, column: 10, "invalid date: month 13 is not between 01 and 12")
        expectTOMLFailure("d = 1979-00-01", line: 1, column: 10, "month 00")
        expectTOMLFailure("d = 1979-02-30", line: 1, column: 13, "invalid date: day 30 does not exist in 1979-02")
        expectTOMLFailure("d = 2023-02-29", line: 1, column: 13, "day 29")
        expectTOMLFailure("d = 1900-02-29", line: 1, column: 13, "day 29")
        expectTOMLFailure("d = 1979-04-31", line: 1, column: 13, "day 31")
        expectTOMLFailure("d = 1979-05-7", line: 1, column: 14, "expected 2 digits for the day")
        expectTOMLFailure("t = 24:00:00", line: 1, column: 5, "hour must be 00 to 23")
        expectTOMLFailure("t = 07:60:00", line: 1, column: 8, "minute must be 00 to 59")
        expectTOMLFailure("t = 07:32:61", line: 1, column: 11, "second must be 00 to 60")
        expectTOMLFailure("t = 07:32", line: 1, column: 10, "seconds are required")
        expectTOMLFailure("t = 07:32:00.", line: 1, column: 14, "expected digits after '.'")
        expectTOMLFailure("d = 1979-05-27T", line: 1, column: 16, "expected 2 digits for the hour, found end of file")
        expectTOMLFailure("d = 1979-05-27T07:32:00+0700", line: 1, column: 27, "invalid time offset: expected ':'")
        expectTOMLFailure("d = 1979-05-27T07:32:00+24:00", line: 1, column: 25, "offset: hour must be 00 to 23")
        expectTOMLFailure("d = 1979-05-27 07:32", line: 1, column: 21, "seconds are required")
        expectTOMLFailure("t = 07:32:00Z", line: 1, column: 13, "after value, found 'Z'")
    }

    @Test func headerSyntax() {
        expectTOMLFailure("[a", line: 1, column: 3, "expected ']' to close the table header, found end of file")
        expectTOMLFailure("[]", line: 1, column: 2, "missing table name in header")
        expectTOMLFailure("[[a]", line: 1, column: 5, "expected ']]' to close the array-of-tables header")
        expectTOMLFailure("[[a] ]", line: 1, column: 5, "expected ']]'")
        expectTOMLFailure("[ [a] ]", line: 1, column: 3, "expected a key, found '['")
        expectTOMLFailure("[a b]", line: 1, column: 4, "expected ']'")
        expectTOMLFailure("['''a''']", line: 1, column: 2, "multi-line strings cannot be used as keys")
    }

    @Test func deepNestingIsRejectedNotCrashed() throws {
        let ok = "a = " + String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        _ = try TOMLParser.parse(ok)
        let arrays = "a = " + String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        expectTOMLFailure(arrays, line: 1, column: 133, "nested more than 128 levels deep")
        let hostile = "a = " + String(repeating: "[", count: 100_000)
        expectTOMLFailure(hostile, line: 1, column: 133, "nested more than 128 levels deep")
        let inline = "a = " + String(repeating: "{b=", count: 129) + "1" + String(repeating: "}", count: 129)
        expectTOMLFailure(inline, line: 1, column: 389, "nested more than 128 levels deep")
        let header = "[" + (0..<200).map { "k\($0)" }.joined(separator: ".") + "]"
        guard let e = tomlParseError(header) else {
            Issue.record("a 200-level header parsed")
            return
        }
        #expect(e.line == 1)
        #expect(e.message == "tables are nested more than 128 levels deep")
        let dotted = (0..<200).map { "k\($0)" }.joined(separator: ".") + " = 1"
        #expect(tomlParseError(dotted)?.message == "tables are nested more than 128 levels deep")
    }

    @Test func longLinesAndManyKeys() throws {
        let long = String(repeating: "x", count: 80_000)
        let t = try TOMLParser.parse("s = \"\(long)\"")
        #expect(t["s"] == .string(long))
        expectTOMLFailure("s = \"\(long)", line: 1, column: 5, "unterminated string")
        let many = (0..<5_000).map { "key\($0) = \($0)" }.joined(separator: "\n")
        let big = try TOMLParser.parse(many)
        #expect(big.keys.count == 5_000)
        #expect(big.line(of: "key4999") == 5_000)
        expectTOMLFailure(many + "\nkey17 = 0", line: 5_001, column: 1, "duplicate key 'key17'")
    }
}
