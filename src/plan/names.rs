//! Names in the generated program: what a TypeScript identifier is, the words it cannot be,
//! camelCase from wrangler's names, and the allocation of unique identifiers and resource ids
//! (the same slot gets the same name in every stage).

use crate::{HashMap, HashSet};

/// Words that cannot be (or should not shadow) an identifier of the program: JavaScript and
/// TypeScript keywords and the globals the generated code relies on.
const RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "as",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "await",
    "async",
    "of",
    "get",
    "set",
    "type",
    "declare",
    "module",
    "namespace",
    "any",
    "unknown",
    "never",
    "undefined",
    "NaN",
    "Infinity",
    "arguments",
    "eval",
    "constructor",
    "prototype",
    "__proto__",
    "globalThis",
    "process",
    "require",
    "exports",
    "Object",
    "Promise",
    "Symbol",
    "String",
    "Number",
    "Boolean",
    "Array",
    "Error",
    "JSON",
    "Math",
    "Date",
    "Map",
    "Set",
];

pub fn is_reserved(s: &str) -> bool {
    // (Looked up for every name given out: hashed once, not compared word by word.)
    static WORDS: std::sync::LazyLock<HashSet<&'static str>> =
        std::sync::LazyLock::new(|| RESERVED.iter().copied().collect());
    WORDS.contains(s)
}

/// Whether `s` is a plain ASCII identifier.
pub fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
}

/// camelCase of a name (`user-db` → `userDb`, `AUTH_SERVICE` → `authService`); ASCII only,
/// never empty, never starting with a digit.
pub fn camel(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(split_case)
        .collect();
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut cs = lower.chars();
            if let Some(f) = cs.next() {
                out.push(f.to_ascii_uppercase());
                out.extend(cs);
            }
        }
    }
    if out.is_empty() {
        out.push('x');
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Splits `fooBar` into `foo`, `Bar` (all-caps words stay whole).
fn split_case(word: &str) -> Vec<String> {
    if word.chars().all(|c| !c.is_ascii_lowercase()) {
        return vec![word.to_string()];
    }
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in word.chars() {
        if c.is_ascii_uppercase() && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// Identifiers and ids shared by the programs of several stages: the same slot (a worker, a
/// binding of a worker) gets the same name in each.
#[derive(Default)]
pub struct Shared {
    names: Names,
    idents: HashMap<String, String>,
    ids: HashMap<String, String>,
}

impl Shared {
    /// Keeps `words` (the target program's own identifiers) from being given out.
    pub(super) fn reserve(&mut self, words: &[&str]) {
        self.names
            .reserved
            .extend(words.iter().map(|w| w.to_string()));
    }

    /// Room for the names of a program of `workers` workers: about three identifiers and two
    /// ids each (the worker's and its resources'). Stages share most names: a later stage's
    /// program adds room only where it is larger.
    pub(super) fn make_room(&mut self, workers: usize) {
        let (idents, ids) = (3 * workers, 2 * workers);
        self.idents
            .reserve(idents.saturating_sub(self.idents.len()));
        self.names
            .idents
            .reserve(idents.saturating_sub(self.names.idents.len()));
        self.ids.reserve(ids.saturating_sub(self.ids.len()));
        self.names
            .ids
            .reserve(ids.saturating_sub(self.names.ids.len()));
    }

    pub(super) fn ident(&mut self, slot: &str, base: impl FnOnce() -> String) -> String {
        if let Some(i) = self.idents.get(slot) {
            return i.clone();
        }
        let i = self.names.ident(base());
        self.idents.insert(slot.to_string(), i.clone());
        i
    }

    pub(super) fn id(&mut self, slot: &str, base: impl FnOnce() -> String) -> String {
        if let Some(i) = self.ids.get(slot) {
            return i.clone();
        }
        let i = self.names.id(&base());
        self.ids.insert(slot.to_string(), i.clone());
        i
    }
}

/// Allocates identifiers and ids, unique in the program.
#[derive(Default)]
struct Names {
    idents: HashSet<String>,
    ids: HashSet<String>,
    /// Next numeric suffix to try per base, for the bases met taken (keeps allocation linear
    /// when many names share a base); a base not in it starts at 2.
    next: HashMap<String, usize>,
    /// Names the target's program uses for itself.
    reserved: HashSet<String>,
}

impl Names {
    fn ident(&mut self, mut base: String) -> String {
        if is_reserved(&base) || self.reserved.contains(&base) {
            base.push('_');
        }
        Self::unique(&mut self.idents, &mut self.next, base, "")
    }

    fn id(&mut self, base: &str) -> String {
        let mut base: String = base
            .chars()
            .map(|c| if c == ':' || c.is_control() { '-' } else { c })
            .collect();
        if base.is_empty() {
            base = "resource".into();
        }
        Self::unique(&mut self.ids, &mut self.next, base, "-")
    }

    /// `base`, or the first numbered form of it not in `taken`; added to `taken`.
    fn unique(
        taken: &mut HashSet<String>,
        next: &mut HashMap<String, usize>,
        base: String,
        sep: &str,
    ) -> String {
        let candidate = if taken.contains(&base) {
            Self::numbered(taken, next, base, sep)
        } else {
            base
        };
        taken.insert(candidate.clone());
        candidate
    }

    /// The first `<base><sep><n>` not in `taken`, `n` from 2 or where the last search for this
    /// base ended (ids are remembered under `id:<base>`, apart from identifiers).
    fn numbered(
        taken: &HashSet<String>,
        next: &mut HashMap<String, usize>,
        base: String,
        sep: &str,
    ) -> String {
        let key = if sep.is_empty() {
            base.clone()
        } else {
            ["id:", &base].concat()
        };
        let mut n = next.get(&key).copied().unwrap_or(2);
        let numbered = |n: usize| {
            use std::fmt::Write as _;
            let mut c = String::with_capacity(base.len() + sep.len() + 4);
            c.push_str(&base);
            c.push_str(sep);
            let _ = write!(c, "{n}");
            c
        };
        let mut candidate = numbered(n);
        while taken.contains(&candidate) {
            n += 1;
            candidate = numbered(n);
        }
        next.insert(key, n + 1);
        candidate
    }
}

/// camelCase of `name` ending in `suffix` (`CACHE` → `cacheKv`, `SESSION_KV` → `sessionKv`).
pub(super) fn suffixed(name: &str, suffix: &str) -> String {
    let c = camel(name);
    if c.to_ascii_lowercase()
        .ends_with(&suffix.to_ascii_lowercase())
    {
        c
    } else {
        c + suffix
    }
}

/// A binding or worker name as wrangler turns it into a resource name (`USER_FILES` →
/// `user-files`).
pub(super) fn kebab(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

pub(super) fn worker_ident(script: &str) -> String {
    let c = camel(script);
    if c.to_ascii_lowercase().contains("worker") {
        c
    } else {
        c + "Worker"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `f` to each input and compares with the expected output, naming the input on failure.
    fn check(f: impl Fn(&str) -> String, cases: &[(&str, &str)]) {
        for (input, want) in cases {
            assert_eq!(f(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn kebab_case_as_wrangler_names_resources() {
        check(
            kebab,
            &[
                ("USER_FILES", "user-files"),
                ("cache", "cache"),
                ("A_b-C", "a-b-c"),
                ("_É_", "-É-"),
            ],
        );
    }

    #[test]
    fn camel_case_from_wrangler_names() {
        check(
            camel,
            &[
                ("user-db", "userDb"),
                ("AUTH_SERVICE", "authService"),
                ("fooBar", "fooBar"),
                ("FooBar", "fooBar"),
                ("my.bucket.v2", "myBucketV2"),
                ("2fa", "_2fa"),
                ("", "x"),
                ("---", "x"),
                ("café-db", "cafDb"),
                ("API", "api"),
            ],
        );
    }

    #[test]
    fn a_suffix_is_added_once() {
        check(
            |n| suffixed(n, "Kv"),
            &[
                ("CACHE", "cacheKv"),
                ("SESSION_KV", "sessionKv"),
                ("kv", "kv"),
            ],
        );
        check(
            worker_ident,
            &[
                ("auth", "authWorker"),
                ("api-worker", "apiWorker"),
                ("workers-api", "workersApi"),
            ],
        );
    }

    #[test]
    fn identifiers_and_reserved_words() {
        let cases = [
            ("auth", true, false),
            ("_x$1", true, false),
            ("1a", false, false),
            ("a-b", false, false),
            ("", false, false),
            ("é", false, false),
            ("default", true, true),
            ("Promise", true, true),
            ("__proto__", true, true),
        ];
        for (s, ident, reserved) in cases {
            assert_eq!(
                (is_identifier(s), is_reserved(s)),
                (ident, reserved),
                "{s:?}"
            );
        }
    }

    #[test]
    fn identifiers_are_unique_and_never_reserved() {
        let mut names = Names::default();
        names.reserved.insert("Worker".into());
        let got: Vec<String> = [
            "auth", "auth", "auth", "default", "default", "Worker", "auth2",
        ]
        .iter()
        .map(|b| names.ident(b.to_string()))
        .collect();
        assert_eq!(
            got,
            [
                "auth",
                "auth2",
                "auth3",
                "default_",
                "default_2",
                "Worker_",
                "auth22"
            ]
            .map(String::from)
        );
    }

    #[test]
    fn ids_are_unique_and_printable() {
        let mut names = Names::default();
        let got: Vec<String> = ["db", "db", "a:b", "a\nb", "", ""]
            .iter()
            .map(|b| names.id(b))
            .collect();
        assert_eq!(
            got,
            ["db", "db-2", "a-b", "a-b-2", "resource", "resource-2"].map(String::from)
        );
    }

    #[test]
    fn a_slot_keeps_its_names_in_every_stage() {
        let mut shared = Shared::default();
        let first = shared.ident("w/CACHE", || "cache".into());
        let other = shared.ident("v/CACHE", || "cache".into());
        let again = shared.ident("w/CACHE", || unreachable!("the slot is named already"));
        assert_eq!(
            (first.as_str(), other.as_str(), again.as_str()),
            ("cache", "cache2", "cache")
        );
        let id = shared.id("w/CACHE", || "cache".into());
        assert_eq!(id, "cache", "identifiers and ids are separate namespaces");
        assert_eq!(shared.id("w/CACHE", || unreachable!()), "cache");
    }
}
