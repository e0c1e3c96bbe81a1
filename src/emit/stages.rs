//! Stages: one program for every wrangler environment. The per-stage versions of an expression
//! are merged into one: parts that are the same everywhere are written once, parts that differ
//! are written side by side, indexed by the stage (`{ production: "a", staging: "b" }[stage]`).
//!
//! `stage` in the generated program is the Alchemy stage when it is a wrangler environment, and
//! `undefined` for every other stage ("other": a developer's or a pull request's stage).
//! Expressions with side effects (`await`) are never evaluated for another stage: they are
//! chosen with conditionals.

use super::ts::{Js, Prop};

/// The mapped stages, in order, and the one whose configuration "other" stages start from.
pub struct Stages {
    pub mapped: Vec<String>,
    /// A mapped stage whose values "other" stages share (the top level's stage), if any.
    pub default: Option<String>,
}

fn has_await(js: &Js) -> bool {
    match js {
        Js::Raw(_) | Js::Str(_) => false,
        Js::Await(_) => true,
        Js::Obj { props, .. } => props.iter().any(|p| match p {
            Prop::KeyValue(_, v) | Prop::Spread(v) => has_await(v),
            Prop::Comment(_) => false,
        }),
        Js::Arr(items) => items.iter().any(has_await),
        Js::Call { args, .. } => args.iter().any(has_await),
        Js::Cond(a, b, c) => has_await(a) || has_await(b) || has_await(c),
        Js::As(e, _) | Js::Index(e, _) | Js::NonNull(e) => has_await(e),
    }
}

fn undefined() -> Js {
    Js::raw("undefined")
}

/// `stage === "s"`.
fn is_stage(s: &str) -> Js {
    Js::raw(format!("stage === {}", super::ts::string_literal(s)))
}

impl Stages {
    /// Merges one expression. `vals` has one entry per mapped stage (`None`: absent there);
    /// `other` is the value for other stages (`None`: the context already knows `stage` is set).
    pub fn merge(&self, vals: &[Option<Js>], other: Option<Option<&Js>>) -> Js {
        self.merge_in(vals, other, false)
    }

    /// `spread`: the values are members of a `bindings` object, where a missing one is left out
    /// rather than `undefined`.
    fn merge_in(&self, vals: &[Option<Js>], other: Option<Option<&Js>>, spread: bool) -> Js {
        let all: Vec<Option<&Js>> = vals.iter().map(Option::as_ref).chain(other).collect();
        if let Some(first) = all[0] {
            if all.iter().all(|v| *v == Some(first)) {
                return first.clone();
            }
        }
        // Same shape everywhere: merge inside.
        if all.iter().all(Option::is_some) {
            let all: Vec<&Js> = all.iter().flatten().copied().collect();
            if let Some(js) = self.merge_shape(&all, vals.len(), other.is_some(), spread) {
                return js;
            }
        }
        // The mapped stages agree on a shape but other stages differ: `stage ? mapped : other`.
        if let Some(other) = other {
            let mapped_all: Vec<&Js> = vals.iter().flatten().collect();
            // (Unless other stages share the default stage's value: then the leaf's
            // `{ … }[stage ?? "default"]` says it more simply.)
            let default_value = self
                .default
                .as_ref()
                .and_then(|d| self.mapped.iter().position(|s| s == d))
                .and_then(|i| vals[i].as_ref());
            let shares_default = default_value.is_some()
                && default_value == other
                && !vals.iter().flatten().any(has_await);
            if mapped_all.len() == vals.len() && !shares_default {
                let m = self.merge(vals, None);
                let o = other.cloned().unwrap_or_else(undefined);
                return stage_cond(m, o);
            }
        }
        self.leaf(vals, other)
    }

    /// Merges values of the same kind node by node; `None` if the shapes differ.
    fn merge_shape(
        &self,
        all: &[&Js],
        n_mapped: usize,
        has_other: bool,
        spread: bool,
    ) -> Option<Js> {
        let split = |items: Vec<Js>| -> (Vec<Option<Js>>, Option<Js>) {
            let mut it = items.into_iter();
            let mapped: Vec<Option<Js>> = it.by_ref().take(n_mapped).map(Some).collect();
            (mapped, if has_other { it.next() } else { None })
        };
        let merge_parts = |parts: Vec<Js>| -> Js {
            let (m, o) = split(parts);
            self.merge(&m, if has_other { Some(o.as_ref()) } else { None })
        };
        match all[0] {
            Js::Await(_) => {
                let inner: Option<Vec<Js>> = all
                    .iter()
                    .map(|j| {
                        if let Js::Await(e) = j {
                            Some((**e).clone())
                        } else {
                            None
                        }
                    })
                    .collect();
                Some(Js::await_(merge_parts(inner?)))
            }
            Js::Call { callee, args } => {
                let same = all.iter().all(|j| matches!(j, Js::Call { callee: c, args: a } if c == callee && a.len() == args.len()));
                if !same {
                    return None;
                }
                let merged = (0..args.len())
                    .map(|k| {
                        merge_parts(
                            all.iter()
                                .map(|j| {
                                    if let Js::Call { args, .. } = j {
                                        args[k].clone()
                                    } else {
                                        undefined()
                                    }
                                })
                                .collect(),
                        )
                    })
                    .collect();
                Some(Js::call(callee.clone(), merged))
            }
            Js::As(_, ty) => {
                let inner: Option<Vec<Js>> = all
                    .iter()
                    .map(|j| {
                        if let Js::As(e, t) = j {
                            (t == ty).then(|| (**e).clone())
                        } else {
                            None
                        }
                    })
                    .collect();
                Some(Js::As(Box::new(merge_parts(inner?)), ty.clone()))
            }
            Js::Cond(c, _, _) => {
                let parts: Option<Vec<(Js, Js, Js)>> = all
                    .iter()
                    .map(|j| {
                        if let Js::Cond(a, b, d) = j {
                            Some(((**a).clone(), (**b).clone(), (**d).clone()))
                        } else {
                            None
                        }
                    })
                    .collect();
                let parts = parts?;
                if parts.iter().any(|p| p.0 != **c) {
                    return None;
                }
                let t = merge_parts(parts.iter().map(|p| p.1.clone()).collect());
                let f = merge_parts(parts.iter().map(|p| p.2.clone()).collect());
                Some(cond((**c).clone(), t, f))
            }
            Js::Obj { expand, .. } => {
                if !all.iter().all(|j| matches!(j, Js::Obj { .. })) {
                    return None;
                }
                Some(self.merge_obj(all, n_mapped, has_other, *expand, spread))
            }
            Js::Arr(_) | Js::Raw(_) | Js::Str(_) | Js::Index(..) | Js::NonNull(_) => None,
        }
    }

    /// Merges objects key by key. A key missing in some stages is `undefined` there, except in
    /// `bindings` (expanded objects), where it is spread in only where it exists.
    fn merge_obj(
        &self,
        all: &[&Js],
        n_mapped: usize,
        has_other: bool,
        expand: bool,
        spread: bool,
    ) -> Js {
        // Keys in order of first appearance; comments attach to the key that follows them.
        // (Hash indexes keep this linear: a `vars` table can hold 100 000 entries.)
        let mut keys: Vec<String> = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut comments: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        let mut tables: Vec<std::collections::HashMap<String, Js>> = Vec::new();
        for j in all {
            let Js::Obj { props, .. } = j else { continue };
            let mut table = std::collections::HashMap::new();
            let mut pending: Vec<String> = Vec::new();
            for p in props {
                match p {
                    Prop::Comment(c) => pending.push(c.clone()),
                    Prop::KeyValue(_, v) | Prop::Spread(v) => {
                        let k = match p {
                            Prop::KeyValue(k, _) => k.clone(),
                            _ => format!("...{}", super::ts::flat(v).unwrap_or_default()),
                        };
                        let list = comments.entry(k.clone()).or_default();
                        for c in pending.drain(..) {
                            if !list.contains(&c) {
                                list.push(c);
                            }
                        }
                        if seen.insert(k.clone()) {
                            keys.push(k.clone());
                        }
                        table.insert(k, v.clone());
                    }
                }
            }
            if !pending.is_empty() {
                let list = comments.entry(String::new()).or_default();
                for c in pending {
                    if !list.contains(&c) {
                        list.push(c);
                    }
                }
            }
            tables.push(table);
        }
        let mut props = Vec::new();
        for k in &keys {
            for c in comments.get(k).into_iter().flatten() {
                props.push(Prop::Comment(c.clone()));
            }
            let mut per: Vec<Option<Js>> = tables.iter().map(|t| t.get(k).cloned()).collect();
            if k == "bindings" {
                // No bindings in some stage: an empty set, so the others merge binding by binding.
                for v in per.iter_mut().filter(|v| v.is_none()) {
                    *v = Some(Js::expanded(Vec::new()));
                }
            }
            let (mapped, other) = (
                per[..n_mapped].to_vec(),
                if has_other {
                    Some(per[n_mapped].clone())
                } else {
                    None
                },
            );
            let present_everywhere = per.iter().all(Option::is_some);
            if k.starts_with("...") {
                let v = per
                    .iter()
                    .flatten()
                    .next()
                    .cloned()
                    .unwrap_or_else(undefined);
                props.push(Prop::Spread(v));
            } else if present_everywhere || !spread {
                let v = self.merge_in(&mapped, other.as_ref().map(|o| o.as_ref()), k == "bindings");
                props.push(Prop::KeyValue(k.clone(), v));
            } else {
                // A binding some stages do not have: spread it in where it exists.
                let present: Vec<Option<Js>> = per.clone();
                let values: Vec<Js> = present.iter().flatten().cloned().collect();
                let value = if values.iter().all(|v| *v == values[0]) {
                    values[0].clone()
                } else {
                    Js::NonNull(Box::new(
                        self.merge(&mapped, other.as_ref().map(|o| o.as_ref())),
                    ))
                };
                let present_mapped: Vec<bool> = mapped.iter().map(Option::is_some).collect();
                let other_present = other.as_ref().map(Option::is_some);
                let test = self.presence_test(&present_mapped, other_present);
                let obj = Js::obj(vec![Prop::KeyValue(k.clone(), value)]);
                props.push(Prop::Spread(cond(test, obj, Js::obj(vec![]))));
            }
        }
        for c in comments.get("").into_iter().flatten() {
            props.push(Prop::Comment(c.clone()));
        }
        Js::Obj { props, expand }
    }

    /// A test that is true in exactly the stages where something is present.
    fn presence_test(&self, mapped: &[bool], other: Option<bool>) -> Js {
        let absent: Vec<&str> = self
            .mapped
            .iter()
            .zip(mapped)
            .filter(|(_, p)| !**p)
            .map(|(s, _)| s.as_str())
            .collect();
        let present: Vec<&str> = self
            .mapped
            .iter()
            .zip(mapped)
            .filter(|(_, p)| **p)
            .map(|(s, _)| s.as_str())
            .collect();
        match other {
            Some(true) => {
                if present.is_empty() {
                    return Js::raw("stage === undefined");
                }
                Js::raw(
                    absent
                        .iter()
                        .map(|s| format!("stage !== {}", super::ts::string_literal(s)))
                        .collect::<Vec<_>>()
                        .join(" && "),
                )
            }
            Some(false) if absent.is_empty() => Js::raw("stage !== undefined"),
            _ => Js::raw(
                present
                    .iter()
                    .map(|s| format!("stage === {}", super::ts::string_literal(s)))
                    .collect::<Vec<_>>()
                    .join(" || "),
            ),
        }
    }

    /// Values that differ and cannot be merged inside.
    fn leaf(&self, vals: &[Option<Js>], other: Option<Option<&Js>>) -> Js {
        let mapped: Vec<Js> = vals
            .iter()
            .map(|v| v.clone().unwrap_or_else(undefined))
            .collect();
        let other_v = other.map(|o| o.cloned().unwrap_or_else(undefined));
        // Booleans that only tell wrangler environments from other stages.
        if mapped.iter().all(|v| *v == mapped[0]) {
            if let Some(o) = &other_v {
                return match (mapped[0].clone(), o) {
                    (Js::Raw(a), Js::Raw(b)) if a == "true" && b == "false" => {
                        Js::raw("stage !== undefined")
                    }
                    (Js::Raw(a), Js::Raw(b)) if a == "false" && b == "true" => {
                        Js::raw("stage === undefined")
                    }
                    (m, o) => stage_cond(m, o.clone()),
                };
            }
            return mapped[0].clone();
        }
        let impure = mapped.iter().any(has_await) || other_v.as_ref().is_some_and(has_await);
        // Something that exists in one stage only: `stage === "s" ? value : undefined`.
        let present: Vec<usize> = vals
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| i)
            .collect();
        if impure && present.len() == 1 && other.is_some_and(|o| o.is_none()) {
            return cond(
                is_stage(&self.mapped[present[0]]),
                mapped[present[0]].clone(),
                undefined(),
            );
        }
        if impure {
            // Evaluate only the chosen stage's expression.
            let mut tail =
                other_v.unwrap_or_else(|| mapped.last().cloned().unwrap_or_else(undefined));
            let n = if other.is_some() {
                mapped.len()
            } else {
                mapped.len() - 1
            };
            for (s, v) in self.mapped.iter().zip(&mapped).take(n).rev() {
                tail = cond(is_stage(s), v.clone(), tail);
            }
            return tail;
        }
        let table = Js::obj(
            self.mapped
                .iter()
                .zip(&mapped)
                .map(|(s, v)| Prop::kv(s, v.clone()))
                .collect(),
        );
        match other_v {
            None => Js::Index(Box::new(table), "stage".into()),
            Some(o) => {
                let default_value = self
                    .default
                    .as_ref()
                    .and_then(|d| self.mapped.iter().position(|s| s == d))
                    .map(|i| &mapped[i]);
                match (default_value, &self.default) {
                    (Some(dv), Some(d)) if *dv == o => Js::Index(
                        Box::new(table),
                        format!("stage ?? {}", super::ts::string_literal(d)),
                    ),
                    _ => cond(
                        Js::raw("stage"),
                        Js::Index(Box::new(table), "stage".into()),
                        o,
                    ),
                }
            }
        }
    }
}

/// `stage ? a : b`, with booleans written as the test itself.
fn stage_cond(a: Js, b: Js) -> Js {
    match (&a, &b) {
        (Js::Raw(x), Js::Raw(y)) if x == "true" && y == "false" => Js::raw("stage !== undefined"),
        (Js::Raw(x), Js::Raw(y)) if x == "false" && y == "true" => Js::raw("stage === undefined"),
        _ => cond(Js::raw("stage"), a, b),
    }
}

fn cond(c: Js, a: Js, b: Js) -> Js {
    Js::Cond(Box::new(c), Box::new(a), Box::new(b))
}
