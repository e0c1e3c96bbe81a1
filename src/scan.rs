//! Scan: reads a worker's main module (TypeScript or JavaScript, with oxc's parser) to learn what
//! it exports: `WorkerEntrypoint` classes, Durable Object and workflow classes, handler objects.
//! Used to check named entrypoints and to type service and Durable Object bindings.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    BindingPattern, Class, Declaration, ExportDefaultDeclarationKind, Expression, Statement,
};
use oxc_span::SourceType;
use std::collections::BTreeMap;

/// What one export is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// A class; `extends` is the superclass name (`WorkerEntrypoint`, `DurableObject`, …).
    Class {
        name: Option<String>,
        extends: Option<String>,
    },
    /// An object literal (a handler object such as `{ fetch() {} }`).
    Object,
    /// Anything else (functions, re-exported bindings, values).
    Other,
}

impl Export {
    pub fn is_entrypoint_class(&self) -> bool {
        matches!(self, Export::Class { extends: Some(e), .. } if e == "WorkerEntrypoint")
    }
}

/// The exports of a module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exports {
    pub default: Option<Export>,
    /// The named exports, sorted by name (a list of exactly their size: ten thousand modules'
    /// exports are held while the workers are planned).
    pub named: Vec<(String, Export)>,
    /// `export * from "…"` / `export { x } from "…"`: other names may exist that we cannot see.
    pub reexports: bool,
    /// The parser reported errors; the result may be incomplete.
    pub had_errors: bool,
    /// The module uses `import`/`export` (an ES module). Without it, a worker is written in the
    /// service-worker syntax (`addEventListener("fetch", …)`).
    pub module_syntax: bool,
}

impl Exports {
    /// A service-worker script (no `import`/`export`), as far as a clean parse can tell.
    pub fn is_service_worker(&self) -> bool {
        !self.module_syntax && !self.had_errors
    }
}

impl Exports {
    /// Whether `name` (or `default`) may be exported: certainly, or possibly through a re-export.
    pub fn may_export(&self, name: &str) -> bool {
        if name == "default" {
            return self.default.is_some() || self.reexports;
        }
        self.named_export(name).is_some() || self.reexports || self.had_errors
    }

    pub fn get(&self, name: &str) -> Option<&Export> {
        if name == "default" {
            self.default.as_ref()
        } else {
            self.named_export(name)
        }
    }

    fn named_export(&self, name: &str) -> Option<&Export> {
        let i = self
            .named
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        Some(&self.named[i].1)
    }
}

fn superclass(class: &Class<'_>) -> Option<String> {
    let expr = &class.heritage.as_ref()?.expression;
    match expr {
        Expression::Identifier(id) => Some(id.name.to_string()),
        other => other
            .get_member_expr()
            .and_then(|m| m.static_property_name())
            .map(str::to_string),
    }
}

fn class_export(class: &Class<'_>) -> Export {
    Export::Class {
        name: class.id.as_ref().map(|i| i.name.to_string()),
        extends: superclass(class),
    }
}

fn expr_export(e: &Expression<'_>, locals: &BTreeMap<String, Export>) -> Export {
    match e {
        Expression::ObjectExpression(_) => Export::Object,
        Expression::ClassExpression(c) => class_export(c),
        Expression::Identifier(id) => locals
            .get(id.name.as_str())
            .cloned()
            .unwrap_or(Export::Other),
        Expression::TSSatisfiesExpression(s) => expr_export(&s.expression, locals),
        Expression::TSAsExpression(s) => expr_export(&s.expression, locals),
        Expression::ParenthesizedExpression(p) => expr_export(&p.expression, locals),
        _ => Export::Other,
    }
}

thread_local! {
    /// The arena each thread parses its modules in, emptied after each module (a fresh arena
    /// per module would allocate and free its chunks thousands of times in a large monorepo).
    static ARENA: std::cell::RefCell<Allocator> = std::cell::RefCell::new(Allocator::default());
}

/// Scans module text. `path` only chooses the dialect (`.ts`, `.tsx`, `.js`, `.mjs`, …).
pub fn scan(path: &str, text: &str) -> Exports {
    ARENA.with(|arena| match arena.try_borrow_mut() {
        Ok(mut allocator) => {
            let exports = scan_in(&allocator, path, text);
            allocator.reset();
            exports
        }
        // (Only if a scan ever ran inside another on one thread.)
        Err(_) => scan_in(&Allocator::default(), path, text),
    })
}

/// [`scan`] with the module parsed in `allocator`.
fn scan_in(allocator: &Allocator, path: &str, text: &str) -> Exports {
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts());
    let ret = oxc_parser::Parser::new(allocator, text, source_type).parse();
    let mut out = Exports {
        had_errors: !ret.diagnostics.is_empty() || ret.panicked,
        ..Exports::default()
    };
    let mut named: BTreeMap<String, Export> = BTreeMap::new();
    out.module_syntax = ret.program.body.iter().any(|st| st.is_module_declaration());
    // Local declarations first, so `export { X }` and `export default X` can be resolved.
    let mut locals: BTreeMap<String, Export> = BTreeMap::new();
    for stmt in &ret.program.body {
        let decl = match stmt {
            Statement::ExportDeclaration(d) => &d.declaration,
            other => match other.as_declaration() {
                Some(d) => d,
                None => continue,
            },
        };
        collect_declaration(decl, &mut locals);
    }
    for stmt in &ret.program.body {
        match stmt {
            Statement::ExportDeclaration(d) => {
                let mut names = BTreeMap::new();
                collect_declaration(&d.declaration, &mut names);
                named.extend(names);
            }
            Statement::ExportNamedDeclaration(d) => {
                for s in &d.specifiers {
                    let local = s.local.name().to_string();
                    let exported = s.exported.name().to_string();
                    let value = locals.get(&local).cloned().unwrap_or(Export::Other);
                    if exported == "default" {
                        out.default = Some(value);
                    } else {
                        named.insert(exported, value);
                    }
                }
            }
            Statement::ExportFromDeclaration(_) | Statement::ExportAllDeclaration(_) => {
                out.reexports = true
            }
            Statement::ExportDefaultDeclaration(d) => {
                out.default = Some(match &d.declaration {
                    ExportDefaultDeclarationKind::ClassDeclaration(c) => class_export(c),
                    ExportDefaultDeclarationKind::FunctionDeclaration(_)
                    | ExportDefaultDeclarationKind::TSInterfaceDeclaration(_) => Export::Other,
                    other => other
                        .as_expression()
                        .map(|e| expr_export(e, &locals))
                        .unwrap_or(Export::Other),
                });
            }
            _ => {}
        }
    }
    out.named = named.into_iter().collect();
    out
}

fn collect_declaration(decl: &Declaration<'_>, into: &mut BTreeMap<String, Export>) {
    match decl {
        Declaration::ClassDeclaration(c) => {
            if let Some(id) = &c.id {
                into.insert(id.name.to_string(), class_export(c));
            }
        }
        Declaration::FunctionDeclaration(f) => {
            if let Some(id) = &f.id {
                into.insert(id.name.to_string(), Export::Other);
            }
        }
        Declaration::VariableDeclaration(v) => {
            for d in &v.declarations {
                if let BindingPattern::BindingIdentifier(id) = &d.id {
                    let value = match &d.init {
                        Some(e) => expr_export(e, into),
                        None => Export::Other,
                    };
                    into.insert(id.name.to_string(), value);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_entrypoints_objects_and_classes() {
        let src = r#"
            import { WorkerEntrypoint, DurableObject } from "cloudflare:workers";
            import * as cf from "cloudflare:workers";
            export class Admin extends WorkerEntrypoint<Env> { ping() { return "pong"; } }
            export class Counter extends DurableObject {}
            class Hidden extends cf.WorkerEntrypoint {}
            export const legacy = { fetch() { return new Response("x"); } };
            export { Hidden as Renamed };
            export default class Main extends WorkerEntrypoint {}
        "#;
        let e = scan("index.ts", src);
        assert!(e.get("Admin").unwrap().is_entrypoint_class());
        assert_eq!(
            *e.get("Counter").unwrap(),
            Export::Class {
                name: Some("Counter".into()),
                extends: Some("DurableObject".into())
            }
        );
        assert!(e.get("Renamed").unwrap().is_entrypoint_class());
        assert_eq!(*e.get("legacy").unwrap(), Export::Object);
        assert!(e.default.as_ref().unwrap().is_entrypoint_class());
        assert!(!e.may_export("Missing"));
    }

    #[test]
    fn default_object_and_satisfies() {
        let e = scan(
            "a.ts",
            "export default { fetch() {} } satisfies ExportedHandler;",
        );
        assert_eq!(e.default, Some(Export::Object));
        let e = scan(
            "a.js",
            "const app = { fetch() {} }; export default app; export * from './x.js';",
        );
        assert_eq!(e.default, Some(Export::Object));
        assert!(e.may_export("Anything"));
    }

    #[test]
    fn service_worker_syntax() {
        assert!(
            scan(
                "w.js",
                "addEventListener('fetch', (e) => e.respondWith(new Response('x')));"
            )
            .is_service_worker()
        );
        assert!(!scan("w.js", "export default { fetch() {} };").is_service_worker());
        assert!(!scan("w.ts", "import x from './x'; x();").is_service_worker());
    }

    #[test]
    fn broken_source_does_not_panic() {
        let e = scan("a.ts", "export class {{{ ");
        assert!(e.had_errors);
    }
}
