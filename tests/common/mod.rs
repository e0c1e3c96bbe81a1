//! Helpers shared by the integration tests: the repository root, scratch folders, file walks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty folder `tests/.work/<name>` (inside tests/, so `alchemy` resolves from there).
pub fn scratch(name: &str) -> PathBuf {
    let dir = root().join("tests/.work").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path())
            } else {
                out.push(e.path())
            }
        }
    }
    out.sort();
    out
}

/// The wrangler configs under `dir`, custom names included (`wrangler.aggregator.toml`).
pub fn config_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("wrangler")
                && (name.ends_with(".toml") || name.ends_with(".json") || name.ends_with(".jsonc"))
        })
        .collect()
}

/// The arguments a user passes to migrate a corpus project: `--discover` where the configs have
/// wrangler's names, else every config file.
pub fn corpus_inputs(project: &Path) -> Vec<String> {
    let files = config_files(project);
    if files.iter().any(|f| {
        ["wrangler.toml", "wrangler.json", "wrangler.jsonc"]
            .contains(&f.file_name().unwrap().to_str().unwrap())
    }) {
        vec!["--discover".to_string(), project.display().to_string()]
    } else {
        files.iter().map(|f| f.display().to_string()).collect()
    }
}
