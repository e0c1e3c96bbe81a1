//! The Alchemy app name: `--app`, else the `name` in the migrated folder's `package.json` (without
//! its npm scope), else that folder's name; always lowercase letters, digits and `-`.

use crate::read::{FileSystem, InputPaths};
use std::path::{Component, Path, PathBuf};

/// The app name of a migration: `given` made valid, else the default of the migrated folder.
pub fn app_name_for(given: Option<&str>, input: &InputPaths, fs: &dyn FileSystem) -> String {
    match given {
        Some(name) => app_name(name),
        None => default_app_name(&migrated_folder(input, fs), fs),
    }
}

/// A name usable as an Alchemy app name: lowercase letters, digits and `-`.
pub fn app_name(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() { "app".into() } else { s }
}

/// The folder being migrated: the `--discover` folder, else the deepest folder that holds every
/// config given (the current folder when none is given). Absolute, without `.`/`..`.
pub fn migrated_folder(input: &InputPaths, fs: &dyn FileSystem) -> PathBuf {
    let abs = |p: &Path| {
        crate::plan::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    if let Some(dir) = &input.discover {
        return abs(dir);
    }
    let folders: Vec<PathBuf> = input
        .paths
        .iter()
        .map(|p| {
            let p = abs(p);
            match p.parent() {
                Some(parent) if !fs.is_dir(&p) => parent.to_path_buf(),
                _ => p,
            }
        })
        .collect();
    common_folder(&folders).unwrap_or_else(|| abs(Path::new(".")))
}

/// The longest folder path that starts every one of `folders` (`None` for none).
fn common_folder(folders: &[PathBuf]) -> Option<PathBuf> {
    let (first, rest) = folders.split_first()?;
    let mut common: Vec<Component<'_>> = first.components().collect();
    for f in rest {
        let same = common
            .iter()
            .zip(f.components())
            .take_while(|(a, b)| **a == *b)
            .count();
        common.truncate(same);
    }
    Some(common.iter().collect())
}

/// The default Alchemy app name: the `name` in the migrated folder's `package.json` (the name of
/// the monorepo), else the folder's own name.
fn default_app_name(folder: &Path, fs: &dyn FileSystem) -> String {
    fs.read_to_string(&folder.join("package.json"))
        .and_then(|text| package_app_name(&text))
        .unwrap_or_else(|| app_name(folder.file_name().and_then(|n| n.to_str()).unwrap_or("app")))
}

/// The app name a `package.json` gives: its `name` without an npm scope (`@acme/shop` → `shop`,
/// the scope being the same for every package of an organisation), made a valid app name.
/// `None` when there is no usable name.
fn package_app_name(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let package: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = package.get("name")?.as_str()?;
    let bare = name.rsplit('/').next().unwrap_or(name);
    bare.chars()
        .any(|c| c.is_ascii_alphanumeric())
        .then(|| app_name(bare))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Memory;

    #[test]
    fn app_names() {
        let check = |raw: &str, expect: &str| assert_eq!(app_name(raw), expect, "{raw:?}");
        check("my-shop", "my-shop");
        check("My Monorepo", "my-monorepo");
        check("Shop_Front", "shop-front");
        check("--a..b--", "a-b");
        check("ünïcode", "n-code");
        check("---", "app");
        check("", "app");
    }

    #[test]
    fn the_app_name_of_a_package_json() {
        let check = |text: &str, expect: Option<&str>| {
            assert_eq!(package_app_name(text).as_deref(), expect, "{text}")
        };
        check(r#"{ "name": "my-shop" }"#, Some("my-shop"));
        check(r#"{ "name": "@acme/Shop_Front" }"#, Some("shop-front"));
        check("\u{feff}{ \"name\": \"bom\" }", Some("bom"));
        check(r#"{ "private": true }"#, None);
        check(r#"{ "name": 3 }"#, None);
        check(r#"{ "name": "@acme/" }"#, None);
        check(r#"{ "name": "---" }"#, None);
        check("not json", None);
    }

    #[test]
    fn the_common_folder_of_the_given_configs() {
        let check = |folders: &[&str], expect: Option<&str>| {
            let folders: Vec<PathBuf> = folders.iter().map(PathBuf::from).collect();
            assert_eq!(
                common_folder(&folders),
                expect.map(PathBuf::from),
                "{folders:?}"
            );
        };
        check(&["/r/apps/a", "/r/apps/b", "/r/apps/b/c"], Some("/r/apps"));
        check(&["/r/apps/a"], Some("/r/apps/a"));
        check(&["/x", "/y"], Some("/"));
        check(&[], None);
    }

    /// `(package.json of /r/repo, --app, --discover, paths) → app name`.
    #[test]
    fn the_app_name_of_a_migration() {
        let check = |package: Option<&str>,
                     given: Option<&str>,
                     discover: Option<&str>,
                     paths: &[&str],
                     expect: &str| {
            let mut files = vec![
                ("/r/My Repo/apps/api/wrangler.toml", "name = \"api\"\n"),
                ("/r/other/wrangler.toml", "name = \"other\"\n"),
            ];
            if let Some(p) = package {
                files.push(("/r/My Repo/package.json", p));
            }
            let fs = Memory::new(files);
            let input = InputPaths {
                paths: paths.iter().map(PathBuf::from).collect(),
                discover: discover.map(PathBuf::from),
            };
            assert_eq!(
                app_name_for(given, &input, &fs),
                expect,
                "{package:?} {given:?} {discover:?} {paths:?}"
            );
        };
        let shop = Some(r#"{ "name": "@acme/shop" }"#);
        check(None, None, Some("/r/My Repo"), &[], "my-repo");
        check(shop, None, Some("/r/My Repo"), &[], "shop");
        check(shop, None, Some("/r/My Repo/apps/../."), &[], "shop");
        check(
            shop,
            Some("Given Name"),
            Some("/r/My Repo"),
            &[],
            "given-name",
        );
        // The folder holding every config given: files count by their folder.
        check(
            shop,
            None,
            None,
            &["/r/My Repo/apps/api/wrangler.toml", "/r/My Repo/apps"],
            "apps",
        );
        check(
            shop,
            None,
            None,
            &["/r/My Repo/apps/api", "/r/other/wrangler.toml"],
            "r",
        );
        check(shop, None, None, &["/r/My Repo/apps", "/r/My Repo"], "shop");
    }
}
