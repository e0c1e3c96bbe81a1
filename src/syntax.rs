//! Syntax: turns the text of a `wrangler.toml`, `wrangler.json` or `wrangler.jsonc` into one
//! format-independent tree of [`Node`]s in which every key and every value keeps its byte span.
//!
//! Parsing never panics and never fails outright: it returns the tree it could build (or none)
//! plus diagnostics. Nesting is bounded before any recursive descent runs, so hostile input
//! (100 000 nested brackets) gets a diagnostic instead of a stack overflow.

use crate::diagnostics::{Diagnostic, Span, codes};
use compact_str::CompactString;

mod plain_json;
mod plain_toml;

/// For the direct readers, after a member of an array or object (blanks skipped): `Some(true)`
/// at `close` (left for the caller to step over), `Some(false)` past a comma, `None` on anything
/// else.
fn closed_after_member(bytes: &[u8], at: &mut usize, close: u8) -> Option<bool> {
    match *bytes.get(*at)? {
        b',' => {
            *at += 1;
            Some(false)
        }
        b if b == close => Some(true),
        _ => None,
    }
}

/// What the property tests of the direct readers share: texts made of pieces, and a piece put
/// into a text.
#[cfg(test)]
mod reader_tests {
    use proptest::prelude::*;

    /// Texts of up to 24 `pieces`.
    pub(super) fn texts(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(pieces), 0..24).prop_map(|p| p.concat())
    }

    /// `t` with `piece` put in at the character boundary at the fraction `at` of it, where
    /// `cut` bytes of it go.
    pub(super) fn splice(t: &str, piece: &str, at: f64, cut: usize) -> String {
        let mut k = ((t.len() as f64) * at) as usize;
        while !t.is_char_boundary(k) {
            k -= 1;
        }
        let mut end = (k + cut).min(t.len());
        while !t.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{piece}{}", &t[..k], &t[end..])
    }

    /// The property tests every direct reader has (`agrees`: whether the reader, when it reads
    /// a text, reads it as the parser it stands in for): texts of its `pieces`, and `plain`
    /// texts, whole and with one of the pieces spliced in. The caller has [`texts`] and
    /// [`splice`] in scope.
    macro_rules! reader_properties {
        ($agrees:ident, $pieces:expr, $plain:expr) => {
            proptest! {
                #![proptest_config(ProptestConfig::with_cases(2000))]

                #[test]
                fn texts_of_pieces_are_read_alike(t in texts($pieces)) {
                    $agrees(&t)?;
                }

                #[test]
                fn plain_texts_with_one_piece_changed_are_read_alike(
                    t in $plain,
                    piece in prop::sample::select($pieces),
                    at in 0.0..1.0f64,
                    cut in 0usize..3,
                ) {
                    $agrees(&t)?;
                    $agrees(&splice(&t, piece, at, cut))?;
                }
            }
        };
    }
    pub(super) use reader_properties;
}

/// Deepest nesting of arrays/objects accepted. Real configs stay under 8.
pub const MAX_DEPTH: usize = 64;

/// The value of a node. Objects keep their keys in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// (Short strings, most of a config's, are kept inline, without an allocation.)
    Str(CompactString),
    /// A TOML date or datetime, kept as written. Wrangler rejects these almost everywhere.
    Date(String),
    Array(Vec<Node>),
    Object(Vec<Entry>),
}

/// A value with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// One `key = value` / `"key": value` pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: CompactString,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    /// The entries of an object, or an empty slice.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Object(e) => e,
            _ => &[],
        }
    }

    /// The entry named `key` of an object (the last one if repeated).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().rev().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    /// A short name of the kind of value, in wrangler's wording.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Renders the value as compact JSON (used in messages and for `Json(...)` values).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.as_str().to_owned()),
            Value::Date(s) => J::String(s.clone()),
            Value::Array(a) => J::Array(a.iter().map(Node::to_json).collect()),
            Value::Object(e) => {
                let mut m = serde_json::Map::new();
                for entry in e {
                    m.insert(entry.key.as_str().to_owned(), entry.value.to_json());
                }
                J::Object(m)
            }
        }
    }
}

/// Which parser a file goes to; chosen by extension, as wrangler does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Jsonc,
}

impl Format {
    pub fn from_path(path: &str) -> Format {
        if path.ends_with(".toml") {
            Format::Toml
        } else {
            Format::Jsonc
        }
    }
}

/// Parses `text` (already decoded, BOM removed) of file `file`.
pub fn parse(text: &str, format: Format, file: u32) -> (Option<Node>, Vec<Diagnostic>) {
    if let Some(offset) = too_deep(text, format) {
        let span = Span::new(file, offset, offset + 1);
        return (None, vec![codes::nesting_too_deep(span, MAX_DEPTH)]);
    }
    match format {
        Format::Toml => parse_toml(text, file),
        Format::Jsonc => parse_jsonc(text, file),
    }
}

/// Finds the offset where bracket nesting first exceeds [`MAX_DEPTH`], skipping strings and
/// comments. A cheap linear pre-pass that makes every later recursion safe.
fn too_deep(text: &str, format: Format) -> Option<usize> {
    let bytes = text.as_bytes();
    // (No deeper than its opening brackets, in strings or not: most texts have too few to need
    // the scan, and counting them is a vector search.)
    if memchr::memchr2_iter(b'[', b'{', bytes)
        .take(MAX_DEPTH + 1)
        .count()
        <= MAX_DEPTH
    {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                // Skip a string literal (TOML multi-line strings included, approximately).
                let quote = b;
                let triple = bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote);
                if triple {
                    i += 3;
                    while i < bytes.len()
                        && !(bytes[i] == quote
                            && bytes.get(i + 1) == Some(&quote)
                            && bytes.get(i + 2) == Some(&quote))
                    {
                        if bytes[i] == b'\\' && quote == b'"' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 3;
                    continue;
                }
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' && (quote == b'"' || format == Format::Jsonc) {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' if format == Format::Toml => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if format == Format::Jsonc && bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if format == Format::Jsonc && bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            // A TOML table header `[a.b]` line: the brackets balance on the same line.
            _ => {}
        }
        i += 1;
    }
    None
}

/// JSON with comments: read directly when it is plain, else by `jsonc-parser`.
fn parse_jsonc(text: &str, file: u32) -> (Option<Node>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    match plain_json::parse(text, file, &mut diags) {
        Some(node) => (Some(node), diags),
        None => parse_with_jsonc_parser(text, file),
    }
}

fn parse_with_jsonc_parser(text: &str, file: u32) -> (Option<Node>, Vec<Diagnostic>) {
    use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
    let mut diags = Vec::new();
    // Exactly what wrangler's jsonc-parser accepts: comments and trailing commas, nothing looser.
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    match parse_to_ast(text, &CollectOptions::default(), &options) {
        Ok(result) => {
            let node = result.value.map(|v| from_jsonc(v, file, &mut diags));
            (node, diags)
        }
        Err(err) => {
            let r = err.range();
            let span = Span::new(
                file,
                r.start,
                r.end.max(r.start + 1).min(text.len().max(r.start + 1)),
            );
            (
                None,
                vec![codes::invalid_json(span, &err.kind().to_string())],
            )
        }
    }
}

/// Up to how many keys an object's duplicates are found by looking through its keys.
const SEARCHED_KEYS: usize = 16;

fn from_jsonc(v: jsonc_parser::ast::Value<'_>, file: u32, diags: &mut Vec<Diagnostic>) -> Node {
    use jsonc_parser::ast::{ObjectPropName, Value as J};
    let sp = |r: jsonc_parser::common::Range| Span::new(file, r.start, r.end);
    match v {
        J::StringLit(s) => Node::new(Value::Str(s.value.into()), sp(s.range)),
        J::NumberLit(n) => Node::new(number_value(n.value), sp(n.range)),
        J::BooleanLit(b) => Node::new(Value::Bool(b.value), sp(b.range)),
        J::NullKeyword(n) => Node::new(Value::Null, sp(n.range)),
        J::Array(a) => {
            let range = a.range;
            let items = a
                .elements
                .into_iter()
                .map(|e| from_jsonc(e, file, diags))
                .collect();
            Node::new(Value::Array(items), sp(range))
        }
        J::Object(o) => {
            let range = o.range;
            let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
            let mut index = None;
            for prop in o.properties {
                let (key, key_range) = match prop.name {
                    ObjectPropName::String(s) => (s.value.into(), s.range),
                    ObjectPropName::Word(w) => (w.value.into(), w.range),
                };
                let value = from_jsonc(prop.value, file, diags);
                let entry = Entry {
                    key,
                    key_span: sp(key_range),
                    value,
                };
                push_entry(&mut entries, 0, &mut index, entry, diags);
            }
            Node::new(Value::Object(entries), sp(range))
        }
    }
}

/// A JSON number's value, from its text: an integer when it is one, else a float.
fn number_value(text: &str) -> Value {
    match text.parse::<i64>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
    }
}

/// Adds a member to an object's entries (`stack[base..]`: the entries of enclosing objects
/// may come before them). A duplicate key: the last one wins, as in wrangler, and a diagnostic
/// says so. Small objects (nearly all) are searched directly; an `index` of keys (their places
/// from `base`) is built only for large ones, where searching would be quadratic.
fn push_entry(
    stack: &mut Vec<Entry>,
    base: usize,
    index: &mut Option<crate::HashMap<CompactString, usize>>,
    entry: Entry,
    diags: &mut Vec<Diagnostic>,
) {
    let entries = &mut stack[base..];
    let earlier = match index {
        Some(index) => index.get(&entry.key).copied(),
        None => entries.iter().position(|e| e.key == entry.key),
    };
    if let Some(i) = earlier {
        diags.push(codes::duplicate_key(
            entry.key_span,
            entries[i].key_span,
            &entry.key,
        ));
        entries[i] = entry;
        return;
    }
    let place = entries.len();
    if let Some(index) = index {
        index.insert(entry.key.clone(), place);
    }
    stack.push(entry);
    if index.is_none() && place + 1 > SEARCHED_KEYS {
        *index = Some(
            stack[base..]
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect(),
        );
    }
}

/// TOML: read directly when it is plain, else by `toml_edit`.
fn parse_toml(text: &str, file: u32) -> (Option<Node>, Vec<Diagnostic>) {
    match plain_toml::parse(text, file) {
        Some(node) => (Some(node), Vec::new()),
        None => parse_with_toml_edit(text, file),
    }
}

fn parse_with_toml_edit(text: &str, file: u32) -> (Option<Node>, Vec<Diagnostic>) {
    match toml_edit::Document::parse(text) {
        Ok(doc) => {
            let root_span = Span::new(file, 0, text.len());
            let node = from_toml_table(doc.as_table(), root_span, file);
            (Some(node), Vec::new())
        }
        Err(err) => {
            let r = err.span().unwrap_or(0..0);
            let start = r.start.min(text.len());
            let span = Span::new(file, start, r.end.max(start + 1));
            let message = err.message().trim().to_string();
            (None, vec![codes::invalid_toml(span, &message)])
        }
    }
}

fn span_of(r: Option<std::ops::Range<usize>>, fallback: Span, file: u32) -> Span {
    match r {
        Some(r) => Span::new(file, r.start, r.end),
        None => fallback,
    }
}

fn from_toml_table(t: &toml_edit::Table, fallback: Span, file: u32) -> Node {
    let span = span_of(t.span(), fallback, file);
    let mut entries = Vec::with_capacity(t.len());
    for (key, item) in t.iter() {
        let Some((k, _)) = t.get_key_value(key) else {
            continue;
        };
        let key_span = span_of(k.span(), span, file);
        if let Some(value) = from_toml_item(item, key_span, file) {
            entries.push(Entry {
                key: key.into(),
                key_span,
                value,
            });
        }
    }
    Node::new(Value::Object(entries), span)
}

fn from_toml_item(item: &toml_edit::Item, fallback: Span, file: u32) -> Option<Node> {
    use toml_edit::Item;
    match item {
        Item::None => None,
        Item::Value(v) => Some(from_toml_value(v, fallback, file)),
        Item::Table(t) => Some(from_toml_table(t, fallback, file)),
        Item::ArrayOfTables(a) => {
            let span = span_of(a.span(), fallback, file);
            let items = a.iter().map(|t| from_toml_table(t, span, file)).collect();
            Some(Node::new(Value::Array(items), span))
        }
    }
}

fn from_toml_value(v: &toml_edit::Value, fallback: Span, file: u32) -> Node {
    use toml_edit::Value as T;
    let span = span_of(v.span(), fallback, file);
    let value = match v {
        T::String(s) => Value::Str(s.value().into()),
        T::Integer(i) => Value::Int(*i.value()),
        T::Float(f) => Value::Float(*f.value()),
        T::Boolean(b) => Value::Bool(*b.value()),
        T::Datetime(d) => Value::Date(d.value().to_string()),
        T::Array(a) => Value::Array(a.iter().map(|x| from_toml_value(x, span, file)).collect()),
        T::InlineTable(t) => {
            let mut entries = Vec::with_capacity(t.len());
            for (key, value) in t.iter() {
                let key_span = t
                    .key(key)
                    .map(|k| span_of(k.span(), span, file))
                    .unwrap_or(span);
                entries.push(Entry {
                    key: key.into(),
                    key_span,
                    value: from_toml_value(value, key_span, file),
                });
            }
            Value::Object(entries)
        }
    };
    Node::new(value, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nesting past the limit is found where it starts, and only then: not for many brackets
    /// side by side, nor for brackets in strings.
    #[test]
    fn too_deep_finds_the_first_bracket_past_the_limit() {
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert_eq!(too_deep(&nested(MAX_DEPTH), Format::Jsonc), None);
        assert_eq!(
            too_deep(&nested(MAX_DEPTH + 1), Format::Jsonc),
            Some(MAX_DEPTH)
        );
        let side_by_side = format!("[{}]", vec!["[]"; 200].join(","));
        assert_eq!(too_deep(&side_by_side, Format::Jsonc), None);
        let in_strings = format!("{{\"a\": \"{}\", \"b\": []}}", "[".repeat(200));
        assert_eq!(too_deep(&in_strings, Format::Jsonc), None);
        let toml = format!("a = '{}'\n[t]\nb = [[1], [2]]\n", "{".repeat(100));
        assert_eq!(too_deep(&toml, Format::Toml), None);
    }
}
