//! The walk of a folder: every folder under it listed once, in parallel, honouring the ignore
//! files as ripgrep's `ignore` crate does with the options discovery uses (its `WalkBuilder`
//! with hidden entries skipped, `.ignore` and `.gitignore` files read in the folder and above
//! it, no git repository needed, symlinks not followed); a unit test walks random trees with
//! both and compares.
//!
//! Walking the folders itself, rather than through that crate, lets the listing answer what
//! else discovery needs: which `.dev.vars` files sit beside each config (gitignored as they
//! usually are, the crate never shows them, and looking each one up costs as much as reading
//! the config).

use super::Found;
use super::folder::{Entry, Folder, Kind};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// What a walk found.
#[derive(Debug, Default)]
pub(super) struct Walked {
    /// Files with a config's name, in no particular order, with their bytes when the walk could
    /// read them and the names of the `.dev.vars` files beside them (any entry whose name starts
    /// with `.dev.vars`).
    pub configs: Vec<Found>,
    /// Folders and ignore files that could not be read, in no particular order.
    pub errors: Vec<String>,
}

/// The rules of the ignore files in force in a folder: its own, then its parent's.
struct Rules {
    /// From `.ignore`: a match here wins over every `.gitignore`.
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    /// Whether the folder is above the walked one (matched with absolute paths).
    above: bool,
    parent: Option<Arc<Rules>>,
}

/// The walked folder as the rules above it see it.
struct Base {
    /// The walked folder as given, without a leading `./`.
    given: PathBuf,
    /// The same folder made absolute, when some folder above it has rules.
    absolute: Option<PathBuf>,
}

/// Walks `root` (a folder), collecting the files named one of `names`, never descending into a
/// folder named one of `skipped` below the root.
pub(super) fn walk(root: &Path, names: &[&str], skipped: &[&str]) -> Walked {
    let mut errors = Vec::new();
    let (above, absolute) = rules_above(root, &mut errors);
    let base = Base {
        given: strip_dot_slash(root).to_path_buf(),
        absolute,
    };
    let walk = Walk {
        names,
        skipped,
        base,
        found: Mutex::new(Walked {
            errors,
            ..Walked::default()
        }),
    };
    rayon::scope(|s| walk.visit(s, root.to_path_buf(), None, above));
    walk.found
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
}

/// One walk's settings and findings, shared by the folders' tasks.
struct Walk<'w> {
    names: &'w [&'w str],
    skipped: &'w [&'w str],
    base: Base,
    found: Mutex<Walked>,
}

impl<'w> Walk<'w> {
    /// Lists `dir` (opened through `parent`, its parent folder, when there is one), reads its
    /// configs, keeps its `.dev.vars` names, and walks its folders in tasks of their own.
    fn visit<'s>(
        &'s self,
        s: &rayon::Scope<'s>,
        dir: PathBuf,
        parent: Option<Arc<Folder>>,
        rules: Option<Arc<Rules>>,
    ) {
        let mut errors = Vec::new();
        let folder = match Folder::open(dir, parent.as_deref()) {
            Ok(folder) => Arc::new(folder),
            Err((dir, e)) => {
                errors.push(format!("{}: {e}", dir.display()));
                self.found(errors, Vec::new());
                return;
            }
        };
        drop(parent);
        let entries = folder.entries(&mut errors);
        let rules = folder_rules(&folder.path, &entries, rules, &mut errors);
        let mut configs = Vec::new();
        let mut dev_vars = Vec::new();
        for e in entries {
            if e.name.as_encoded_bytes().starts_with(b".dev.vars") {
                dev_vars.push(e.name.to_string_lossy().into_owned());
            }
            let is_dir = e.kind == Kind::Dir;
            let is_config = e.kind == Kind::File && self.names.iter().any(|n| e.name == **n);
            if !is_dir && !is_config {
                // (Neither walked nor kept: no path is made for it.)
                continue;
            }
            let path = folder.path.join(&e.name);
            if self.ignored(rules.as_deref(), &path, e.hidden, is_dir) {
                continue;
            }
            if !is_dir {
                // (Read here, by name in the open folder; what cannot be is read again later,
                // by path, and reported then.)
                let bytes = folder.read(&e.name).ok();
                configs.push(Found {
                    path,
                    bytes,
                    dev_vars: None,
                });
            } else if !self.skipped.iter().any(|n| e.name == **n) {
                let (folder, rules) = (folder.clone(), rules.clone());
                s.spawn(move |s| self.visit(s, path, Some(folder), rules));
            }
        }
        // (Each config of the folder knows the `.dev.vars` files beside it.)
        if let Some((last, others)) = configs.split_last_mut() {
            for c in others {
                c.dev_vars = Some(dev_vars.clone());
            }
            last.dev_vars = Some(dev_vars);
        }
        self.found(errors, configs);
    }

    /// Adds what one folder's listing found.
    fn found(&self, mut errors: Vec<String>, mut configs: Vec<Found>) {
        if configs.is_empty() && errors.is_empty() {
            return;
        }
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        found.errors.append(&mut errors);
        found.configs.append(&mut configs);
    }

    /// Whether the entry at `path` is left out: ignored by a rule, or hidden and not
    /// whitelisted by one.
    fn ignored(&self, rules: Option<&Rules>, path: &Path, hidden: bool, is_dir: bool) -> bool {
        match rules.map_or(Match::None, |r| self.matched(r, path, is_dir)) {
            Match::Ignore(()) => true,
            Match::Whitelist(()) => false,
            Match::None => hidden,
        }
    }

    /// The rules' verdict on `path`: the deepest `.ignore` that matches, else the deepest
    /// `.gitignore`.
    fn matched(&self, rules: &Rules, path: &Path, is_dir: bool) -> Match<()> {
        let path = strip_dot_slash(path);
        let mut absolute = None;
        let mut from_gitignore = Match::None;
        let mut at = Some(rules);
        while let Some(r) = at {
            let path = if r.above {
                absolute
                    .get_or_insert_with(|| self.absolute(path))
                    .as_path()
            } else {
                path
            };
            let verdict = |m: &Option<Gitignore>| {
                m.as_ref()
                    .map_or(Match::None, |m| m.matched(path, is_dir).map(|_| ()))
            };
            let m = verdict(&r.ignore);
            if !m.is_none() {
                return m;
            }
            if from_gitignore.is_none() {
                from_gitignore = verdict(&r.gitignore);
            }
            at = r.parent.as_deref();
        }
        from_gitignore
    }

    /// `path` (under the walked folder) as the rules above the walked folder see it.
    fn absolute(&self, path: &Path) -> PathBuf {
        let Some(absolute) = &self.base.absolute else {
            return path.to_path_buf();
        };
        if self.base.given == Path::new(".") {
            return absolute.join(path);
        }
        let under = path.strip_prefix(&self.base.given).unwrap_or(path);
        absolute.join(under)
    }
}

impl Rules {
    /// The rules of the ignore files in `dir` that `present` says are there (`.ignore`, then
    /// `.gitignore`), then `parent`'s: `parent` itself when `dir` has none. Lines that are not
    /// valid patterns are added to `problems`.
    fn of_folder(
        dir: &Path,
        present: impl Fn(&str) -> bool,
        above: bool,
        parent: Option<Arc<Rules>>,
        problems: &mut Vec<String>,
    ) -> Option<Arc<Rules>> {
        let mut read = |name: &str| {
            present(name)
                .then(|| rules_file(dir, name, problems))
                .flatten()
        };
        let (ignore, gitignore) = (read(".ignore"), read(".gitignore"));
        if ignore.is_none() && gitignore.is_none() {
            return parent;
        }
        Some(Arc::new(Rules {
            ignore,
            gitignore,
            above,
            parent,
        }))
    }
}

/// The rules in force in `dir`: those of the ignore files among its `entries`, then `parent`;
/// the folder's problems with them reported as one error.
fn folder_rules(
    dir: &Path,
    entries: &[Entry],
    parent: Option<Arc<Rules>>,
    errors: &mut Vec<String>,
) -> Option<Arc<Rules>> {
    let has = |name: &str| entries.iter().any(|e| e.name == name);
    let mut problems = Vec::new();
    let rules = Rules::of_folder(dir, has, false, parent, &mut problems);
    if !problems.is_empty() {
        errors.push(problems.join("\n"));
    }
    rules
}

/// The rules of the ignore files in the folders above `root` (outermost first, each the parent
/// of the next), and `root` made absolute, if there are any; their problems reported as one
/// error.
fn rules_above(root: &Path, errors: &mut Vec<String>) -> (Option<Arc<Rules>>, Option<PathBuf>) {
    let Ok(absolute) = root.canonicalize() else {
        return (None, None);
    };
    let mut rules: Option<Arc<Rules>> = None;
    let mut problems = Vec::new();
    let folders: Vec<&Path> = absolute.ancestors().skip(1).collect();
    for dir in folders.into_iter().rev() {
        let present = |name: &str| dir.join(name).metadata().is_ok();
        rules = Rules::of_folder(dir, present, true, rules, &mut problems);
    }
    if !problems.is_empty() {
        errors.push(problems.join("\n"));
    }
    let absolute = rules.is_some().then_some(absolute);
    (rules, absolute)
}

/// The rules of the ignore file `name` in `dir`, if it has any; a file that cannot be read has
/// none, a line that is not a valid pattern is reported.
fn rules_file(dir: &Path, name: &str, problems: &mut Vec<String>) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(dir);
    if let Some(e) = builder.add(dir.join(name))
        && !e.is_io()
    {
        problems.push(e.to_string());
    }
    match builder.build() {
        Ok(rules) => (!rules.is_empty()).then_some(rules),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    }
}

fn strip_dot_slash(path: &Path) -> &Path {
    match path.as_os_str().as_encoded_bytes().strip_prefix(b"./") {
        Some(_) => path.strip_prefix(".").unwrap_or(path),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SKIPPED: [&str; 2] = ["node_modules", "dist"];
    const NAMES: [&str; 2] = ["wrangler.toml", "wrangler.json"];

    /// Folder and file names a tree is made of: configs, hidden, skipped and ignore files.
    const ENTRIES: &[&str] = &[
        "a",
        "b",
        ".h",
        "dist",
        "node_modules",
        "wrangler.toml",
        "wrangler.json",
        ".dev.vars",
        ".dev.vars.staging",
    ];
    /// Lines of the ignore files: names, anchored and folder-only patterns, negations (some
    /// unhiding hidden entries), globs, and a line that is not a valid pattern.
    const LINES: &[&str] = &[
        "a",
        "b/",
        "/a",
        "!a",
        "!b",
        ".h",
        "!.h",
        "!.h/",
        "*.toml",
        "!wrangler.toml",
        "wrangler.json",
        "**/b/wrangler.json",
        "a/**",
        "dist",
        "#comment",
        "[",
    ];

    /// A tree: each path (folders from `ENTRIES`) is a file with a config's name, a
    /// `.dev.vars`, or an ignore file with some `LINES`.
    fn tree() -> impl Strategy<Value = Vec<(Vec<&'static str>, &'static str, Vec<&'static str>)>> {
        let folder = prop::collection::vec(prop::sample::select(ENTRIES), 0..4);
        let leaf = prop::sample::select(
            &[
                "wrangler.toml",
                "wrangler.json",
                ".dev.vars",
                ".gitignore",
                ".ignore",
            ][..],
        );
        let lines = prop::collection::vec(prop::sample::select(LINES), 0..4);
        prop::collection::vec((folder, leaf, lines), 1..14)
    }

    /// Writes `tree` under a new folder `root`/`inner`, the first entry's ignore file (if it is
    /// one) also put in `root`, above the walked folder.
    fn write_tree(
        root: &Path,
        tree: &[(Vec<&'static str>, &'static str, Vec<&'static str>)],
    ) -> PathBuf {
        let _ = std::fs::remove_dir_all(root);
        let inner = root.join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        for (k, (folders, leaf, lines)) in tree.iter().enumerate() {
            let dir = folders.iter().fold(inner.clone(), |d, f| d.join(f));
            // (A name already taken by a file stays a file.)
            if std::fs::create_dir_all(&dir).is_err() || dir.join(leaf).is_dir() {
                continue;
            }
            let text = lines.join("\n");
            std::fs::write(dir.join(leaf), &text).unwrap();
            if k == 0 && leaf.starts_with(".") && *leaf != ".dev.vars" {
                std::fs::write(root.join(leaf), &text).unwrap();
            }
        }
        inner
    }

    /// The configs and errors the `ignore` crate's walker finds with discovery's options.
    fn crate_walk(root: &Path) -> (Vec<PathBuf>, usize) {
        let found = Mutex::new((Vec::new(), 0));
        ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(false)
            .git_global(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                !(is_dir && e.depth() > 0 && SKIPPED.iter().any(|s| e.file_name() == *s))
            })
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    let mut found = found.lock().unwrap();
                    match entry {
                        Ok(e)
                            if e.file_type().is_some_and(|t| t.is_file())
                                && NAMES.iter().any(|n| e.file_name() == *n) =>
                        {
                            found.0.push(e.into_path())
                        }
                        Ok(_) => {}
                        Err(_) => found.1 += 1,
                    }
                    ignore::WalkState::Continue
                })
            });
        let (mut configs, errors) = found.into_inner().unwrap();
        configs.sort();
        (configs, errors)
    }

    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("am-walk-{}-{name}", std::process::id()))
    }

    /// What the walk finds in `tree` (written under a scratch folder `name`, removed after),
    /// and the walked folder.
    fn walk_tree(
        name: &str,
        tree: &[(Vec<&'static str>, &'static str, Vec<&'static str>)],
    ) -> (PathBuf, Walked) {
        let root = scratch(name);
        let inner = write_tree(&root, tree);
        let walked = walk(&inner, &NAMES, &SKIPPED);
        let _ = std::fs::remove_dir_all(&root);
        (inner, walked)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The walk keeps the configs the `ignore` crate's walker keeps, and fails where it
        /// fails, on trees of ignore files, hidden and skipped folders.
        #[test]
        fn walks_as_the_ignore_crate_does(tree in tree()) {
            let root = scratch("prop");
            let inner = write_tree(&root, &tree);
            let (expected, errors) = crate_walk(&inner);
            let walked = walk(&inner, &NAMES, &SKIPPED);
            let _ = std::fs::remove_dir_all(&root);
            prop_assert_eq!(paths(&walked), expected);
            prop_assert_eq!(walked.errors.is_empty(), errors == 0);
        }
    }

    #[test]
    fn a_config_folder_lists_its_dev_vars_files_even_ignored_ones() {
        let (inner, walked) = walk_tree(
            "dev-vars",
            &[
                (vec![], ".gitignore", vec![".dev.vars*"]),
                (vec!["a"], "wrangler.toml", vec![]),
                (vec!["a"], ".dev.vars", vec![]),
                (vec!["a"], ".dev.vars.staging", vec![]),
                (vec!["b"], ".dev.vars", vec![]),
            ],
        );
        assert_eq!(paths(&walked), [inner.join("a/wrangler.toml")]);
        let mut names = walked.configs[0]
            .dev_vars
            .clone()
            .expect("the folder was listed");
        names.sort();
        assert_eq!(names, [".dev.vars", ".dev.vars.staging"]);
    }

    #[test]
    fn an_ignore_file_above_the_walked_folder_applies() {
        let (inner, walked) = walk_tree(
            "above",
            &[
                (vec![], ".gitignore", vec!["b/"]),
                (vec!["a"], "wrangler.toml", vec![]),
                (vec!["b"], "wrangler.toml", vec![]),
            ],
        );
        assert_eq!(paths(&walked), [inner.join("a/wrangler.toml")]);
    }

    /// Rules above the walked folder see its entries by their absolute paths (anchored
    /// patterns match through a link to the folder).
    #[cfg(unix)]
    #[test]
    fn rules_above_match_absolute_paths() {
        let root = scratch("anchored");
        let inner = write_tree(
            &root,
            &[
                (vec![], ".gitignore", vec!["/inner/b/"]),
                (vec!["a"], "wrangler.toml", vec![]),
                (vec!["b"], "wrangler.toml", vec![]),
            ],
        );
        let link = root.join("link");
        std::os::unix::fs::symlink(&inner, &link).unwrap();
        let (expected, _) = crate_walk(&link);
        let walked = walk(&link, &NAMES, &SKIPPED);
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(expected, [link.join("a/wrangler.toml")]);
        assert_eq!(paths(&walked), expected);
    }

    /// The configs' paths, sorted.
    fn paths(walked: &Walked) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = walked.configs.iter().map(|c| c.path.clone()).collect();
        paths.sort();
        paths
    }

    /// The walk reads each config it keeps (by name in its open folder).
    #[test]
    fn the_walk_reads_the_configs_it_keeps() {
        let root = scratch("reads");
        let inner = write_tree(
            &root,
            &[
                (vec!["a"], "wrangler.toml", vec!["a"]),
                (vec!["b", "c"], "wrangler.json", vec!["b", "b"]),
            ],
        );
        let walked = walk(&inner, &NAMES, &SKIPPED);
        let mut read: Vec<(PathBuf, Option<Vec<u8>>)> = walked
            .configs
            .iter()
            .map(|c| (c.path.clone(), std::fs::read(&c.path).ok()))
            .collect();
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(walked.configs.len(), 2);
        let mut configs: Vec<(PathBuf, Option<Vec<u8>>)> = walked
            .configs
            .iter()
            .map(|c| (c.path.clone(), c.bytes.clone()))
            .collect();
        configs.sort();
        read.sort();
        assert_eq!(configs, read);
        assert!(walked.errors.is_empty(), "{:?}", walked.errors);
    }
}
