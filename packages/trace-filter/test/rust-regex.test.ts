import { describe, expect, it } from "vitest";
import { compileRustRegex, RustRegexError, translateRustRegex } from "../src/rust-regex.js";

/** [pattern, inputs that must match, inputs that must not]. */
const MATCHING: [string, string[], string[]][] = [
  // The real filters' leading (?i) becomes the JavaScript i flag.
  ["(?i).*(pass(word)?|api[_-]?key).*", ["PASSWORD", "my_Api-Key", "xpassx"], ["pwd"]],
  // Unanchored search, like Rust is_match.
  ["token", ["my_token_x"], ["tok"]],
  // Scoped case-insensitivity without RegExp modifiers (Node 20).
  ["(?i:ab)c", ["ABc", "abc", "xAbcx"], ["ABC", "abC"]],
  ["a(?i)b|c", ["aB", "ab", "C"], ["Ab"]],
  ["(?i)a(?-i)b", ["Ab", "ab"], ["AB"]],
  ["(?i:[a-c])d", ["Bd", "cd"], ["BD", "Dd"]],
  ["(?i:k)", ["K", "\u212A"], ["x"]],
  ["(?i)k", ["\u212A", "K"], ["x"]],
  ["(?i)[^a]", ["b"], ["A", "a"]],
  // Perl classes are Unicode-aware in Rust.
  ["^\\d+$", ["42", "\u0663"], ["4a"]],
  ["^\\w+$", ["é_1", "user"], ["a-b"]],
  ["^\\s$", ["\u00A0", " "], ["x"]],
  ["(?-u)^\\w+$", ["abc"], ["é"]],
  ["^\\D\\S\\W$", ["a--"], ["1--", "a -", "a-a"]],
  // Anchors.
  ["\\Aab\\z", ["ab"], ["xab", "abx"]],
  ["^b", ["b"], ["a\nb"]],
  ["(?m)^b$", ["a\nb\nc"], ["a\nbc"]],
  ["a.b", ["axb"], ["a\nb"]],
  ["(?s)a.b", ["a\nb"], []],
  // Named groups.
  ["(?P<first>a)(?<second>b)", ["ab"], ["ba"]],
  ["(?P<a.b>x)", ["x"], []],
  // Verbose mode.
  ["(?x) a b # a comment\n c", ["abc"], ["a b c"]],
  ["(?x) a\\ b", ["a b"], ["ab"]],
  // Classes: ASCII classes, nesting, set operations.
  ["^[[:alpha:]]+[[:digit:]]$", ["abc1"], ["ab1c"]],
  ["^[[:^digit:]]$", ["a"], ["1"]],
  ["^[a-z&&[^aeiou]]+$", ["bcd"], ["bad"]],
  ["^[\\w--\\d]+$", ["abc", "é"], ["ab1"]],
  ["^[a-c~~b-d]+$", ["ad"], ["b", "c"]],
  ["^[a[xy]]+$", ["axy"], ["b"]],
  ["^[^\\W\\d]$", ["a"], ["1", "-"]],
  ["[]a]", ["]"], ["b"]],
  ["^[a-]$", ["-", "a"], ["b"]],
  ["^[\\p{Lu}\\d]$", ["A", "1"], ["a"]],
  // Unicode classes.
  ["\\p{Greek}", ["α"], ["a"]],
  ["\\pL", ["α"], ["1"]],
  ["\\p{sc=Greek}", ["α"], ["a"]],
  ["\\p{Lu}", ["A"], ["a"]],
  ["^\\P{L}$", ["1"], ["a"]],
  ["^\\p{^L}$", ["1"], ["a"]],
  // Word boundaries (Unicode word characters).
  ["\\bfoo\\b", ["a foo b", "foo"], ["afoo", "foo_"]],
  ["\\Boo\\B", ["fooo" + "d"], ["oo"]],
  ["\\<word\\>", ["a word."], ["swords"]],
  ["\\b{start}x\\b{end}", ["x"], ["ax"]],
  ["\\bé", ["é"], ["aé"]],
  // Escapes.
  ["\\x{41}\\x42\\u0043\\U{1F600}\\U00000044", ["ABC😀D"], []],
  ["\\#\\&\\~\\-\\ ", ["#&~- "], []],
  ["a\\.b", ["a.b"], ["axb"]],
  ["\\t\\n", ["\t\n"], []],
  // Repetition.
  ["^a{2}b{2,}c{1,2}?$", ["aabbbc", "aabbcc"], ["aabc"]],
  ["(?U)^a+$", ["aaa"], [""]],
  ["^(?:a**)$", ["aaa", ""], ["b"]],
  ["^x{2}{3}$", ["xxxxxx"], ["xxxxx"]],
  ["^(?:)$", [""], ["a"]],
  // Colons and slashes are ordinary.
  ["^a::b$", ["a::b"], ["a:b"]],
  ["^(flask|fastapi|django)/app\\.py$", ["flask/app.py"], ["x/flask/app.py"]],
];

describe("translateRustRegex", () => {
  for (const [pattern, yes, no] of MATCHING) {
    it(`translates ${JSON.stringify(pattern)}`, () => {
      const re = compileRustRegex(pattern);
      for (const s of yes) expect(re.test(s), `${JSON.stringify(s)} should match`).toBe(true);
      for (const s of no) expect(re.test(s), `${JSON.stringify(s)} should not match`).toBe(false);
    });
  }

  it("turns a leading (?i) into the JavaScript i flag and always uses u", () => {
    expect(translateRustRegex("(?i)abc")).toEqual({ source: "abc", flags: "iu" });
    expect(translateRustRegex("abc")).toEqual({ source: "abc", flags: "u" });
    // Case-insensitive only where letters are: still the global flag.
    expect(translateRustRegex("_(?i:x)_").flags).toBe("iu");
  });

  it("expands partly case-insensitive patterns into classes", () => {
    expect(translateRustRegex("(?i:ab)c")).toEqual({ source: "(?:[Aa][Bb])c", flags: "u" });
  });

  it("writes named groups the JavaScript way and \\A, \\z as ^, $", () => {
    expect(translateRustRegex("\\A(?P<n>a)\\z").source).toBe("^(?<n>a)$");
  });

  it("writes Rust-only escapes as plain characters so the u flag is safe", () => {
    expect(translateRustRegex("\\#\\&\\~").source).toBe("#&~");
  });

  const ERRORS: [string, RegExp][] = [
    ["(?=a)", /look-around.*not supported at offset 0/],
    ["(?!a)", /look-around/],
    ["(?<=a)b", /look-around/],
    ["(?<!a)b", /look-around/],
    ["(a)\\1", /backreferences are not supported/],
    ["\\0", /octal/],
    ["[a", /unclosed character class/],
    ["(a", /unclosed group/],
    ["a)", /unopened group at offset 1/],
    ["*a", /repetition operator missing expression/],
    ["a|*", /repetition operator missing expression/],
    ["(?i)*", /repetition operator missing expression/],
    ["a{3,1}", /invalid repetition range/],
    ["a{x}", /invalid counted repetition/],
    ["a{,3}", /invalid counted repetition/],
    ["a{", /unclosed counted repetition/],
    ["\\y", /unrecognised escape sequence '\\y'/],
    ["\\", /incomplete escape/],
    ["(?R)", /CRLF flag 'R' is not supported/],
    ["(?q)", /unrecognised flag 'q'/],
    ["(?ii)", /duplicate flag/],
    ["(?)", /empty flag group/],
    ["(?i-)", /flag negation without a flag/],
    ["[z-a]", /invalid character class range/],
    ["\\x{110000}", /not a Unicode scalar value/],
    ["\\p{NoSuchProperty}", /unsupported Unicode class/],
    ["(?P<1a>x)", /invalid capture group name/],
    ["(?P<a>x)(?P<a>y)", /duplicate capture group name/],
    ["[[:nope:]]", /unrecognised ASCII class/],
    ["(?i:\\p{Lu})a", /Unicode class inside a partly case-insensitive pattern/],
  ];
  for (const [pattern, message] of ERRORS) {
    it(`rejects ${JSON.stringify(pattern)}`, () => {
      expect(() => translateRustRegex(pattern)).toThrow(RustRegexError);
      expect(() => translateRustRegex(pattern)).toThrow(message);
    });
  }
});
