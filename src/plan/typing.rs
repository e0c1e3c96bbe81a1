//! Types of bindings read from the workers' sources: a service binding carries the RPC class of
//! its target, a Durable Object namespace its class, imported as types into the program.
//!
//! [`Modules`] finds the TypeScript main modules once, before planning, and says what a binding
//! may import ([`Modules::request`], read-only: workers are drafted in parallel); [`Typing`]
//! gives each imported type its local name, in planning order.

use super::names::Shared;
use super::{Origin, TypeImport, relative};
use crate::HashMap;
use crate::scan::{Export, Exports};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

/// The TypeScript main modules of a stage's workers.
pub struct Modules<'a> {
    pub exports: &'a [Option<&'a Exports>],
    /// Per worker: its main module, when TypeScript.
    of_worker: Vec<Option<usize>>,
    modules: Vec<Module>,
}

/// A main module types can be imported from.
struct Module {
    /// Its path relative to the output folder (as the program imports it).
    path: String,
    /// `type:<main module>:`, the start of its types' name slots.
    slot: String,
}

/// An export of a main module a binding's type is imported as.
pub(super) struct TypeRequest {
    module: usize,
    export: String,
    /// The local name to start from.
    base: String,
}

impl<'a> Modules<'a> {
    /// The main modules of `origins` (one per path, however many workers share it), their
    /// paths relative to `out_dir` worked out in parallel.
    pub fn new(
        origins: &[Origin],
        exports: &'a [Option<&'a Exports>],
        out_dir: &Path,
    ) -> Modules<'a> {
        let mut index: HashMap<&OsStr, usize> =
            HashMap::with_capacity_and_hasher(origins.len(), Default::default());
        let mut mains: Vec<&Path> = Vec::new();
        let of_worker = origins
            .iter()
            .map(|o| {
                let main = o.main.as_deref().filter(|m| is_typescript(m))?;
                Some(*index.entry(main.as_os_str()).or_insert_with(|| {
                    mains.push(main);
                    mains.len() - 1
                }))
            })
            .collect();
        let modules = mains
            .par_iter()
            .map(|main| Module {
                path: relative(out_dir, main),
                slot: ["type:", &main.to_string_lossy(), ":"].concat(),
            })
            .collect();
        Modules {
            exports,
            of_worker,
            modules,
        }
    }

    /// What importing export `name` of worker `w`'s main module takes, when the module is
    /// TypeScript and exports `name` as a class satisfying `want`.
    pub(super) fn request(
        &self,
        w: usize,
        name: &str,
        want: fn(&Export) -> bool,
    ) -> Option<TypeRequest> {
        let module = self.of_worker[w]?;
        let export = self.exports[w]?.get(name)?;
        if !want(export) {
            return None;
        }
        let base = match export {
            Export::Class { name: Some(n), .. } if name == "default" => n.clone(),
            _ if name == "default" => "DefaultEntrypoint".to_string(),
            _ => name.to_string(),
        };
        Some(TypeRequest {
            module,
            export: name.to_string(),
            base,
        })
    }
}

fn is_typescript(main: &Path) -> bool {
    let ext = main.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(ext, "ts" | "mts" | "tsx" | "cts")
}

/// The types imported so far, per module.
pub(super) struct Typing {
    /// By module: `(export, local name)` of what is imported from it.
    locals: Vec<Vec<(String, String)>>,
}

impl Typing {
    pub(super) fn new(modules: &Modules<'_>) -> Typing {
        Typing {
            locals: vec![Vec::new(); modules.modules.len()],
        }
    }

    /// The local type name for a requested export, imported once per module.
    pub(super) fn import(
        &mut self,
        modules: &Modules<'_>,
        request: TypeRequest,
        names: &mut Shared,
    ) -> String {
        let TypeRequest {
            module,
            export,
            base,
        } = request;
        let locals = &mut self.locals[module];
        if let Some((_, local)) = locals.iter().find(|(e, _)| *e == export) {
            return local.clone();
        }
        let slot = &modules.modules[module].slot;
        let local = names.ident(&[slot.as_str(), &export].concat(), || base);
        locals.push((export, local.clone()));
        local
    }

    /// The `import type` lines: module path (relative to the output) → what is imported.
    pub(super) fn into_imports(self, modules: &Modules<'_>) -> BTreeMap<String, TypeImport> {
        // (Sorted once and built in one go: ten thousand modules inserted into an ordered map
        // one by one cost far more. Made and sorted in parallel: the other core is idle here.)
        let mut imports: Vec<(&str, TypeImport)> = self
            .locals
            .into_par_iter()
            .enumerate()
            .filter(|(_, locals)| !locals.is_empty())
            .map(|(m, locals)| (modules.modules[m].path.as_str(), type_import(locals)))
            .collect();
        // (Stable: two main paths written differently for one module merge in module order.)
        imports.par_sort_by(|a, b| a.0.cmp(b.0));
        let mut merged: Vec<(String, TypeImport)> = Vec::with_capacity(imports.len());
        for (path, import) in imports {
            match merged.last_mut() {
                Some((last, into)) if last == path => {
                    if import.default.is_some() {
                        into.default = import.default;
                    }
                    into.named.extend(import.named);
                }
                _ => merged.push((path.to_string(), import)),
            }
        }
        merged.into_iter().collect()
    }
}

/// What is imported from one module: `(export, local name)` pairs.
fn type_import(locals: Vec<(String, String)>) -> TypeImport {
    let mut import = TypeImport::default();
    for (export, local) in locals {
        if export == "default" {
            import.default = Some(local);
        } else {
            import.named.insert((export, local));
        }
    }
    import
}

pub(super) fn is_class(e: &Export) -> bool {
    matches!(e, Export::Class { .. })
}

pub(super) fn is_entrypoint(e: &Export) -> bool {
    e.is_entrypoint_class()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn origin(main: &str) -> Origin {
        Origin {
            dir: PathBuf::from("/repo"),
            path: "wrangler.toml".into(),
            main: Some(PathBuf::from(main)),
            main_written: None,
            pages: None,
        }
    }

    /// Three workers: two TypeScript modules exporting an entrypoint class named alike, a
    /// JavaScript one (never imported from).
    #[test]
    fn types_are_imported_once_per_module_and_named_apart() {
        const TS: &str = "import { WorkerEntrypoint } from \"cloudflare:workers\";\n\
            export default class Auth extends WorkerEntrypoint {}\n\
            export class Counter {}\n";
        let exports = [
            crate::scan::scan("a.ts", TS),
            crate::scan::scan("b.ts", TS),
            crate::scan::scan("c.js", TS),
        ];
        let exports: Vec<Option<&Exports>> = exports.iter().map(Some).collect();
        let origins = [
            origin("/repo/a/src/index.ts"),
            origin("/repo/b/src/index.ts"),
            origin("/repo/c/src/index.js"),
        ];
        let modules = Modules::new(&origins, &exports, Path::new("/repo/out"));
        let (mut typing, mut names) = (Typing::new(&modules), Shared::default());
        let mut import = |w: usize, name: &str, want: fn(&Export) -> bool| {
            let request = modules.request(w, name, want)?;
            Some(typing.import(&modules, request, &mut names))
        };
        let got = [
            import(0, "default", is_entrypoint),
            import(0, "default", is_entrypoint),
            import(1, "default", is_entrypoint),
            import(0, "Counter", is_class),
            import(0, "Counter", is_entrypoint),
            import(0, "Missing", is_class),
            import(2, "default", is_entrypoint),
        ];
        let want = [Some("Auth"), Some("Auth"), Some("Auth2"), Some("Counter")];
        let want: Vec<Option<String>> = want
            .into_iter()
            .map(|n| n.map(String::from))
            .chain([None, None, None])
            .collect();
        assert_eq!(got.to_vec(), want);
        let imports = typing.into_imports(&modules);
        let lines: Vec<String> = imports
            .iter()
            .map(|(path, i)| format!("{path} {:?} {:?}", i.default, i.named))
            .collect();
        assert_eq!(
            lines,
            [
                r#"../a/src/index.ts Some("Auth") {("Counter", "Counter")}"#,
                r#"../b/src/index.ts Some("Auth2") {}"#,
            ]
        );
    }
}
