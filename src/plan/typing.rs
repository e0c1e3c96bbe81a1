//! Types of bindings read from the workers' sources: a service binding carries the RPC class of
//! its target, a Durable Object namespace its class, imported as types into the program.

use super::names::Shared;
use super::{Origin, TypeImport, relative};
use crate::HashMap;
use std::collections::BTreeMap;
use std::path::Path;

/// What is needed to type bindings from worker sources.
pub struct Typing<'a> {
    pub origins: &'a [Origin],
    pub exports: &'a [Option<&'a crate::scan::Exports>],
    pub imports: BTreeMap<String, TypeImport>,
    /// The main modules imported from so far, by path.
    modules: HashMap<&'a Path, Module>,
}

/// A main module types are imported from.
struct Module {
    /// Its path relative to the output folder (as the program imports it).
    path: String,
    /// `(export, local name)` of what is imported from it.
    locals: Vec<(String, String)>,
}

impl<'a> Typing<'a> {
    pub fn new(
        origins: &'a [Origin],
        exports: &'a [Option<&'a crate::scan::Exports>],
    ) -> Typing<'a> {
        Typing {
            origins,
            exports,
            imports: BTreeMap::new(),
            modules: HashMap::default(),
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
        let module = self.modules.entry(main).or_insert_with(|| Module {
            path: relative(out_dir, main),
            locals: Vec::new(),
        });
        if let Some((_, local)) = module.locals.iter().find(|(e, _)| e == name) {
            return Some(local.clone());
        }
        let base = match export {
            crate::scan::Export::Class { name: Some(n), .. } if name == "default" => n.clone(),
            _ if name == "default" => "DefaultEntrypoint".to_string(),
            _ => name.to_string(),
        };
        let local = names.ident(&format!("type:{}:{name}", main.display()), || base);
        module.locals.push((name.to_string(), local.clone()));
        let entry = self.imports.entry(module.path.clone()).or_default();
        if name == "default" {
            entry.default = Some(local.clone());
        } else {
            entry.named.insert((name.to_string(), local.clone()));
        }
        Some(local)
    }
}

pub(super) fn is_class(e: &crate::scan::Export) -> bool {
    matches!(e, crate::scan::Export::Class { .. })
}

pub(super) fn is_entrypoint(e: &crate::scan::Export) -> bool {
    e.is_entrypoint_class()
}
