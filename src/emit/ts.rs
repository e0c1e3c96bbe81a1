//! A tiny TypeScript expression model and printer that lays code out the way Prettier does
//! (80 columns, two-space indent, double quotes, trailing commas, objects that do not fit are
//! expanded, a last object argument hugs its call), plus literal escaping.

pub use crate::plan::names::is_identifier;
use std::borrow::Cow;

/// Print width, as Prettier's default.
pub const WIDTH: usize = 80;

/// Text of the program: borrowed (a word the generator writes, or the plan's own text, which
/// the program's trees point into instead of copying) or made for it.
pub type Text<'a> = Cow<'a, str>;

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Js<'a> {
    /// Code written as it is (identifiers, member access, numbers).
    Raw(Text<'a>),
    /// A string literal (escaped when printed).
    Str(Text<'a>),
    /// An object literal; `expand` keeps it multi-line even when it would fit.
    Obj {
        props: Vec<Prop<'a>>,
        expand: bool,
    },
    Arr(Vec<Js<'a>>),
    /// `callee<type_args>(args)`.
    Call {
        callee: Text<'a>,
        args: Vec<Js<'a>>,
    },
    Await(Box<Js<'a>>),
    /// `cond ? a : b`.
    Cond(Box<Js<'a>>, Box<Js<'a>>, Box<Js<'a>>),
    /// `expr as Type`.
    As(Box<Js<'a>>, String),
    /// `expr[key]` (the key is written as it is).
    Index(Box<Js<'a>>, String),
    /// `expr!`.
    NonNull(Box<Js<'a>>),
}

/// An object member, or a comment line between members.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop<'a> {
    KeyValue(Text<'a>, Js<'a>),
    /// `...expr`.
    Spread(Js<'a>),
    Comment(String),
}

impl<'a> Js<'a> {
    pub fn raw(s: impl Into<Text<'a>>) -> Js<'a> {
        Js::Raw(s.into())
    }
    pub fn str(s: impl Into<Text<'a>>) -> Js<'a> {
        Js::Str(s.into())
    }
    pub fn call(callee: impl Into<Text<'a>>, args: Vec<Js<'a>>) -> Js<'a> {
        Js::Call {
            callee: callee.into(),
            args,
        }
    }
    pub fn await_(inner: Js<'a>) -> Js<'a> {
        Js::Await(Box::new(inner))
    }
    pub fn obj(props: Vec<Prop<'a>>) -> Js<'a> {
        Js::Obj {
            props,
            expand: false,
        }
    }
    pub fn expanded(props: Vec<Prop<'a>>) -> Js<'a> {
        Js::Obj {
            props,
            expand: true,
        }
    }
    pub fn num(n: f64) -> Js<'a> {
        Js::Raw(number(n).into())
    }
    pub fn bool(b: bool) -> Js<'a> {
        Js::raw(if b { "true" } else { "false" })
    }
    /// The same expression, owning all its text (for one made from a value about to go).
    pub fn into_owned(self) -> Js<'static> {
        let own = |t: Text<'_>| -> Text<'static> { Cow::Owned(t.into_owned()) };
        let boxed = |e: Box<Js<'_>>| Box::new(e.into_owned());
        match self {
            Js::Raw(t) => Js::Raw(own(t)),
            Js::Str(t) => Js::Str(own(t)),
            Js::Obj { props, expand } => Js::Obj {
                props: props.into_iter().map(Prop::into_owned).collect(),
                expand,
            },
            Js::Arr(items) => Js::Arr(items.into_iter().map(Js::into_owned).collect()),
            Js::Call { callee, args } => Js::Call {
                callee: own(callee),
                args: args.into_iter().map(Js::into_owned).collect(),
            },
            Js::Await(e) => Js::Await(boxed(e)),
            Js::Cond(c, a, b) => Js::Cond(boxed(c), boxed(a), boxed(b)),
            Js::As(e, t) => Js::As(boxed(e), t),
            Js::Index(e, k) => Js::Index(boxed(e), k),
            Js::NonNull(e) => Js::NonNull(boxed(e)),
        }
    }
    /// A JSON value as a TypeScript literal.
    pub fn json(v: &'a serde_json::Value) -> Js<'a> {
        use serde_json::Value as J;
        match v {
            J::Null => Js::raw("null"),
            J::Bool(b) => Js::bool(*b),
            J::Number(n) => Js::Raw(
                n.as_i64()
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| number(n.as_f64().unwrap_or(0.0)))
                    .into(),
            ),
            J::String(s) => Js::str(s),
            J::Array(a) => Js::Arr(a.iter().map(Js::json).collect()),
            J::Object(m) => Js::obj(
                m.iter()
                    .map(|(k, v)| Prop::KeyValue(key(k).into(), Js::json(v)))
                    .collect(),
            ),
        }
    }
}

impl<'a> Prop<'a> {
    /// `k: v`; a key the program writes (`&'static str`) is kept as it is when it needs no
    /// quotes.
    pub fn kv(k: impl Into<Text<'a>>, v: Js<'a>) -> Prop<'a> {
        Prop::KeyValue(key_text(k.into()), v)
    }
    pub fn comment(text: impl Into<String>) -> Prop<'a> {
        Prop::Comment(text.into())
    }
    /// The same member, owning all its text.
    pub fn into_owned(self) -> Prop<'static> {
        match self {
            Prop::KeyValue(k, v) => Prop::KeyValue(Cow::Owned(k.into_owned()), v.into_owned()),
            Prop::Spread(v) => Prop::Spread(v.into_owned()),
            Prop::Comment(c) => Prop::Comment(c),
        }
    }
}

/// `items` appended to `out` with `sep` between them (a `join` without a string of its own).
pub fn push_joined<S: AsRef<str>>(out: &mut String, items: &[S], sep: &str) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
}

/// Formats a number the way JavaScript prints it (integers without `.0`).
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        format!("{}", n as i64)
    } else if n.is_finite() {
        format!("{n}")
    } else {
        "0".to_string()
    }
}

/// A double-quoted string literal that evaluates to exactly `s`. Escapes quotes, backslashes,
/// line terminators, control characters, bidirectional overrides and `</` (so the text is also
/// safe inside HTML/script contexts).
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string_literal(&mut out, s);
    out
}

/// [`string_literal`], appended to `out`.
fn push_string_literal(out: &mut String, s: &str) {
    // (Most strings are plain ASCII with nothing to escape: written as they are.)
    if is_plain_literal(s) {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // Prettier's choice: double quotes, unless the text has more double than single quotes.
    let quote = if s.matches('"').count() > s.matches('\'').count() {
        '\''
    } else {
        '"'
    };
    out.push(quote);
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '/' if prev == '<' => out.push_str("\\/"),
            c if needs_escape(c) => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
        prev = c;
    }
    out.push(quote);
}

/// Whether `s` is printable ASCII without quotes, backslashes or `</`: its literal is `s` in
/// double quotes.
fn is_plain_literal(s: &str) -> bool {
    // (Byte by byte without state, then each `<` looked for with memchr: a string search for
    // `</` costs more to set up than most literals are long.)
    let bytes = s.as_bytes();
    // (Folded without stopping early, so that the compiler checks many bytes at a time.)
    let plain = bytes.iter().fold(true, |plain, &b| {
        plain & (b' '..=b'~').contains(&b) & (b != b'"') & (b != b'\\')
    });
    plain && !memchr::memchr_iter(b'<', bytes).any(|i| bytes.get(i + 1) == Some(&b'/'))
}

/// Characters written as `\uXXXX`: controls, line/paragraph separators, invisible direction marks.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Text for a `//` comment: one line, nothing that could end the comment early.
pub fn comment_text(s: &str) -> String {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || needs_escape(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// [`key`], `k` itself when it is one already.
fn key_text(k: Text<'_>) -> Text<'_> {
    if k != "__proto__" && is_identifier(&k) {
        k
    } else {
        key(&k).into()
    }
}

/// An object key: bare when it is an identifier, quoted otherwise; `__proto__` is computed so it
/// is an own property and never the prototype.
pub fn key(k: &str) -> String {
    if k == "__proto__" {
        format!("[{}]", string_literal(k))
    } else if is_identifier(k) {
        k.to_string()
    } else {
        string_literal(k)
    }
}

/// Prints an expression that starts at column `col` with block indent `indent`, appended to
/// `out` (a declaration is laid out in one buffer, not in a string per node copied into its
/// parent's).
fn print_into(out: &mut String, js: &Js, indent: usize, col: usize) {
    if !breakable(js) {
        write_flat(js, out, usize::MAX);
        return;
    }
    if let Some(room) = WIDTH.checked_sub(col)
        && write_flat_or_undo(js, out, room)
    {
        return;
    }
    match js {
        Js::Raw(_) | Js::Str(_) => {
            write_flat(js, out, usize::MAX);
        }
        Js::Obj { props, .. } => print_obj_broken(out, props, indent),
        Js::Arr(items) => print_arr_broken(out, items, indent),
        Js::Call { callee, args } => print_call_broken(out, callee, args, indent, col),
        Js::Await(e) if matches!(**e, Js::Cond(..)) => {
            out.push_str("await (");
            print_cond_broken(out, e, indent, col + 7);
            out.push(')');
        }
        Js::Await(e) => {
            out.push_str("await ");
            print_into(out, e, indent, col + 6);
        }
        Js::As(e, t) => {
            print_into(out, e, indent, col);
            out.push_str(" as ");
            out.push_str(t);
        }
        Js::Index(e, k) => {
            print_expanded(out, e, indent);
            out.push('[');
            out.push_str(k);
            out.push(']');
        }
        Js::NonNull(e) if matches!(**e, Js::Cond(..)) => {
            out.push('(');
            print_into(out, e, indent, col + 1);
            out.push_str(")!");
        }
        Js::NonNull(e) => {
            print_into(out, e, indent, col);
            out.push('!');
        }
        Js::Cond(..) => print_cond_broken(out, js, indent, col),
    }
}

/// Appends the one-line form of `js` when it is at most `room` bytes long; otherwise leaves
/// `out` as it was and returns false.
fn write_flat_or_undo(js: &Js, out: &mut String, room: usize) -> bool {
    let mark = out.len();
    if write_flat(js, out, mark + room) {
        return true;
    }
    out.truncate(mark);
    false
}

/// `n` spaces.
pub(super) fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let step = left.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        left -= step;
    }
}

/// A call that does not fit on one line: a last object or array argument hugs the call when
/// the other arguments fit on the line; otherwise one argument per line.
fn print_call_broken(out: &mut String, callee: &str, args: &[Js], indent: usize, col: usize) {
    if let Some((last, rest)) = args.split_last()
        && matches!(last, Js::Obj { .. } | Js::Arr(_))
    {
        let mark = out.len();
        out.push_str(callee);
        out.push('(');
        let rest_flat = rest.iter().all(|r| {
            let ok = write_flat(r, out, usize::MAX);
            out.push_str(", ");
            ok
        });
        if rest_flat && (col + (out.len() - mark) < WIDTH || rest.is_empty()) {
            print_expanded(out, last, indent);
            out.push(')');
            return;
        }
        out.truncate(mark);
    }
    out.push_str(callee);
    out.push('(');
    print_one_per_line(out, args, indent, indent + 2, ')');
}

/// Prints an object or array in its multi-line form.
fn print_expanded(out: &mut String, js: &Js, indent: usize) {
    match js {
        Js::Obj { props, .. } if !props.is_empty() => print_obj_broken(out, props, indent),
        Js::Arr(items) if !items.is_empty() => print_arr_broken(out, items, indent),
        other => print_into(out, other, indent, 0),
    }
}

/// An object, one member per line (`{}` when empty).
fn print_obj_broken(out: &mut String, props: &[Prop], indent: usize) {
    if props.is_empty() {
        out.push_str("{}");
        return;
    }
    let inner = indent + 2;
    out.push_str("{\n");
    for p in props {
        pad(out, inner);
        match p {
            Prop::Comment(c) => {
                out.push_str("// ");
                out.push_str(&comment_text(c));
                out.push('\n');
                continue;
            }
            Prop::KeyValue(k, Js::Str(s)) => {
                out.push_str(k);
                let mark = out.len();
                push_string_literal(out, s);
                let literal = out.len() - mark;
                // (+1: the trailing comma counts towards the width, as in Prettier.) A string
                // that does not fit goes on the next line (Prettier's break after the colon).
                if inner + k.len() + 2 + literal + 1 > WIDTH {
                    let mut gap = String::from(":\n");
                    pad(&mut gap, inner + 2);
                    out.insert_str(mark, &gap);
                } else {
                    out.insert_str(mark, ": ");
                }
            }
            Prop::KeyValue(k, v) => {
                out.push_str(k);
                out.push_str(": ");
                print_into(out, v, inner, inner + k.len() + 3);
            }
            Prop::Spread(v) => {
                out.push_str("...");
                spread_body(out, v, inner, inner + 3);
            }
        }
        out.push_str(",\n");
    }
    pad(out, indent);
    out.push('}');
}

/// An array, one item per line.
fn print_arr_broken(out: &mut String, items: &[Js], indent: usize) {
    out.push('[');
    print_one_per_line(out, items, indent, indent + 3, ']');
}

/// `items` one per line (each starting at column `col`, followed by a comma), then `close` on
/// a line of its own.
fn print_one_per_line(out: &mut String, items: &[Js], indent: usize, col: usize, close: char) {
    out.push('\n');
    for it in items {
        pad(out, indent + 2);
        print_into(out, it, indent + 2, col);
        out.push_str(",\n");
    }
    pad(out, indent);
    out.push(close);
}

fn breakable(js: &Js) -> bool {
    match js {
        Js::Raw(_) | Js::Str(_) => false,
        Js::Obj { props, .. } => !props.is_empty(),
        Js::Arr(items) => !items.is_empty(),
        Js::Call { args, .. } => !args.is_empty(),
        Js::Await(e) | Js::As(e, _) | Js::Index(e, _) | Js::NonNull(e) => breakable(e),
        Js::Cond(..) => true,
    }
}

/// The one-line form, or `None` when the expression must span lines.
pub fn flat(js: &Js) -> Option<String> {
    flat_within(js, usize::MAX)
}

/// The one-line form when it is at most `max` bytes long (given up as soon as it is longer).
fn flat_within(js: &Js, max: usize) -> Option<String> {
    let mut out = String::new();
    write_flat(js, &mut out, max).then_some(out)
}

/// Appends the one-line form of `js` to `out`; false as soon as the expression must span lines
/// or `out` is longer than `max` bytes.
fn write_flat(js: &Js, out: &mut String, max: usize) -> bool {
    let ok = match js {
        Js::Raw(r) => {
            out.push_str(r);
            true
        }
        Js::Str(s) => {
            push_string_literal(out, s);
            true
        }
        Js::Obj { props, .. } if props.is_empty() => {
            out.push_str("{}");
            true
        }
        Js::Obj { expand: true, .. } => false,
        Js::Obj { props, .. } => {
            out.push_str("{ ");
            let ok = write_flat_list(props, out, max, |p, out| match p {
                Prop::Comment(_) => false,
                Prop::KeyValue(k, v) => {
                    out.push_str(k);
                    out.push_str(": ");
                    write_flat(v, out, max)
                }
                Prop::Spread(v) => {
                    out.push_str("...");
                    write_parenthesized_if(matches!(v, Js::Cond(..)), v, out, max)
                }
            });
            out.push_str(" }");
            ok
        }
        Js::Arr(items) => {
            out.push('[');
            let ok = write_flat_list(items, out, max, |v, out| write_flat(v, out, max));
            out.push(']');
            ok
        }
        Js::Call { callee, args } => {
            out.push_str(callee);
            out.push('(');
            let ok = write_flat_list(args, out, max, |v, out| write_flat(v, out, max));
            out.push(')');
            ok
        }
        Js::Await(e) => {
            out.push_str("await ");
            write_parenthesized_if(matches!(**e, Js::Cond(..)), e, out, max)
        }
        Js::As(e, t) => {
            let ok = write_flat(e, out, max);
            out.push_str(" as ");
            out.push_str(t);
            ok
        }
        Js::Index(e, k) => {
            let ok = write_flat(e, out, max);
            out.push('[');
            out.push_str(k);
            out.push(']');
            ok
        }
        Js::NonNull(e) => {
            let ok = write_parenthesized_if(matches!(**e, Js::Cond(..)), e, out, max);
            out.push('!');
            ok
        }
        Js::Cond(c, a, b) => {
            // (A branch that is an `as` expression is parenthesised.)
            let ok = write_flat(c, out, max);
            out.push_str(" ? ");
            let ok = ok && write_parenthesized_if(matches!(**a, Js::As(..)), a, out, max);
            out.push_str(" : ");
            ok && write_parenthesized_if(matches!(**b, Js::As(..)), b, out, max)
        }
    };
    ok && out.len() <= max
}

/// The one-line forms of `items`, separated by commas.
fn write_flat_list<T>(
    items: &[T],
    out: &mut String,
    max: usize,
    mut write: impl FnMut(&T, &mut String) -> bool,
) -> bool {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if !write(item, out) || out.len() > max {
            return false;
        }
    }
    true
}

/// The one-line form of `v`, in parentheses when `parens`.
fn write_parenthesized_if(parens: bool, v: &Js, out: &mut String, max: usize) -> bool {
    if parens {
        out.push('(');
    }
    let ok = write_flat(v, out, max);
    if parens {
        out.push(')');
    }
    ok
}

/// `export const name = expr;` (or without `export`), laid out like Prettier.
pub fn declaration(export: bool, name: &str, js: &Js) -> String {
    let mut out = String::new();
    if export {
        out.push_str("export ");
    }
    out.push_str("const ");
    out.push_str(name);
    out.push_str(" = ");
    let head = out.len();
    if !breakable(js) {
        write_flat(js, &mut out, usize::MAX);
        out.push_str(";\n");
        return out;
    }
    // (What fits before the semicolon at column 80.)
    if let Some(room) = (WIDTH - 1).checked_sub(head)
        && write_flat_or_undo(js, &mut out, room)
    {
        out.push_str(";\n");
        return out;
    }
    if let Js::Cond(c, _, _) = js {
        // Prettier keeps a plain identifier test on the declaration line; any other test moves,
        // with the branches, to the next lines.
        if matches!(&**c, Js::Raw(r) if r.split('.').all(is_identifier)) {
            print_cond_broken(&mut out, js, 0, head);
        } else {
            out.truncate(head - 1);
            out.push_str("\n  ");
            print_cond_broken(&mut out, js, 2, 2);
        }
        out.push_str(";\n");
        return out;
    }
    print_into(&mut out, js, 0, head);
    out.push_str(";\n");
    out
}

/// The expression after `...` in an object: conditionals are parenthesised.
fn spread_body(out: &mut String, v: &Js, indent: usize, col: usize) {
    if !matches!(v, Js::Cond(..)) {
        return print_into(out, v, indent, col);
    }
    out.push('(');
    let fits = WIDTH
        .checked_sub(col + 3)
        .is_some_and(|room| write_flat_or_undo(v, out, room));
    if !fits {
        print_cond_broken(out, v, indent, col + 1);
    }
    out.push(')');
}

fn print_cond_broken(out: &mut String, v: &Js, indent: usize, col: usize) {
    let Js::Cond(c, a, b) = v else {
        return print_into(out, v, indent, col);
    };
    print_into(out, c, indent, col);
    out.push('\n');
    pad(out, indent + 2);
    out.push_str("? ");
    branch(out, a, indent + 4);
    out.push('\n');
    pad(out, indent + 2);
    out.push_str(": ");
    branch(out, b, indent + 4);
}

/// A conditional's branch; `as` expressions are parenthesised there, as Prettier does, and a
/// nested conditional (a chain) is indented by two more.
fn branch(out: &mut String, v: &Js, indent: usize) {
    match v {
        Js::Cond(..) => print_cond_broken(out, v, indent - 2, indent),
        Js::As(e, t) => {
            out.push('(');
            let fits = WIDTH
                .checked_sub(indent + 2)
                .is_some_and(|room| write_flat_or_undo(v, out, room));
            if !fits {
                print_expanded(out, e, indent);
                out.push_str(" as ");
                out.push_str(t);
            }
            out.push(')');
        }
        other => print_into(out, other, indent, indent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cases: &[(Js, &str)]) {
        for (js, want) in cases {
            let got = declaration(false, "x", js);
            assert_eq!(got, *want, "{js:?}");
        }
    }

    fn kv<'a>(k: &'static str, v: &'a str) -> Prop<'a> {
        Prop::kv(k, Js::str(v))
    }

    #[test]
    fn string_literals_evaluate_to_their_text() {
        let cases = [
            ("plain", "\"plain\""),
            ("say \"hi\"", "'say \"hi\"'"),
            ("it's \"x\" 'y'", "\"it's \\\"x\\\" 'y'\""),
            ("back\\slash", "\"back\\\\slash\""),
            ("a\nb\r\tc", "\"a\\nb\\r\\tc\""),
            ("</script>", "\"<\\/script>\""),
            ("bell\u{7}", "\"bell\\u0007\""),
            ("line\u{2028}sep", "\"line\\u2028sep\""),
            ("\u{202e}rtl", "\"\\u202ertl\""),
            ("bom\u{feff}", "\"bom\\ufeff\""),
            ("é ✓ 🙂", "\"é ✓ 🙂\""),
        ];
        for (text, want) in cases {
            assert_eq!(string_literal(text), want, "{text:?}");
        }
    }

    /// The shortcut for literals with nothing to escape takes exactly the ASCII strings whose
    /// literal is the text in double quotes (`<` and `/` apart are plain, `</` is not).
    #[test]
    fn plain_literals_are_the_text_in_double_quotes() {
        let cases = [
            "",
            "plain",
            "a < b / c",
            "</",
            "a</b",
            "<",
            "/<",
            "x/",
            "\"",
            "\\",
            "~",
            "\u{7f}",
            "\t",
            "é",
        ];
        for text in cases {
            let literal = string_literal(text);
            assert_eq!(
                is_plain_literal(text),
                text.is_ascii() && literal == format!("\"{text}\""),
                "{text:?} → {literal}"
            );
        }
    }

    #[test]
    fn padding_is_spaces() {
        for n in [0, 1, 63, 64, 65, 200] {
            let mut out = String::from("x");
            pad(&mut out, n);
            assert_eq!(out, format!("x{}", " ".repeat(n)));
        }
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_text("a\nb\r\u{2028}c\u{202e}"), "a b  c ");
    }

    #[test]
    fn keys_and_numbers() {
        let keys = [
            ("name", "name"),
            ("$ok_1", "$ok_1"),
            ("a-b", "\"a-b\""),
            ("1x", "\"1x\""),
            ("", "\"\""),
            ("__proto__", "[\"__proto__\"]"),
        ];
        for (k, want) in keys {
            assert_eq!(key(k), want, "{k:?}");
        }
        let numbers = [
            (1.0, "1"),
            (-3.0, "-3"),
            (0.5, "0.5"),
            (1e20, "100000000000000000000"),
            (1e16, "10000000000000000"),
            (f64::NAN, "0"),
            (f64::INFINITY, "0"),
        ];
        for (n, want) in numbers {
            assert_eq!(number(n), want, "{n}");
        }
    }

    #[test]
    fn objects_break_when_they_do_not_fit() {
        let long = "a".repeat(60);
        check(&[
            (Js::obj(vec![kv("a", "b")]), "const x = { a: \"b\" };\n"),
            (Js::obj(vec![]), "const x = {};\n"),
            (
                Js::expanded(vec![kv("a", "b")]),
                "const x = {\n  a: \"b\",\n};\n",
            ),
            (
                Js::obj(vec![kv("a", &long), kv("b", "c")]),
                "const x = {\n  a: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n  b: \"c\",\n};\n",
            ),
            (
                Js::obj(vec![Prop::comment("note"), kv("a", "b")]),
                "const x = {\n  // note\n  a: \"b\",\n};\n",
            ),
            (
                Js::Arr(vec![Js::str(&long), Js::str("b")]),
                "const x = [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"b\"];\n",
            ),
            (
                Js::Arr(vec![Js::str(&long), Js::str("b"), Js::str("c")]),
                "const x = [\n  \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n  \"b\",\n  \"c\",\n];\n",
            ),
        ]);
    }

    #[test]
    fn a_string_that_does_not_fit_breaks_after_the_colon() {
        let long = "x".repeat(70);
        check(&[(
            Js::expanded(vec![kv("description", &long)]),
            "const x = {\n  description:\n    \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\n};\n",
        )]);
    }

    #[test]
    fn calls_hug_their_last_object() {
        let long = "b".repeat(70);
        check(&[
            (
                Js::call("f", vec![Js::str("id"), Js::obj(vec![kv("a", "b")])]),
                "const x = f(\"id\", { a: \"b\" });\n",
            ),
            (
                Js::await_(Js::call(
                    "Worker",
                    vec![Js::str("id"), Js::obj(vec![kv("a", &long)])],
                )),
                "const x = await Worker(\"id\", {\n  a: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\n});\n",
            ),
            (
                Js::call("f", vec![Js::str(&long), Js::str("c")]),
                "const x = f(\n  \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\n  \"c\",\n);\n",
            ),
            (Js::call("f", vec![]), "const x = f();\n"),
        ]);
    }

    #[test]
    fn conditionals() {
        let long = "c".repeat(60);
        fn cond<'a>(c: &str, a: Js<'a>, b: Js<'a>) -> Js<'a> {
            Js::Cond(Box::new(Js::raw(c.to_string())), Box::new(a), Box::new(b))
        }
        check(&[
            (
                cond("stage", Js::str("a"), Js::str("b")),
                "const x = stage ? \"a\" : \"b\";\n",
            ),
            (
                cond("stage", Js::str(&long), Js::raw("undefined")),
                "const x = stage\n  ? \"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"\n  : undefined;\n",
            ),
            (
                cond("stage === \"p\"", Js::str(&long), Js::raw("undefined")),
                "const x =\n  stage === \"p\"\n    ? \"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"\n    : undefined;\n",
            ),
            (
                Js::NonNull(Box::new(cond("stage", Js::raw("a"), Js::raw("b")))),
                "const x = (stage ? a : b)!;\n",
            ),
            (
                cond(
                    "stage",
                    Js::As(Box::new(Js::obj(vec![kv("a", "b")])), "T".into()),
                    Js::raw("u"),
                ),
                "const x = stage ? ({ a: \"b\" } as T) : u;\n",
            ),
            (
                Js::expanded(vec![Prop::Spread(cond(
                    "s",
                    Js::obj(vec![kv("A", "a")]),
                    Js::obj(vec![]),
                ))]),
                "const x = {\n  ...(s ? { A: \"a\" } : {}),\n};\n",
            ),
            (
                Js::await_(cond("s", Js::raw("a()"), Js::raw("b()"))),
                "const x = await (s ? a() : b());\n",
            ),
        ]);
    }

    /// A tree made to own its text prints and compares as the borrowing one.
    #[test]
    fn trees_that_own_their_text_are_the_same() {
        let v = serde_json::json!({"a": [1, "two", null], "b": {"c": "d"}});
        let borrowed = Js::call("f", vec![Js::json(&v), Js::str("e")]);
        let owned = borrowed.clone().into_owned();
        assert_eq!(owned, borrowed);
        assert_eq!(flat(&owned), flat(&borrowed));
    }

    #[test]
    fn json_values_as_literals() {
        let v = serde_json::json!({"a": [1, 2.5, null, true], "b-c": {"d": "e"}});
        assert_eq!(
            flat(&Js::json(&v)).unwrap(),
            "{ a: [1, 2.5, null, true], \"b-c\": { d: \"e\" } }"
        );
    }
}
