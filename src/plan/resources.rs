//! Resources: declared once however many bindings use them, looked up by what identifies them in
//! Cloudflare; across stages, one identifier for the resource the same bindings use.

use super::Program;
use super::names::Shared;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Gives a resource of several stages one identifier: resources used by the same binding in
/// different stages are one `const` (each stage deploys its own version of it). A binding that
/// shares a resource with another in one stage but not in another keeps a `const` of its own.
pub fn unify_resources(programs: &mut [&mut Program], shared: &mut Shared) {
    struct Group {
        ident: String,
        id: String,
        slots: BTreeSet<String>,
        stages: BTreeSet<usize>,
    }
    let mut groups: Vec<Group> = Vec::new();
    // Slot → the groups holding it (linear lookups, whatever the number of resources).
    let mut by_slot: HashMap<String, Vec<usize>> = HashMap::new();
    let (mut taken_idents, mut taken_ids): (HashSet<String>, HashSet<String>) =
        (HashSet::new(), HashSet::new());
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
                        slots: BTreeSet::new(),
                        stages: BTreeSet::new(),
                    });
                    groups.len() - 1
                }
            };
            for x in &r.slots {
                if groups[g].slots.insert(x.clone()) {
                    by_slot.entry(x.clone()).or_default().push(g);
                }
            }
            groups[g].stages.insert(s);
            r.ident = groups[g].ident.clone();
            r.id = groups[g].id.clone();
        }
    }
}
