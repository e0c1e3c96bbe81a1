//! Resources: declared once however many bindings use them, found by what identifies them in
//! Cloudflare. What differs from kind to kind (its key, how it is named, which settings must
//! agree, how messages call it) is said once per kind by [`ResourceKind`]'s methods; the table
//! does the rest the same way for every kind. Across stages, [`unify_resources`] gives one
//! identifier to the resource the same bindings use.

use super::names::{Shared, camel, kebab, suffixed};
use super::{Program, Resource, ResourceKind};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::{HashMap, HashSet};
use std::collections::BTreeSet;

impl ResourceKind {
    /// What identifies the resource in Cloudflare: bindings with the same key share it.
    pub(super) fn key(&self) -> String {
        match self {
            ResourceKind::KvById { id } => ["kv:", id].concat(),
            ResourceKind::KvNew { title } => ["kvnew:", title].concat(),
            ResourceKind::R2 { name, .. } => ["r2:", name].concat(),
            ResourceKind::D1 { name, .. } => ["d1:", name].concat(),
            ResourceKind::Queue { name, .. } => ["queue:", name].concat(),
            ResourceKind::DispatchNamespace { namespace } => ["dispatch:", namespace].concat(),
            ResourceKind::Vectorize { index_name } => ["vectorize:", index_name].concat(),
            ResourceKind::Hyperdrive { id, .. } => ["hyperdrive:", id].concat(),
        }
    }

    /// How messages name it.
    fn what(&self) -> String {
        match self {
            ResourceKind::KvById { .. } | ResourceKind::KvNew { .. } => "KV namespace".into(),
            ResourceKind::R2 { name, .. } => format!("R2 bucket `{name}`"),
            ResourceKind::D1 { name, .. } => format!("D1 database `{name}`"),
            ResourceKind::Queue { name, .. } => format!("queue `{name}`"),
            ResourceKind::DispatchNamespace { .. } => "dispatch namespace".into(),
            ResourceKind::Vectorize { .. } => "Vectorize index".into(),
            ResourceKind::Hyperdrive { .. } => "Hyperdrive config".into(),
        }
    }

    /// The bases of its identifier and id. A resource with a readable name of its own is named
    /// after it (`user-db` → `userDb`); one known by an opaque id after the binding that
    /// declares it (`CACHE` → `cacheKv`, id `cache`).
    fn name_bases(&self, binding: &str) -> (String, String) {
        match self {
            ResourceKind::KvById { .. } => (suffixed(binding, "Kv"), kebab(binding)),
            ResourceKind::KvNew { title } => (suffixed(binding, "Kv"), title.clone()),
            ResourceKind::Hyperdrive { .. } => (suffixed(binding, "Hyperdrive"), kebab(binding)),
            ResourceKind::R2 { name, .. }
            | ResourceKind::D1 { name, .. }
            | ResourceKind::Queue { name, .. }
            | ResourceKind::DispatchNamespace { namespace: name }
            | ResourceKind::Vectorize { index_name: name } => (camel(name), name.clone()),
        }
    }

    /// Comment lines for its declaration.
    fn notes(&self) -> Vec<String> {
        match self {
            ResourceKind::KvNew { .. } => {
                vec!["wrangler gave no id: a new namespace is created".into()]
            }
            _ => Vec::new(),
        }
    }

    /// How `other`, another declaration of the same resource, disagrees with this one (a
    /// setting one of them leaves out is no disagreement).
    fn conflict(&self, other: &ResourceKind) -> Option<String> {
        match (self, other) {
            (
                ResourceKind::R2 {
                    jurisdiction: a, ..
                },
                ResourceKind::R2 {
                    jurisdiction: b, ..
                },
            ) if a != b => Some(format!("jurisdiction {b:?} instead of {a:?}")),
            (
                ResourceKind::D1 {
                    migrations_dir: dir_a,
                    migrations_table: table_a,
                    ..
                },
                ResourceKind::D1 {
                    migrations_dir: dir_b,
                    migrations_table: table_b,
                    ..
                },
            ) if differs(dir_a, dir_b) || differs(table_a, table_b) => {
                Some("other migrations_dir/migrations_table".into())
            }
            (
                ResourceKind::Queue {
                    delivery_delay: Some(a),
                    ..
                },
                ResourceKind::Queue {
                    delivery_delay: Some(b),
                    ..
                },
            ) if a != b => Some(format!("delivery_delay {b} instead of {a}")),
            _ => None,
        }
    }

    /// Takes from `other` the settings this declaration leaves out.
    fn fill_in(&mut self, other: &ResourceKind) {
        match (self, other) {
            (
                ResourceKind::Queue {
                    delivery_delay: mine @ None,
                    ..
                },
                ResourceKind::Queue {
                    delivery_delay: Some(x),
                    ..
                },
            ) => *mine = Some(*x),
            (
                ResourceKind::D1 {
                    migrations_dir,
                    migrations_table,
                    ..
                },
                ResourceKind::D1 {
                    migrations_dir: dir,
                    migrations_table: table,
                    ..
                },
            ) => {
                if migrations_dir.is_none() {
                    migrations_dir.clone_from(dir);
                }
                if migrations_table.is_none() {
                    migrations_table.clone_from(table);
                }
            }
            _ => {}
        }
    }
}

/// Two optional settings disagree (one missing is no disagreement: the other fills it in).
fn differs<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// A resource a binding asks for.
pub(super) struct Wanted<'s> {
    pub(super) kind: ResourceKind,
    /// The binding's slot (`<worker label>/<binding>`): a new resource is named for it.
    pub(super) slot: &'s str,
    /// The binding's name (resources known by an id are named after it).
    pub(super) binding: &'s str,
    /// Where the config names the resource: a disagreement is reported there.
    pub(super) span: Span,
}

/// Shared resources, keyed by what identifies them in Cloudflare.
#[derive(Default)]
pub(super) struct ResourceTable {
    pub(super) items: Vec<Resource>,
    by_key: HashMap<String, (usize, Span)>,
    /// D1 bindings that give only an id: `(binding span, resource, id)`.
    unnamed_d1: Vec<(Span, usize, String)>,
    /// `(resource, hash of the slot)` of every use recorded: a resource shared by thousands of
    /// bindings finds a new one new without looking through the others (only a matching hash
    /// is checked against the slots themselves).
    used_by: HashSet<(usize, u64)>,
}

impl ResourceTable {
    /// The resource known by `key`, or a new one declared from `want`; the binding's slot is
    /// added to its users. A declaration that disagrees with the first is reported (the first
    /// one wins) and fills in what the first leaves out.
    pub(super) fn get_or_add(
        &mut self,
        key: String,
        want: Wanted<'_>,
        names: &mut Shared,
        diags: &mut Vec<Diagnostic>,
    ) -> usize {
        let i = match self.by_key.get(&key) {
            Some(&(i, first)) => {
                let r = &mut self.items[i];
                if let Some(detail) = r.kind.conflict(&want.kind) {
                    let d =
                        codes::conflicting_resource(want.span, first, &want.kind.what(), &detail);
                    r.notes.push(d.todo_comment(format_args!(
                        "declared elsewhere with {detail}; check which settings are right"
                    )));
                    diags.push(d);
                }
                r.kind.fill_in(&want.kind);
                i
            }
            None => {
                let (ident_base, id_base) = want.kind.name_bases(want.binding);
                self.items.push(Resource {
                    ident: names.ident(want.slot, || ident_base),
                    id: names.id(want.slot, || id_base),
                    notes: want.kind.notes(),
                    kind: want.kind,
                    slots: Vec::new(),
                });
                let i = self.items.len() - 1;
                self.by_key.insert(key, (i, want.span));
                i
            }
        };
        let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, want.slot);
        let slots = &mut self.items[i].slots;
        if self.used_by.insert((i, hash)) || !slots.iter().any(|s| s == want.slot) {
            slots.push(want.slot.to_string());
        }
        i
    }

    /// Whether a resource is known by `key`.
    pub(super) fn knows(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Makes `keys` find resource `i` too (a resource known by several names).
    pub(super) fn alias(&mut self, keys: &[Option<String>], i: usize, span: Span) {
        for k in keys.iter().flatten() {
            self.by_key.entry(k.clone()).or_insert((i, span));
        }
    }

    /// A D1 database bound by its id, named `name` by another config: takes the real name.
    pub(super) fn name_d1(&mut self, i: usize, id: &str, name: &str) {
        if let ResourceKind::D1 { name: known, .. } = &mut self.items[i].kind
            && *known == id
        {
            *known = name.to_string();
        }
    }

    /// A D1 binding that gives only an id; reported once every config is read, since another
    /// may name the database.
    pub(super) fn unnamed_d1(&mut self, span: Span, i: usize, id: &str) {
        self.unnamed_d1.push((span, i, id.to_string()));
    }

    /// Reports the D1 databases no config names: their id stands for their name.
    pub(super) fn report_unnamed_d1(&self, diags: &mut Vec<Diagnostic>) {
        for (span, r, id) in &self.unnamed_d1 {
            if matches!(&self.items[*r].kind, ResourceKind::D1 { name, .. } if name == id) {
                diags.push(codes::action_needed(
                    *span,
                    "d1_databases[].database_name",
                    "is missing; the database id is used as its name",
                    "set `database_name` to the database's real name so it is adopted, not created",
                ));
            }
        }
    }
}

/// Gives a resource of several stages one identifier: resources used by the same binding in
/// different stages are one `const` (each stage deploys its own version of it). A binding that
/// shares a resource with another in one stage but not in another keeps a `const` of its own.
pub fn unify_resources(programs: &mut [&mut Program], shared: &mut Shared) {
    struct Group {
        ident: String,
        id: String,
        stages: BTreeSet<usize>,
    }
    let mut groups: Vec<Group> = Vec::new();
    // (Sized once: at most every resource and every slot of every stage.)
    let resources: usize = programs.iter().map(|p| p.resources.len()).sum();
    let slots: usize = programs
        .iter()
        .flat_map(|p| &p.resources)
        .map(|r| r.slots.len())
        .sum();
    let sized = |n: usize| HashSet::with_capacity_and_hasher(n, Default::default());
    // Slot → the groups holding it (linear lookups, whatever the number of resources).
    let mut by_slot: HashMap<String, Vec<usize>> =
        HashMap::with_capacity_and_hasher(slots, Default::default());
    let (mut taken_idents, mut taken_ids): (HashSet<String>, HashSet<String>) =
        (sized(resources), sized(resources));
    for (s, p) in programs.iter_mut().enumerate() {
        for r in &mut p.resources {
            let mut candidates: Vec<usize> = r
                .slots
                .iter()
                .flat_map(|x| by_slot.get(x).into_iter().flatten().copied())
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            let found = candidates
                .into_iter()
                .find(|&g| !groups[g].stages.contains(&s));
            let g = match found {
                Some(g) => g,
                None => {
                    let taken = taken_idents.contains(&r.ident) || taken_ids.contains(&r.id);
                    let (ident, id) = if taken {
                        let slot = format!("group:{}", groups.len());
                        let base_ident = r.ident.clone();
                        let base_id = r.id.clone();
                        (
                            shared.ident(&slot, || base_ident),
                            shared.id(&slot, || base_id),
                        )
                    } else {
                        (r.ident.clone(), r.id.clone())
                    };
                    taken_idents.insert(ident.clone());
                    taken_ids.insert(id.clone());
                    groups.push(Group {
                        ident,
                        id,
                        stages: BTreeSet::new(),
                    });
                    groups.len() - 1
                }
            };
            // (A slot is in at most one group per stage: its groups are looked through.)
            for x in &r.slots {
                match by_slot.get_mut(x) {
                    Some(holders) if holders.contains(&g) => {}
                    Some(holders) => holders.push(g),
                    None => {
                        by_slot.insert(x.clone(), vec![g]);
                    }
                }
            }
            groups[g].stages.insert(s);
            r.ident = groups[g].ident.clone();
            r.id = groups[g].id.clone();
        }
    }
}
