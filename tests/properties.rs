//! Property tests over generated monorepos: arbitrary Unicode names and values, JavaScript
//! reserved words and `__proto__` as binding names, names that collide after camel-casing,
//! random service graphs with cycles, self-bindings and external workers, random environments.
//!
//! Properties: the run never panics; the generated TypeScript parses (oxc); every string value
//! from the input is a string literal of the output with exactly that value; every `const` is
//! declared before it is used (so every edge of the graph is respected by the emitted order);
//! the order in which files are found changes no byte of the output.

use alchemy_migrator::pipeline::{self, MigrateOptions};
use alchemy_migrator::read::inputs_from_memory;
use oxc_allocator::Allocator;
use oxc_ast::ast::{IdentifierReference, Statement, StringLiteral};
use oxc_ast_visit::Visit;
use proptest::prelude::*;
use std::collections::BTreeSet;

const HOSTILE: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\n",
    "\r\n",
    "${process.exit(1)}",
    "`",
    "*/",
    "/*",
    "</script>",
    "\0",
    "\u{202e}",
    "\u{2028}",
    "\u{2029}",
    "é",
    "🎉",
    "\u{feff}",
    "__proto__",
    "constructor",
    "class",
    "await",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(HOSTILE), 0..6).prop_map(|v| v.concat()),
        any::<String>(),
        "[a-z][a-z0-9 _-]{0,10}",
    ]
}

fn binding_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][A-Z0-9_]{0,6}",
        prop::sample::select(vec![
            "__proto__",
            "constructor",
            "class",
            "default",
            "FOO-BAR",
            "foo bar",
            "FOO_BAR",
            "fooBar",
            "foo_bar",
            "app",
            "Worker",
            "stage",
            "1X"
        ])
        .prop_map(str::to_string),
        text().prop_filter("non-empty", |s| !s.is_empty()),
    ]
}

const NAMES: &[&str] = &[
    "api",
    "auth",
    "api-worker",
    "api_worker",
    "user-db",
    "userDb",
    "class",
    "x",
];

#[derive(Debug, Clone)]
struct WorkerSpec {
    vars: Vec<(String, String)>,
    /// `(binding, target)`: target < number of workers is another (or the same) worker, else external.
    services: Vec<(String, usize)>,
    envs: Vec<String>,
    format: usize,
}

fn worker() -> impl Strategy<Value = WorkerSpec> {
    (
        prop::collection::vec((binding_name(), text()), 0..5),
        prop::collection::vec((binding_name(), 0usize..10), 0..4),
        prop::sample::subsequence(vec!["staging", "dev", "production"], 0..3)
            .prop_map(|v| v.into_iter().map(str::to_string).collect()),
        0usize..3,
    )
        .prop_map(|(vars, services, envs, format)| {
            // One value per name (a config cannot hold a key twice).
            let mut seen = BTreeSet::new();
            let vars: Vec<(String, String)> = vars
                .into_iter()
                .filter(|(k, _)| seen.insert(k.clone()))
                .collect();
            // Binding names are unique across kinds (AM0209 has its own golden fixture).
            let services = services
                .into_iter()
                .filter(|(b, _)| seen.insert(b.clone()))
                .collect();
            WorkerSpec {
                vars,
                services,
                envs,
                format,
            }
        })
}

fn render(i: usize, w: &WorkerSpec, n: usize) -> (String, Vec<u8>) {
    let name = NAMES[i];
    let target = |t: usize| {
        if t < n {
            NAMES[t].to_string()
        } else {
            format!("external-{t}")
        }
    };
    let services: Vec<(String, String)> = w
        .services
        .iter()
        .map(|(b, t)| (b.clone(), target(*t)))
        .collect();
    let ext = ["toml", "json", "jsonc"][w.format];
    let path = format!("/mono/{i}-{name}/wrangler.{ext}");
    if ext == "toml" {
        let mut doc = toml_edit::DocumentMut::new();
        doc["name"] = toml_edit::value(name);
        doc["main"] = toml_edit::value("src/index.ts");
        doc["compatibility_date"] = toml_edit::value("2025-09-01");
        let mut vars = toml_edit::Table::new();
        for (k, v) in &w.vars {
            vars[k.as_str()] = toml_edit::value(v.as_str());
        }
        doc["vars"] = toml_edit::Item::Table(vars);
        let mut arr = toml_edit::ArrayOfTables::new();
        for (b, s) in &services {
            let mut t = toml_edit::Table::new();
            t["binding"] = toml_edit::value(b.as_str());
            t["service"] = toml_edit::value(s.as_str());
            arr.push(t);
        }
        doc["services"] = toml_edit::Item::ArrayOfTables(arr);
        let mut env = toml_edit::Table::new();
        for e in &w.envs {
            let mut t = toml_edit::Table::new();
            let mut arr = toml_edit::Array::new();
            for (b, s) in &services {
                let mut it = toml_edit::InlineTable::new();
                it.insert("binding", b.as_str().into());
                it.insert("service", format!("{s}-{e}").into());
                arr.push(it);
            }
            t["services"] = toml_edit::value(arr);
            env[e.as_str()] = toml_edit::Item::Table(t);
        }
        if !w.envs.is_empty() {
            doc["env"] = toml_edit::Item::Table(env);
        }
        (path, doc.to_string().into_bytes())
    } else {
        let vars: serde_json::Map<String, serde_json::Value> = w
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect();
        let svc: Vec<serde_json::Value> = services
            .iter()
            .map(|(b, s)| serde_json::json!({ "binding": b, "service": s }))
            .collect();
        let env: serde_json::Map<String, serde_json::Value> = w
            .envs
            .iter()
            .map(|e| (e.clone(), serde_json::json!({ "services": services.iter().map(|(b, s)| serde_json::json!({ "binding": b, "service": format!("{s}-{e}") })).collect::<Vec<_>>() })))
            .collect();
        let v = serde_json::json!({ "name": name, "main": "src/index.ts", "compatibility_date": "2025-09-01", "vars": vars, "services": svc, "env": env });
        (path, serde_json::to_vec_pretty(&v).unwrap())
    }
}

fn migrate(files: &[(String, Vec<u8>)]) -> Vec<alchemy_migrator::emit::OutputFile> {
    let options = MigrateOptions {
        out: "/mono".into(),
        app: Some("prop".into()),
        ..MigrateOptions::default()
    };
    pipeline::migrate(inputs_from_memory(files), &options).files
}

#[derive(Default)]
struct Collect {
    strings: BTreeSet<String>,
    refs: BTreeSet<String>,
}

impl<'a> Visit<'a> for Collect {
    fn visit_string_literal(&mut self, lit: &StringLiteral<'a>) {
        self.strings.insert(lit.value.to_string());
    }
    fn visit_identifier_reference(&mut self, id: &IdentifierReference<'a>) {
        self.refs.insert(id.name.to_string());
    }
}

/// Parses the program and checks the properties; returns every string literal's value.
fn check_program(src: &str) -> BTreeSet<String> {
    let allocator = Allocator::default();
    let ret = oxc_parser::Parser::new(&allocator, src, oxc_span::SourceType::ts()).parse();
    assert!(
        ret.diagnostics.is_empty() && !ret.panicked,
        "generated TypeScript does not parse: {:?}\n{src}",
        ret.diagnostics
    );
    let mut all = Collect::default();
    all.visit_program(&ret.program);
    // Every top-level const is declared before any other declaration uses it.
    let mut declared: Vec<String> = Vec::new();
    for stmt in &ret.program.body {
        let decl = match stmt {
            Statement::VariableDeclaration(v) => Some(&**v),
            Statement::ExportNamedDeclaration(_) => None,
            Statement::ExportDeclaration(d) => match &d.declaration {
                oxc_ast::ast::Declaration::VariableDeclaration(v) => Some(&**v),
                _ => None,
            },
            _ => None,
        };
        let Some(decl) = decl else { continue };
        for d in &decl.declarations {
            let mut uses = Collect::default();
            if let Some(init) = &d.init {
                uses.visit_expression(init);
            }
            let name =
                d.id.get_binding_identifier()
                    .map(|i| i.name.to_string())
                    .unwrap_or_default();
            for r in &uses.refs {
                let later = !declared.contains(r) && r != &name;
                let is_top_level_const = src.contains(&format!("const {r} ="));
                assert!(
                    !(later && is_top_level_const),
                    "`{name}` uses `{r}` before it is declared:\n{src}"
                );
            }
            declared.push(name);
        }
    }
    all.strings
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn monorepos_migrate_to_valid_deterministic_typescript(workers in prop::collection::vec(worker(), 1..6), seed in any::<u64>()) {
        let n = workers.len();
        let files: Vec<(String, Vec<u8>)> = workers.iter().enumerate().map(|(i, w)| render(i, w, n)).collect();
        let out = migrate(&files);
        let program = &out.iter().find(|f| f.path == "alchemy.run.ts").expect("alchemy.run.ts").contents.text();
        let strings = check_program(program);
        // Every string value of the input is a literal with exactly that value.
        for w in &workers {
            for (_, v) in &w.vars {
                prop_assert!(strings.contains(v), "value {:?} is missing from the output:\n{}", v, program);
            }
        }
        for f in out.iter().filter(|f| f.path.ends_with(".ts")) {
            check_program(&f.contents.text());
        }
        // Another discovery order gives the same bytes.
        let mut shuffled = files.clone();
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        shuffled.reverse();
        prop_assert_eq!(migrate(&shuffled), out);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = alchemy_migrator::fuzzing::run(&data);
    }
}
