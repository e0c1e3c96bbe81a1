//! Discover: finds the wrangler configs of a monorepo. It walks the file system (for
//! [`read`](crate::read), which reads what it finds).
//!
//! `--discover DIR` walks DIR honouring `.gitignore`, skipping `node_modules`, `.wrangler`,
//! `.alchemy`, `dist` and hidden folders, never following symlinks (so loops cannot trap it).
//! In one folder wrangler reads `wrangler.json` before `wrangler.jsonc` before `wrangler.toml`;
//! the shadowed files are reported. The result is sorted by path, whatever the file-system order.

use crate::diagnostics::{Diagnostic, codes};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

mod folder;
mod walk;

/// Config file names in wrangler's order of precedence.
pub const CONFIG_NAMES: [&str; 3] = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

const SKIPPED_DIRS: [&str; 4] = ["node_modules", ".wrangler", ".alchemy", "dist"];

/// A config file found, with its bytes when the walk read them and the `.dev.vars` files
/// beside it when the walk listed its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// `None`: to be read (by path).
    pub bytes: Option<Vec<u8>>,
    /// The names in its folder that start with `.dev.vars`; `None`: not listed (each one is
    /// then looked for).
    pub dev_vars: Option<Vec<String>>,
}

impl Found {
    /// A file named on the command line, not read yet.
    pub fn unread(path: PathBuf) -> Found {
        Found {
            path,
            bytes: None,
            dev_vars: None,
        }
    }
}

impl AsRef<Path> for Found {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// What a walk of a folder found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The configs chosen, one per folder, sorted by path.
    pub files: Vec<Found>,
    pub diagnostics: Vec<Diagnostic>,
    /// The folder, or something under it, could not be read.
    pub failed: bool,
}

/// Finds every config under `dir`.
pub fn discover(dir: &Path) -> Discovered {
    let mut diags = Vec::new();
    if !dir.is_dir() {
        diags.push(codes::unreadable(
            &dir.display().to_string(),
            "not a directory",
        ));
        return Discovered {
            diagnostics: diags,
            failed: true,
            ..Discovered::default()
        };
    }
    let walk::Walked {
        configs: found,
        mut errors,
    } = walk::walk(dir, &CONFIG_NAMES, &SKIPPED_DIRS);
    // (Threads meet the folders in any order: sorted, the result does not depend on it.)
    errors.sort();
    let failed = !errors.is_empty();
    diags.extend(
        errors
            .iter()
            .map(|e| codes::unreadable(&dir.display().to_string(), e)),
    );
    let files = apply_precedence(found, &mut diags);
    Discovered {
        files,
        diagnostics: diags,
        failed,
    }
}

/// Keeps one config per folder, in wrangler's precedence, reporting the others.
pub fn apply_precedence<T: AsRef<Path> + Send>(
    mut files: Vec<T>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<T> {
    // (By folder, then wrangler's precedence: the folders' keys sort as the folders do.)
    if all_keyed(&files) {
        files.par_sort_by_cached_key(|f| {
            let f = f.as_ref();
            (path_key(f.parent().unwrap_or(f)), rank(f))
        });
    } else {
        files.par_sort_by(|a, b| {
            let (a, b) = (a.as_ref(), b.as_ref());
            a.parent().cmp(&b.parent()).then(rank(a).cmp(&rank(b)))
        });
    }
    let mut out: Vec<T> = Vec::new();
    for f in files {
        match out.last() {
            Some(prev) if prev.as_ref().parent() == f.as_ref().parent() => {
                diags.push(codes::shadowed_config(
                    &f.as_ref().display().to_string(),
                    &prev.as_ref().display().to_string(),
                ));
            }
            _ => out.push(f),
        }
    }
    sort_paths(&mut out);
    out
}

/// Sorts paths in `Path`'s order (component by component), by keys when every path has one
/// ([`path_key`]): ten thousand paths compared component by component cost milliseconds.
pub fn sort_paths<T: AsRef<Path> + Send>(paths: &mut [T]) {
    if all_keyed(paths) {
        paths.par_sort_by_cached_key(|p| path_key(p.as_ref()));
    } else {
        paths.par_sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
    }
}

/// Whether every path is plain enough for [`path_key`] to order it as `Path` does.
fn all_keyed<T: AsRef<Path> + Send>(paths: &[T]) -> bool {
    paths.iter().all(|p| has_key(p.as_ref()))
}

/// Whether `p` is a path [`path_key`] orders as `Path` does: valid UTF-8 on Unix, with no
/// empty, `.` or `..` segment and no trailing separator (what `Path` would normalise or order
/// apart).
fn has_key(p: &Path) -> bool {
    cfg!(unix)
        && p.to_str()
            .is_some_and(|s| crate::plan::plain_names(s.strip_prefix('/').unwrap_or(s)))
}

/// The bytes of `p` with each separator made the lowest byte: for paths with a key
/// ([`has_key`]), their byte order is `Path`'s order.
fn path_key(p: &Path) -> Vec<u8> {
    p.to_string_lossy()
        .bytes()
        .map(|b| if b == b'/' { 0 } else { b })
        .collect()
}

fn rank(p: &Path) -> usize {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    CONFIG_NAMES
        .iter()
        .position(|n| *n == name)
        .unwrap_or(CONFIG_NAMES.len())
}

/// Resolves an explicit PATH argument: a file is taken as it is (any name), a folder is searched
/// for a config by wrangler's precedence.
pub fn explicit(path: &Path) -> Result<PathBuf, Box<Diagnostic>> {
    if path.is_dir() {
        CONFIG_NAMES
            .iter()
            .map(|n| path.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| Box::new(codes::no_configs(&path.display().to_string())))
    } else if path.exists() {
        Ok(path.to_path_buf())
    } else {
        Err(Box::new(codes::unreadable(
            &path.display().to_string(),
            "no such file or directory",
        )))
    }
}

/// Names (never values) of the variables in a `.dev.vars`/dotenv file.
pub fn dotenv_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Segments that order differently by bytes and by component (`-`, `.` and `0` sort below
    /// and above `/`), and the ones `Path` normalises or orders apart.
    const SEGMENTS: &[&str] = &["a", "a-b", "a.b", "a0", "ab", "b", "é", "", ".", "..", "-"];

    fn path() -> impl Strategy<Value = PathBuf> {
        (
            prop::bool::ANY,
            prop::collection::vec(prop::sample::select(SEGMENTS), 1..5),
            prop::bool::ANY,
        )
            .prop_map(|(absolute, segments, trailing)| {
                let mut s = if absolute {
                    "/".to_string()
                } else {
                    String::new()
                };
                s.push_str(&segments.join("/"));
                if trailing {
                    s.push('/');
                }
                PathBuf::from(s)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Sorted by keys or not, paths come out in `Path`'s order.
        #[test]
        fn paths_sort_in_path_order(mut paths in prop::collection::vec(path(), 0..40)) {
            let mut expected = paths.clone();
            expected.sort();
            sort_paths(&mut paths);
            prop_assert_eq!(paths, expected);
        }

        /// Keyed paths alone (most runs): the keys' order is `Path`'s.
        #[test]
        fn keys_order_as_paths_do(a in path(), b in path()) {
            if has_key(&a) && has_key(&b) {
                prop_assert_eq!(path_key(&a).cmp(&path_key(&b)), a.cmp(&b), "{:?} {:?}", a, b);
            }
        }
    }
}
