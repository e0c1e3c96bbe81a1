//! A direct reader for the TOML nearly every `wrangler.toml` is: `key = value` lines, `[table]`
//! and `[[array.of.tables]]` headers with dotted paths, comments, basic and literal strings
//! without escapes, decimal integers, booleans, arrays and one-line inline tables. It builds the
//! [`Node`] tree in one pass, with no document in between. On anything else (escapes, multi-line
//! strings, floats, dates, dotted keys, a table defined after its subtables, anything malformed)
//! it returns `None` and the caller parses the text with `toml_edit`, which also words the errors.
//! What it does read, it reads exactly as `toml_edit` does, spans included (a property test and
//! every config of the corpus compare the two).

use super::{Entry, Node, Value, closed_after_member};
use crate::HashMap;
use crate::diagnostics::Span;
use compact_str::CompactString;

/// The most entries a table read directly may have: each new key is looked for among them.
const MAX_ENTRIES: usize = 512;

/// The tree of `text`, or `None` when the text is not plain TOML.
pub(super) fn parse(text: &str, file: u32) -> Option<Node> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        file,
    };
    let mut doc = Doc {
        // (`toml_edit` gives the root table an empty span at the start.)
        root: Node::new(Value::Object(Vec::new()), Span::new(file, 0, 0)),
        kinds: HashMap::default(),
        current: Vec::new(),
    };
    loop {
        r.skip_blank_lines()?;
        match r.peek() {
            None => return Some(doc.root),
            Some(b'[') => doc.open(r.header()?)?,
            Some(_) => {
                let entry = r.key_value()?;
                doc.insert(entry)?;
            }
        }
    }
}

/// What a header made of a table: whether more headers may open it, or append to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Made by a dotted header (`env` of `[env.staging]`): its span is that key's.
    Implicit,
    /// Made by its own header (`[vars]`).
    Explicit,
    /// An array of tables (`[[kv_namespaces]]`): keys go into its last table.
    Array,
}

/// A `[a.b]` (or, `double`, `[[a.b]]`) line: its keys and their spans, and its span.
struct Header {
    keys: Vec<(CompactString, Span)>,
    double: bool,
    span: Span,
}

/// The tree being built, and where key-value lines go.
struct Doc {
    root: Node,
    /// The tables headers made, by their path (entry indices from the root).
    kinds: HashMap<Vec<usize>, Kind>,
    /// The path of the table the last header opened.
    current: Vec<usize>,
}

impl Doc {
    /// Opens the table of a header (or appends one to the array of tables).
    fn open(&mut self, header: Header) -> Option<()> {
        let Header { keys, double, span } = header;
        let (last, parents) = keys.split_last()?;
        let mut path = Vec::with_capacity(keys.len());
        for (key, key_span) in parents {
            let table = table_at(&mut self.root, &path)?;
            match table.iter().position(|e| e.key == *key) {
                Some(i) => {
                    path.push(i);
                    if !matches!(self.kinds.get(&path), Some(Kind::Implicit | Kind::Explicit)) {
                        return None;
                    }
                }
                None => {
                    let table_node = Node::new(Value::Object(Vec::new()), *key_span);
                    path.push(push_new(table, key.clone(), *key_span, table_node)?);
                    self.kinds.insert(path.clone(), Kind::Implicit);
                }
            }
        }
        let (key, key_span) = last;
        let table = table_at(&mut self.root, &path)?;
        let empty = Node::new(Value::Object(Vec::new()), span);
        match table.iter().position(|e| e.key == *key) {
            Some(i) => {
                path.push(i);
                if !double || self.kinds.get(&path) != Some(&Kind::Array) {
                    return None;
                }
                let array = &mut table[i].value;
                let Value::Array(items) = &mut array.value else {
                    return None;
                };
                items.push(empty);
                array.span.end = span.end;
            }
            None => {
                let (value, kind) = if double {
                    (Node::new(Value::Array(vec![empty]), span), Kind::Array)
                } else {
                    (empty, Kind::Explicit)
                };
                path.push(push_new(table, key.clone(), *key_span, value)?);
                self.kinds.insert(path.clone(), kind);
            }
        }
        self.current = path;
        Some(())
    }

    /// Adds a key-value line to the current table.
    fn insert(&mut self, entry: Entry) -> Option<()> {
        let table = table_at(&mut self.root, &self.current)?;
        if table.iter().any(|e| e.key == entry.key) {
            return None;
        }
        push_new(table, entry.key, entry.key_span, entry.value).map(drop)
    }
}

/// Adds a new entry to `table`, and gives its index (`None`: the table is too large to read
/// directly).
fn push_new(
    table: &mut Vec<Entry>,
    key: CompactString,
    key_span: Span,
    value: Node,
) -> Option<usize> {
    if table.len() >= MAX_ENTRIES {
        return None;
    }
    table.push(Entry {
        key,
        key_span,
        value,
    });
    Some(table.len() - 1)
}

/// The entries of the table at `path` (the last table of an array of tables).
fn table_at<'n>(root: &'n mut Node, path: &[usize]) -> Option<&'n mut Vec<Entry>> {
    let mut node = root;
    for &i in path {
        let Value::Object(entries) = &mut node.value else {
            return None;
        };
        node = last_table(&mut entries.get_mut(i)?.value)?;
    }
    match &mut node.value {
        Value::Object(entries) => Some(entries),
        _ => None,
    }
}

/// `node`, or the last table of it when it is an array of tables.
fn last_table(node: &mut Node) -> Option<&mut Node> {
    if !matches!(node.value, Value::Array(_)) {
        return Some(node);
    }
    match &mut node.value {
        Value::Array(items) => items.last_mut(),
        _ => None,
    }
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    file: u32,
}

impl Reader<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Skips a line break (`\n` or `\r\n`); `false` if there is none here.
    fn line_break(&mut self) -> bool {
        match self.peek() {
            Some(b'\n') => self.at += 1,
            Some(b'\r') if self.bytes.get(self.at + 1) == Some(&b'\n') => self.at += 2,
            _ => return false,
        }
        true
    }

    /// Skips a comment up to its line break; `None` on a character TOML refuses in comments.
    fn comment(&mut self) -> Option<()> {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => return Some(()),
                b'\r' if self.bytes.get(self.at + 1) == Some(&b'\n') => return Some(()),
                b'\t' => {}
                0..=0x1f | 0x7f => return None,
                _ => {}
            }
            self.at += 1;
        }
        Some(())
    }

    /// Skips spaces and a comment, up to the line break (or whatever else comes first).
    fn skip_spaces_and_comment(&mut self) -> Option<()> {
        self.skip_spaces();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        Some(())
    }

    /// Skips blank lines, spaces and comments, up to the next key, header or value (or the end).
    fn skip_blank_lines(&mut self) -> Option<()> {
        loop {
            self.skip_spaces_and_comment()?;
            if !self.line_break() {
                return Some(());
            }
        }
    }

    /// The end of a line that held a header or a key-value: spaces, a comment, a line break.
    fn line_end(&mut self) -> Option<()> {
        self.skip_spaces_and_comment()?;
        (self.peek().is_none() || self.line_break()).then_some(())
    }

    /// A `[a.b]` or `[[a.b]]` header: its keys, whether it is doubled, its span.
    fn header(&mut self) -> Option<Header> {
        let start = self.at;
        let double = self.bytes.get(self.at + 1) == Some(&b'[');
        self.at += if double { 2 } else { 1 };
        let mut keys = Vec::new();
        loop {
            self.skip_spaces();
            keys.push(self.key()?);
            self.skip_spaces();
            if self.peek() != Some(b'.') {
                break;
            }
            self.at += 1;
        }
        let close: &[u8] = if double { b"]]" } else { b"]" };
        if !self.bytes[self.at..].starts_with(close) {
            return None;
        }
        self.at += close.len();
        let span = self.span(start);
        self.line_end()?;
        Some(Header { keys, double, span })
    }

    /// A key (bare, or quoted without escapes) and its span (quotes included).
    fn key(&mut self) -> Option<(CompactString, Span)> {
        let start = self.at;
        let key = match self.peek()? {
            b'"' => self.basic_string()?,
            b'\'' => self.literal_string()?,
            _ => {
                while matches!(
                    self.peek(),
                    Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')
                ) {
                    self.at += 1;
                }
                if self.at == start {
                    return None;
                }
                CompactString::new(&self.text[start..self.at])
            }
        };
        Some((key, self.span(start)))
    }

    /// `key = value` up to the end of its line (a dotted key is not read here).
    fn key_value(&mut self) -> Option<Entry> {
        let (key, key_span) = self.key()?;
        self.skip_spaces();
        if self.peek() != Some(b'=') {
            return None;
        }
        self.at += 1;
        self.skip_spaces();
        let value = self.value()?;
        self.line_end()?;
        Some(Entry {
            key,
            key_span,
            value,
        })
    }

    fn value(&mut self) -> Option<Node> {
        let start = self.at;
        let value = match self.peek()? {
            b'"' => Value::Str(self.basic_string()?),
            b'\'' => Value::Str(self.literal_string()?),
            b't' => self.word("true", Value::Bool(true))?,
            b'f' => self.word("false", Value::Bool(false))?,
            b'+' | b'-' | b'0'..=b'9' => self.integer()?,
            b'[' => return self.array(),
            b'{' => return self.inline_table(),
            _ => return None,
        };
        Some(Node::new(value, self.span(start)))
    }

    /// Whether a bare value may end here.
    fn at_delimiter(&self) -> bool {
        matches!(
            self.peek(),
            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}' | b'#')
        )
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        if !self.text[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        self.at_delimiter().then_some(value)
    }

    /// A decimal integer (no underscores, no leading zeros); anything else is left to `toml_edit`.
    fn integer(&mut self) -> Option<Value> {
        let start = self.at;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.at += 1;
        }
        let digits = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let count = self.at - digits;
        if count == 0 || (count > 1 && self.bytes[digits] == b'0') || !self.at_delimiter() {
            return None;
        }
        self.text[start..self.at].parse().ok().map(Value::Int)
    }

    /// A one-line `"…"` string without escapes (its content).
    fn basic_string(&mut self) -> Option<CompactString> {
        self.quoted(b'"', b'\\')
    }

    /// A one-line `'…'` string (its content).
    fn literal_string(&mut self) -> Option<CompactString> {
        // (A literal string has no escapes: a backslash is a character like the others.)
        self.quoted(b'\'', b'\'')
    }

    /// A one-line string between `quote`s, refusing `refused` and control characters but tabs.
    fn quoted(&mut self, quote: u8, refused: u8) -> Option<CompactString> {
        let open = self.at + 1;
        if self.bytes.get(open) == Some(&quote) && self.bytes.get(open + 1) == Some(&quote) {
            return None;
        }
        let mut end = open;
        loop {
            match *self.bytes.get(end)? {
                b if b == quote => break,
                b if b == refused => return None,
                b'\t' => {}
                0..=0x1f | 0x7f => return None,
                _ => {}
            }
            end += 1;
        }
        self.at = end + 1;
        Some(CompactString::new(&self.text[open..end]))
    }

    /// After a member of an array or inline table (see [`closed_after_member`]).
    fn closed_after_member(&mut self, close: u8) -> Option<bool> {
        closed_after_member(self.bytes, &mut self.at, close)
    }

    fn array(&mut self) -> Option<Node> {
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_blank_lines()?;
            if self.peek() == Some(b']') {
                break;
            }
            items.push(self.value()?);
            self.skip_blank_lines()?;
            if self.closed_after_member(b']')? {
                break;
            }
        }
        self.at += 1;
        Some(Node::new(Value::Array(items), self.span(start)))
    }

    /// A `{ k = v, … }` table on one line (no trailing comma, no dotted keys).
    fn inline_table(&mut self) -> Option<Node> {
        let start = self.at;
        self.at += 1;
        let mut entries: Vec<Entry> = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(Node::new(Value::Object(entries), self.span(start)));
        }
        loop {
            self.skip_spaces();
            let (key, key_span) = self.key()?;
            self.skip_spaces();
            if self.peek() != Some(b'=') || entries.iter().any(|e| e.key == key) {
                return None;
            }
            self.at += 1;
            self.skip_spaces();
            let value = self.value()?;
            push_new(&mut entries, key, key_span, value)?;
            self.skip_spaces();
            if self.closed_after_member(b'}')? {
                break;
            }
        }
        self.at += 1;
        Some(Node::new(Value::Object(entries), self.span(start)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_with_toml_edit;
    use super::super::reader_tests::{reader_properties, splice, texts};
    use proptest::prelude::*;

    /// Whether the direct reader, when it reads `text`, reads it as `toml_edit` does.
    fn agrees(text: &str) -> Result<bool, TestCaseError> {
        let Some(node) = super::parse(text, 3) else {
            return Ok(false);
        };
        let (other, other_diags) = parse_with_toml_edit(text, 3);
        prop_assert_eq!(Some(node), other, "{:?}", text);
        prop_assert!(other_diags.is_empty(), "{:?}", text);
        Ok(true)
    }

    /// Pieces texts are made of: plain TOML's, and what only `toml_edit` reads or nothing reads.
    const PIECES: &[&str] = &[
        "[a]\n",
        "[[a]]\n",
        "[a.b]\n",
        "[[a.b]]\n",
        "[b]\n",
        "[ a . \"b\" ]\n",
        "[[a] ]\n",
        "[a.b.c]\n",
        "a = ",
        "b = ",
        "\"q k\" = ",
        "'l' = ",
        "a.b = ",
        "a",
        "=",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "# note\n",
        "#\u{7f}\n",
        "1\n",
        "-2\n",
        "+3",
        "0",
        "01",
        "1.5",
        "1_000",
        "0x1f",
        "1979-05-27",
        "inf",
        "true\n",
        "false",
        "truex",
        "\"s\"\n",
        "'s\\'",
        "\"\"",
        "\"\\n\"",
        "\"\"\"m\"\"\"",
        "'''m'''",
        "\"é😀\"",
        "\"tab\there\"",
        "[1, 2]\n",
        "[\n  1, # c\n  \"x\",\n]\n",
        "[ { x = 1 }, { y = 'z' } ]\n",
        "{ x = 1, y = [1, 2] }\n",
        "{ x = 1, }",
        "{ x = 1, x = 2 }",
        "{ a.b = 1 }",
        "{ x = [\n1, # c\n] }\n",
        "{}\n",
        "[]",
        ",",
        "]",
        "[",
        "{",
        "}",
        ".",
        "\u{0}",
    ];

    /// Lines of plain TOML (keys may repeat: then neither reader reads the text).
    fn plain() -> impl Strategy<Value = String> {
        let value = prop::sample::select(
            &[
                "1",
                "\"v\"",
                "'w'",
                "true",
                "[1, \"x\"]",
                "{ k = 2, m = 'n' }",
                "[\n  1,\n]",
            ][..],
        );
        let key = prop::sample::select(&["a", "b", "c", "\"d e\"", "kv_namespaces"][..]);
        let line = prop_oneof![
            (key.clone(), value).prop_map(|(k, v)| format!("{k} = {v} # c\n")),
            (key.clone(), key.clone()).prop_map(|(a, b)| format!("\n[env.{a}.{b}]\n")),
            key.clone().prop_map(|k| format!("[[{k}]]\n")),
            (key.clone(), key).prop_map(|(a, b)| format!("[[{a}.{b}]]\r\n")),
        ];
        prop::collection::vec(line, 0..12).prop_map(|l| l.concat())
    }

    reader_properties!(agrees, PIECES, plain());

    fn toml_files(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                toml_files(&path, into);
            } else if path.extension().is_some_and(|e| e == "toml") {
                into.push(path);
            }
        }
    }

    /// Every TOML config of the corpus and the fixtures: read alike, most of them directly.
    #[test]
    fn real_configs_are_read_as_toml_edit_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        toml_files(&root.join("tests/corpus"), &mut files);
        toml_files(&root.join("tests/fixtures"), &mut files);
        assert!(files.len() > 50, "{} files", files.len());
        let mut direct = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if agrees(text).unwrap_or_else(|e| panic!("{}: {e}", f.display())) {
                direct += 1;
            }
        }
        assert!(
            direct * 2 > files.len(),
            "{direct} of {} read directly",
            files.len()
        );
    }
}
