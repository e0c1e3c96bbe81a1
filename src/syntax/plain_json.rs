//! A direct reader for the JSON almost every config is: the JSON grammar, `//` and `/* */`
//! comments, trailing commas. It builds the [`Node`] tree in one pass, with no syntax tree in
//! between. It is stricter than `jsonc-parser` (unusual whitespace, raw control characters in
//! strings, escapes of surrogates, anything malformed): on anything it does not read it returns
//! `None` and the caller parses the text with `jsonc-parser`, which also words the errors. What
//! it does read, it reads exactly as `jsonc-parser` does (a property test compares the two).

use super::{Entry, Node, Value, closed_after_member, push_entry};
use crate::diagnostics::{Diagnostic, Span};
use compact_str::CompactString;

/// The tree of `text`, or `None` when the text is not plain JSON with comments.
pub(super) fn parse(text: &str, file: u32, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        file,
        diags: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
    };
    r.skip_blank()?;
    let node = r.value()?;
    r.skip_blank()?;
    if r.at != r.bytes.len() {
        return None;
    }
    diags.append(&mut r.diags);
    Some(node)
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    file: u32,
    /// The duplicate keys met (handed over only when the whole text is read).
    diags: Vec<Diagnostic>,
    /// The members of the objects being read, innermost last (each object's are moved out at
    /// its end, into a list of their exact size: no list grown one member at a time).
    entries: Vec<Entry>,
    /// The same for the items of arrays.
    items: Vec<Node>,
}

impl Reader<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips spaces, tabs, line breaks and comments; `None` on an unterminated comment.
    fn skip_blank(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.at += 1,
                Some(b'/') => match self.bytes.get(self.at + 1) {
                    Some(b'/') => {
                        self.at = memchr_newline(self.bytes, self.at);
                    }
                    Some(b'*') => {
                        let end = self.text[self.at + 2..].find("*/")?;
                        self.at += 2 + end + 2;
                    }
                    _ => return None,
                },
                _ => return Some(()),
            }
        }
    }

    fn value(&mut self) -> Option<Node> {
        let start = self.at;
        let value = match self.peek()? {
            b'{' => return self.object(),
            b'[' => return self.array(),
            b'"' => Value::Str(self.string()?),
            b'-' | b'0'..=b'9' => self.number()?,
            b't' => self.word("true", Value::Bool(true))?,
            b'f' => self.word("false", Value::Bool(false))?,
            b'n' => self.word("null", Value::Null)?,
            _ => return None,
        };
        Some(Node::new(value, self.span(start)))
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        if !self.text[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        Some(value)
    }

    /// A number of the JSON grammar, valued as `jsonc-parser`'s text would be.
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        Some(super::number_value(&self.text[start..self.at]))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// A double-quoted string, unescaped; `None` on a raw control character, an escape JSON
    /// does not have, or a `\u` escape of a surrogate.
    fn string(&mut self) -> Option<CompactString> {
        self.at += 1;
        let mut out = CompactString::default();
        let mut run = self.at;
        loop {
            let b = self.peek()?;
            match b {
                b'"' => {
                    out.push_str(&self.text[run..self.at]);
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.at]);
                    let escaped = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.text.get(self.at..self.at + 4)?;
                            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                                return None;
                            }
                            self.at += 4;
                            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                        }
                        _ => return None,
                    };
                    out.push(c);
                    run = self.at;
                }
                0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
    }

    /// After a member of an array or object: past a comma (`false`), or at the closing
    /// bracket (`true`); `None` on anything else.
    fn closed_after_member(&mut self, close: u8) -> Option<bool> {
        self.skip_blank()?;
        closed_after_member(self.bytes, &mut self.at, close)
    }

    fn array(&mut self) -> Option<Node> {
        let start = self.at;
        self.at += 1;
        let base = self.items.len();
        loop {
            self.skip_blank()?;
            if self.peek()? == b']' {
                break;
            }
            let item = self.value()?;
            self.items.push(item);
            if self.closed_after_member(b']')? {
                break;
            }
        }
        self.at += 1;
        // (Trees of every config are held until resolved: no room to spare.)
        let items: Vec<Node> = self.items.drain(base..).collect();
        Some(Node::new(Value::Array(items), self.span(start)))
    }

    fn object(&mut self) -> Option<Node> {
        let start = self.at;
        self.at += 1;
        let base = self.entries.len();
        let mut index = None;
        loop {
            self.skip_blank()?;
            match self.peek()? {
                b'}' => break,
                b'"' => {}
                _ => return None,
            }
            let key_start = self.at;
            let key = self.string()?;
            let key_span = self.span(key_start);
            self.skip_blank()?;
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            self.skip_blank()?;
            let value = self.value()?;
            let entry = Entry {
                key,
                key_span,
                value,
            };
            push_entry(&mut self.entries, base, &mut index, entry, &mut self.diags);
            if self.closed_after_member(b'}')? {
                break;
            }
        }
        self.at += 1;
        let entries: Vec<Entry> = self.entries.drain(base..).collect();
        Some(Node::new(Value::Object(entries), self.span(start)))
    }
}

/// The offset of the next line break at or after `from` (or the end).
fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::super::parse_with_jsonc_parser;
    use super::super::reader_tests::{reader_properties, splice, texts};
    use proptest::prelude::*;

    /// Pieces texts are made of: JSON's, comments, and things only `jsonc-parser` reads or
    /// nothing reads (so that both readers meet them).
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "\r\n",
        "\"a\"",
        "\"b\"",
        "\"a\"",
        "\"\\n\\\"\\\\\\/\\u00e9\"",
        "\"\\ud83d\"",
        "\"\\x\"",
        "\"tab\there\"",
        "\"é😀\"",
        "0",
        "-1",
        "12",
        "1.5",
        "1e3",
        "-0.25E-2",
        "01",
        "1.",
        ".5",
        "+1",
        "-",
        "1e",
        "true",
        "false",
        "null",
        "nul",
        "truex",
        "// note\n",
        "/* block */",
        "/* open",
        "/",
        "\u{a0}",
        "\u{feff}",
        "\u{b}",
        "x",
        "'s'",
        "\"open",
    ];

    /// Objects and arrays that are plain JSON, so that most cases take the direct reader.
    fn plain() -> impl Strategy<Value = String> {
        let leaf =
            prop::sample::select(&["1", "-2.5e1", "\"v\"", "true", "null", "\"\\u0041\""][..])
                .prop_map(str::to_string);
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec((prop::sample::select(&["a", "b", "c"][..]), inner), 0..4)
                    .prop_map(|v| {
                        let members: Vec<String> =
                            v.iter().map(|(k, x)| format!("\"{k}\" : {x}")).collect();
                        let comma = if members.is_empty() { "" } else { "," };
                        format!("{{ {}{comma} }} // end\n", members.join(",\n"))
                    }),
            ]
        })
    }

    fn agrees(text: &str) -> Result<(), TestCaseError> {
        let mut diags = Vec::new();
        if let Some(node) = super::parse(text, 3, &mut diags) {
            let (other, other_diags) = parse_with_jsonc_parser(text, 3);
            prop_assert_eq!(Some(node), other, "{:?}", text);
            prop_assert_eq!(diags, other_diags, "{:?}", text);
        }
        Ok(())
    }

    reader_properties!(agrees, PIECES, plain());

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn plain_json_is_read_directly(t in plain()) {
            let mut diags = Vec::new();
            prop_assert!(super::parse(&t, 3, &mut diags).is_some(), "{:?}", t);
            agrees(&t)?;
        }
    }
}
