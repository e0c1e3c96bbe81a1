//! Paths in the generated program: relative to the output folder, `./`-prefixed, `/`-separated.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// Lexically normalises an absolute path (`a/./b/../c` → `a/c`).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to the folder `from`, `./`-prefixed, with `/` separators.
pub fn relative(from: &Path, to: &Path) -> String {
    #[cfg(unix)]
    if let (Some(f), Some(t)) = (from.to_str(), to.to_str())
        && let Some(r) = relative_plain(f, t)
    {
        return r;
    }
    relative_by_components(from, to)
}

/// [`relative`] worked out on the text, for the common case: two absolute paths with nothing
/// to normalise (no empty, `.` or `..` segment, no trailing `/`). `None` otherwise.
#[cfg(unix)]
fn relative_plain(from: &str, to: &str) -> Option<String> {
    if !is_plain(from) || !is_plain(to) {
        return None;
    }
    // (The root has no segment; every other segment is `/` and a name.)
    let (f, t) = (without_root(from).as_bytes(), without_root(to).as_bytes());
    let boundary = |p: &[u8], k: usize| k == p.len() || p[k] == b'/';
    // The end of the segments both paths share: the last place within their common bytes
    // where a segment ends in both (0 always qualifies).
    let mut common = f.iter().zip(t).take_while(|(a, b)| a == b).count();
    while !(boundary(f, common) && boundary(t, common)) {
        common -= 1;
    }
    let up = f[common..].iter().filter(|&&b| b == b'/').count();
    let rest = &to[to.len() - (t.len() - common)..];
    let mut out = String::with_capacity(3 * up + rest.len() + 1);
    if up == 0 {
        out.push('.');
    } else {
        out.push_str("..");
        for _ in 1..up {
            out.push_str("/..");
        }
    }
    out.push_str(rest);
    Some(out)
}

/// A plain path's segments, each a `/` and a name: the root alone has none.
#[cfg(unix)]
fn without_root(p: &str) -> &str {
    if p == "/" { "" } else { p }
}

/// An absolute path with nothing to normalise: `/`, or `/` and [`plain_names`].
#[cfg(unix)]
fn is_plain(p: &str) -> bool {
    p == "/" || p.strip_prefix('/').is_some_and(plain_names)
}

/// Whether `s` is one or more `/`-separated names, none empty, `.` or `..`: a relative path
/// with nothing to normalise, whose segments compare as its bytes do.
pub fn plain_names(s: &str) -> bool {
    s.as_bytes()
        .split(|&b| b == b'/')
        .all(|name| !name.is_empty() && name != b"." && name != b"..")
}

/// [`relative`] by the paths' components, whatever they hold.
fn relative_by_components(from: &Path, to: &Path) -> String {
    let from = lexical_parts(from);
    let to = lexical_parts(to);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<std::borrow::Cow<'_, str>> =
        std::iter::repeat_n("..".into(), from.len() - common).collect();
    parts.extend(to[common..].iter().map(|c| c.to_string_lossy()));
    let joined = parts.join("/");
    if joined.starts_with("..") {
        joined
    } else if joined.is_empty() {
        ".".into()
    } else {
        format!("./{joined}")
    }
}

/// The components of `p` as [`normalize`] leaves them (`.` dropped, `..` taking the previous
/// one away, never the root), borrowed from `p`.
fn lexical_parts(p: &Path) -> Vec<&OsStr> {
    let mut out: Vec<&OsStr> = Vec::new();
    let mut fixed = 0;
    for c in p.components() {
        match c {
            Component::ParentDir => {
                if out.len() > fixed {
                    out.pop();
                }
            }
            Component::CurDir => {}
            Component::Prefix(_) | Component::RootDir => {
                out.push(c.as_os_str());
                fixed = out.len();
            }
            Component::Normal(part) => out.push(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain names: no empty, `.` or `..` segment, no leading or trailing separator.
    #[test]
    fn plain_names_are_relative_paths_with_nothing_to_normalise() {
        for plain in ["a", "a/b", "..a/b.", "é/x.ts", "src/index.ts"] {
            assert!(plain_names(plain), "{plain}");
        }
        for not in ["", "/a", "a/", "a//b", "./a", "a/./b", "a/..", ".", ".."] {
            assert!(!plain_names(not), "{not}");
        }
    }

    /// `(from, to) → relative path`; the same as going through [`normalize`].
    #[test]
    fn relative_paths_between_folders() {
        let cases = [
            ("/out", "/out/a/b.ts", "./a/b.ts"),
            ("/out", "/out", "."),
            (
                "/out/x",
                "/apps/api/src/index.ts",
                "../../apps/api/src/index.ts",
            ),
            ("/out/./x/..", "/out/y/../z.ts", "./z.ts"),
            ("/", "/../a/./b", "./a/b"),
            ("/a/b", "/", "../.."),
            ("rel/dir", "rel/other/f.ts", "../other/f.ts"),
            ("a/../..", "b", "./b"),
        ];
        for (from, to, want) in cases {
            let got = relative(Path::new(from), Path::new(to));
            assert_eq!(got, want, "{from} → {to}");
            let parts = |p: &str| -> Vec<String> {
                normalize(Path::new(p))
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            };
            let lexical: Vec<String> = lexical_parts(Path::new(to))
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            assert_eq!(lexical, parts(to), "{to}");
        }
    }

    /// The text shortcut agrees with the components on every pair of paths made of a few
    /// segments (plain ones, and `.`, `..` and empty ones that send it back to the components).
    #[test]
    fn the_text_shortcut_agrees_with_the_components() {
        let segments = ["a", "b", "ab", ".", "..", "", "a.b"];
        let mut paths = vec!["/".to_string()];
        for x in segments {
            paths.push(format!("/{x}"));
            for y in segments {
                paths.push(format!("/{x}/{y}"));
                for z in segments {
                    paths.push(format!("/{x}/{y}/{z}"));
                }
            }
        }
        paths.extend(["/a/", "/a/b/", "//a", "a/b", "rel"].map(String::from));
        for from in &paths {
            for to in &paths {
                assert_eq!(
                    relative(Path::new(from), Path::new(to)),
                    relative_by_components(Path::new(from), Path::new(to)),
                    "{from} → {to}"
                );
            }
        }
    }
}
