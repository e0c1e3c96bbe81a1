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
}
