//! A tiny TypeScript expression model and printer that lays code out the way Prettier does
//! (80 columns, two-space indent, double quotes, trailing commas, objects that do not fit are
//! expanded, a last object argument hugs its call), plus literal escaping.

pub use crate::plan::names::is_identifier;

/// Print width, as Prettier's default.
pub const WIDTH: usize = 80;

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Js {
    /// Code written as it is (identifiers, member access, numbers).
    Raw(String),
    /// A string literal (escaped when printed).
    Str(String),
    /// An object literal; `expand` keeps it multi-line even when it would fit.
    Obj {
        props: Vec<Prop>,
        expand: bool,
    },
    Arr(Vec<Js>),
    /// `callee<type_args>(args)`.
    Call {
        callee: String,
        args: Vec<Js>,
    },
    Await(Box<Js>),
    /// `cond ? a : b`.
    Cond(Box<Js>, Box<Js>, Box<Js>),
    /// `expr as Type`.
    As(Box<Js>, String),
    /// `expr[key]` (the key is written as it is).
    Index(Box<Js>, String),
    /// `expr!`.
    NonNull(Box<Js>),
}

/// An object member, or a comment line between members.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    KeyValue(String, Js),
    /// `...expr`.
    Spread(Js),
    Comment(String),
}

impl Js {
    pub fn raw(s: impl Into<String>) -> Js {
        Js::Raw(s.into())
    }
    pub fn str(s: impl Into<String>) -> Js {
        Js::Str(s.into())
    }
    pub fn call(callee: impl Into<String>, args: Vec<Js>) -> Js {
        Js::Call {
            callee: callee.into(),
            args,
        }
    }
    pub fn await_(inner: Js) -> Js {
        Js::Await(Box::new(inner))
    }
    pub fn obj(props: Vec<Prop>) -> Js {
        Js::Obj {
            props,
            expand: false,
        }
    }
    pub fn expanded(props: Vec<Prop>) -> Js {
        Js::Obj {
            props,
            expand: true,
        }
    }
    pub fn num(n: f64) -> Js {
        Js::Raw(number(n))
    }
    pub fn bool(b: bool) -> Js {
        Js::Raw(b.to_string())
    }
    /// A JSON value as a TypeScript literal.
    pub fn json(v: &serde_json::Value) -> Js {
        use serde_json::Value as J;
        match v {
            J::Null => Js::raw("null"),
            J::Bool(b) => Js::bool(*b),
            J::Number(n) => Js::Raw(
                n.as_i64()
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| number(n.as_f64().unwrap_or(0.0))),
            ),
            J::String(s) => Js::str(s.clone()),
            J::Array(a) => Js::Arr(a.iter().map(Js::json).collect()),
            J::Object(m) => Js::obj(
                m.iter()
                    .map(|(k, v)| Prop::KeyValue(key(k), Js::json(v)))
                    .collect(),
            ),
        }
    }
}

impl Prop {
    pub fn kv(k: &str, v: Js) -> Prop {
        Prop::KeyValue(key(k), v)
    }
    pub fn comment(text: impl Into<String>) -> Prop {
        Prop::Comment(text.into())
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
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
        && !s.contains("</")
    {
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

/// Characters written as `\uXXXX`: controls, line/paragraph separators, invisible direction marks.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Text for a `//` comment: one line, nothing that could end the comment early.
pub fn comment_text(s: &str) -> String {
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

/// Prints an expression that starts at column `col` with block indent `indent`.
pub fn print(js: &Js, indent: usize, col: usize) -> String {
    if !breakable(js) {
        return flat(js).unwrap_or_default();
    }
    if let Some(room) = WIDTH.checked_sub(col)
        && let Some(flat) = flat_within(js, room)
    {
        return flat;
    }
    let pad = " ".repeat(indent);
    let inner = " ".repeat(indent + 2);
    match js {
        Js::Raw(_) | Js::Str(_) => flat(js).unwrap_or_default(),
        Js::Obj { props, .. } => print_obj_broken(props, indent),
        Js::Arr(items) => print_arr_broken(items, indent),
        Js::Call { callee, args } => {
            // Hug a last object/array argument when the other arguments fit on the line.
            if let Some((last, rest)) = args.split_last() {
                let rest_flat: Option<Vec<String>> = rest.iter().map(flat).collect();
                if let (Some(rest_flat), true) =
                    (rest_flat, matches!(last, Js::Obj { .. } | Js::Arr(_)))
                {
                    let mut head = format!("{callee}(");
                    for r in &rest_flat {
                        head.push_str(r);
                        head.push_str(", ");
                    }
                    if col + head.len() < WIDTH || rest.is_empty() {
                        let body = print_expanded(last, indent);
                        return format!("{head}{body})");
                    }
                }
            }
            let mut s = format!("{callee}(\n");
            for a in args {
                let body = print(a, indent + 2, indent + 2);
                s.push_str(&format!("{inner}{body},\n"));
            }
            s.push_str(&pad);
            s.push(')');
            s
        }
        Js::Await(e) if matches!(**e, Js::Cond(..)) => {
            format!("await ({})", print_cond_broken(e, indent, col + 7))
        }
        Js::Await(e) => format!("await {}", print(e, indent, col + 6)),
        Js::As(e, t) => format!("{} as {t}", print(e, indent, col)),
        Js::Index(e, k) => format!("{}[{k}]", print_expanded(e, indent)),
        Js::NonNull(e) => match **e {
            Js::Cond(..) => format!("({})!", print(e, indent, col + 1)),
            _ => format!("{}!", print(e, indent, col)),
        },
        Js::Cond(..) => print_cond_broken(js, indent, col),
    }
}

/// Prints an object or array in its multi-line form.
fn print_expanded(js: &Js, indent: usize) -> String {
    match js {
        Js::Obj { props, .. } if !props.is_empty() => print_obj_broken(props, indent),
        Js::Arr(items) if !items.is_empty() => print_arr_broken(items, indent),
        other => print(other, indent, 0),
    }
}

/// An object, one member per line (`{}` when empty).
fn print_obj_broken(props: &[Prop], indent: usize) -> String {
    if props.is_empty() {
        return "{}".into();
    }
    let inner = " ".repeat(indent + 2);
    let mut s = String::from("{\n");
    for p in props {
        match p {
            Prop::Comment(c) => {
                s.push_str(&inner);
                s.push_str("// ");
                s.push_str(&comment_text(c));
                s.push('\n');
            }
            Prop::KeyValue(k, v) => {
                let head_len = inner.len() + k.len() + 2;
                // (+1: the trailing comma counts towards the width, as in Prettier.)
                let body = print(v, indent + 2, head_len + 1);
                s.push_str(&inner);
                s.push_str(k);
                if matches!(v, Js::Str(_)) && head_len + body.len() + 1 > WIDTH {
                    // A string that does not fit goes on the next line (Prettier's break after
                    // the colon).
                    s.push_str(":\n");
                    s.push_str(&inner);
                    s.push_str("  ");
                } else {
                    s.push_str(": ");
                }
                s.push_str(&body);
                s.push_str(",\n");
            }
            Prop::Spread(v) => {
                let body = spread_body(v, indent + 2, inner.len() + 3);
                s.push_str(&inner);
                s.push_str("...");
                s.push_str(&body);
                s.push_str(",\n");
            }
        }
    }
    s.push_str(&inner[2..]);
    s.push('}');
    s
}

/// An array, one item per line.
fn print_arr_broken(items: &[Js], indent: usize) -> String {
    let inner = " ".repeat(indent + 2);
    let mut s = String::from("[\n");
    for it in items {
        s.push_str(&inner);
        s.push_str(&print(it, indent + 2, indent + 3));
        s.push_str(",\n");
    }
    s.push_str(&inner[2..]);
    s.push(']');
    s
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
    let head = format!("{}const {name} = ", if export { "export " } else { "" });
    let one_line = if breakable(js) {
        // (What fits before the semicolon at column 80.)
        (WIDTH - 1)
            .checked_sub(head.len())
            .and_then(|room| flat_within(js, room))
    } else {
        flat(js)
    };
    if let Some(f) = one_line {
        return format!("{head}{f};\n");
    }
    if let Js::Cond(c, a, b) = js {
        // Prettier keeps a plain identifier test on the declaration line; any other test moves,
        // with the branches, to the next lines.
        if !matches!(&**c, Js::Raw(r) if r.split('.').all(is_identifier)) {
            return format!("{}\n  {};\n", head.trim_end(), print_cond_broken(js, 2, 2));
        }
        let c = print(c, 0, head.len());
        let a = branch(a, 4);
        let b = branch(b, 4);
        return format!("{head}{c}\n  ? {a}\n  : {b};\n");
    }
    format!("{head}{};\n", print(js, 0, head.len()))
}

/// The expression after `...` in an object: conditionals are parenthesised.
fn spread_body(v: &Js, indent: usize, col: usize) -> String {
    match v {
        Js::Cond(..) => match flat(v) {
            Some(f) if col + f.len() + 3 <= WIDTH => format!("({f})"),
            _ => format!("({})", print_cond_broken(v, indent, col + 1)),
        },
        other => print(other, indent, col),
    }
}

fn print_cond_broken(v: &Js, indent: usize, col: usize) -> String {
    let Js::Cond(c, a, b) = v else {
        return print(v, indent, col);
    };
    let inner = " ".repeat(indent + 2);
    let c = print(c, indent, col);
    let a = branch(a, indent + 4);
    let b = branch(b, indent + 4);
    format!("{c}\n{inner}? {a}\n{inner}: {b}")
}

/// A conditional's branch; `as` expressions are parenthesised there, as Prettier does, and a
/// nested conditional (a chain) is indented by two more.
fn branch(v: &Js, indent: usize) -> String {
    match v {
        Js::Cond(..) => print_cond_broken(v, indent - 2, indent),
        Js::As(e, t) => match flat(v) {
            Some(f) if indent + f.len() + 2 <= WIDTH => format!("({f})"),
            _ => format!("({} as {t})", print_expanded(e, indent)),
        },
        other => print(other, indent, indent),
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

    fn kv(k: &str, v: &str) -> Prop {
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
        let cond = |c: &str, a: Js, b: Js| Js::Cond(Box::new(Js::raw(c)), Box::new(a), Box::new(b));
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

    #[test]
    fn json_values_as_literals() {
        let v = serde_json::json!({"a": [1, 2.5, null, true], "b-c": {"d": "e"}});
        assert_eq!(
            flat(&Js::json(&v)).unwrap(),
            "{ a: [1, 2.5, null, true], \"b-c\": { d: \"e\" } }"
        );
    }
}
