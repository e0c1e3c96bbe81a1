//! Types of bindings read from the workers' sources: a service binding carries the RPC class of
//! its target, a Durable Object namespace its class, imported as types into the program.

use super::names::Shared;
use super::{Origin, TypeImport, relative};
use crate::HashMap;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::ffi::OsStr;
use std::path::Path;

/// What is needed to type bindings from worker sources.
pub struct Typing<'a> {
    pub origins: &'a [Origin],
    pub exports: &'a [Option<&'a crate::scan::Exports>],
    /// The main modules imported from so far, by path (its bytes: cheaper to hash than a
    /// `Path`'s components), in the order first imported from.
    modules: HashMap<&'a OsStr, usize>,
    imported: Vec<Module>,
}

/// A main module types are imported from.
struct Module {
    /// Its path relative to the output folder (as the program imports it).
    path: String,
    /// `type:<main module>:`, the start of its types' name slots.
    slot: String,
    /// `(export, local name)` of what is imported from it.
    locals: Vec<(String, String)>,
    import: TypeImport,
}

impl<'a> Typing<'a> {
    pub fn new(
        origins: &'a [Origin],
        exports: &'a [Option<&'a crate::scan::Exports>],
    ) -> Typing<'a> {
        Typing {
            origins,
            exports,
            modules: HashMap::default(),
            imported: Vec::new(),
        }
    }

    /// The local type name for export `name` of worker `w`'s main module, importing it, when the
    /// module is TypeScript and exports `name` as a class satisfying `want`.
    pub(super) fn import(
        &mut self,
        w: usize,
        name: &str,
        want: fn(&crate::scan::Export) -> bool,
        names: &mut Shared,
        out_dir: &Path,
    ) -> Option<String> {
        // (Through the slice, not `self`: the table keeps the path for as long as the origins.)
        let origins = self.origins;
        let main = origins[w].main.as_deref()?;
        let ext = main.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "ts" | "mts" | "tsx" | "cts") {
            return None;
        }
        let export = self.exports[w]?.get(name)?;
        if !want(export) {
            return None;
        }
        let imported = &mut self.imported;
        let m = *self.modules.entry(main.as_os_str()).or_insert_with(|| {
            imported.push(Module {
                path: relative(out_dir, main),
                slot: format!("type:{}:", main.display()),
                locals: Vec::new(),
                import: TypeImport::default(),
            });
            imported.len() - 1
        });
        let module = &mut self.imported[m];
        if let Some((_, local)) = module.locals.iter().find(|(e, _)| e == name) {
            return Some(local.clone());
        }
        let base = match export {
            crate::scan::Export::Class { name: Some(n), .. } if name == "default" => n.clone(),
            _ if name == "default" => "DefaultEntrypoint".to_string(),
            _ => name.to_string(),
        };
        let slot_len = module.slot.len();
        module.slot.push_str(name);
        let local = names.ident(&module.slot, || base);
        module.slot.truncate(slot_len);
        module.locals.push((name.to_string(), local.clone()));
        if name == "default" {
            module.import.default = Some(local.clone());
        } else {
            module
                .import
                .named
                .insert((name.to_string(), local.clone()));
        }
        Some(local)
    }

    /// The `import type` lines: module path (relative to the output) → what is imported.
    pub fn into_imports(self) -> BTreeMap<String, TypeImport> {
        let mut imports: BTreeMap<String, TypeImport> = BTreeMap::new();
        for m in self.imported {
            match imports.entry(m.path) {
                Entry::Vacant(v) => {
                    v.insert(m.import);
                }
                // (Two main paths written differently for one module: one import.)
                Entry::Occupied(mut o) => {
                    let import = o.get_mut();
                    if m.import.default.is_some() {
                        import.default = m.import.default;
                    }
                    import.named.extend(m.import.named);
                }
            }
        }
        imports
    }
}

pub(super) fn is_class(e: &crate::scan::Export) -> bool {
    matches!(e, crate::scan::Export::Class { .. })
}

pub(super) fn is_entrypoint(e: &crate::scan::Export) -> bool {
    e.is_entrypoint_class()
}
