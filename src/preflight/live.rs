//! What the live account holds, parsed from Cloudflare's JSON answers. Pure: text in, typed values
//! (or a reason the text is not what the API promises) out. Unknown fields are ignored, so newer
//! API versions keep working; a binding that does not parse is reported, not fatal.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Cloudflare's envelope around every answer.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    errors: Vec<ApiMessage>,
    #[serde(default)]
    result: Option<serde_json::Value>,
    #[serde(default)]
    result_info: Option<ResultInfo>,
}

/// One entry of `errors`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ApiMessage {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Default)]
pub struct ResultInfo {
    #[serde(default)]
    pub page: Option<u64>,
    #[serde(default)]
    pub total_pages: Option<u64>,
}

/// An answer's envelope, read: `Ok(result)` on success, `Err` with the API's errors otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Ok {
        result: serde_json::Value,
        info: Option<ResultInfo>,
    },
    Failed(Vec<ApiMessage>),
}

/// Reads the envelope of a body. `Err`: the body is not one.
pub fn envelope(body: &str) -> Result<Answer, String> {
    let env: Envelope = serde_json::from_str(body).map_err(|e| {
        if body.trim().is_empty() {
            "an empty body".to_string()
        } else {
            format!("not Cloudflare's JSON envelope: {e}")
        }
    })?;
    match (env.success, env.result) {
        (Some(true), Some(result)) => Ok(Answer::Ok {
            result,
            info: env.result_info,
        }),
        (Some(true), None) => Err("`success` without a `result`".into()),
        (Some(false), _) => Ok(Answer::Failed(env.errors)),
        (None, _) => Err("no `success` field".into()),
    }
}

/// The API's own words for a failed answer: `message (code N)`, joined.
pub fn describe(errors: &[ApiMessage]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|e| match (&e.message, e.code) {
            (Some(m), Some(c)) => format!("{m} (code {c})"),
            (Some(m), None) => m.clone(),
            (None, Some(c)) => format!("code {c}"),
            (None, None) => "no message".into(),
        })
        .collect();
    if parts.is_empty() {
        "no error message".into()
    } else {
        parts.join("; ")
    }
}

/// A string field that the API may also send as a number.
fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// One entry of a worker's `bindings`, with the fields of every type (see the settings endpoint).
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct LiveBinding {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient")]
    pub namespace_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub database_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub bucket_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub jurisdiction: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub queue_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub service: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub environment: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub entrypoint: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub class_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub script_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub workflow_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub index_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub dataset: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub namespace: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub store_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub secret_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub pipeline: Option<String>,
}

impl LiveBinding {
    /// A var (`plain_text` or `json`).
    pub fn is_var(&self) -> bool {
        matches!(self.kind.as_str(), "plain_text" | "json")
    }
    /// A secret (`secret_text`, or a `secret_key`): kept by Cloudflare unless named.
    pub fn is_secret(&self) -> bool {
        matches!(self.kind.as_str(), "secret_text" | "secret_key")
    }
    /// The D1 database id (`database_id`, or `id` in older answers).
    pub fn d1_id(&self) -> Option<&str> {
        self.database_id.as_deref().or(self.id.as_deref())
    }
}

/// A worker as the account has it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveScript {
    pub bindings: Vec<LiveBinding>,
    pub compatibility_date: Option<String>,
    pub compatibility_flags: Vec<String>,
    /// Secret names (from the secrets endpoint and the settings' secret bindings).
    pub secrets: BTreeSet<String>,
    pub crons: Vec<String>,
    /// Custom domains (hostnames).
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiveWorker {
    /// The script does not exist (404, code 10007).
    Missing,
    Present(LiveScript),
}

/// The settings endpoint's `result`: bindings (each parsed on its own) and compatibility.
/// Returns the script and a reason for every binding that could not be read.
pub fn settings(result: &serde_json::Value) -> Result<(LiveScript, Vec<String>), String> {
    #[derive(Deserialize)]
    struct Settings {
        #[serde(default)]
        bindings: Option<Vec<serde_json::Value>>,
        #[serde(default)]
        compatibility_date: Option<String>,
        #[serde(default)]
        compatibility_flags: Option<Vec<String>>,
    }
    let s: Settings =
        serde_json::from_value(result.clone()).map_err(|e| format!("settings: {e}"))?;
    let mut script = LiveScript {
        compatibility_date: s.compatibility_date.filter(|d| !d.is_empty()),
        compatibility_flags: s.compatibility_flags.unwrap_or_default(),
        ..LiveScript::default()
    };
    let mut problems = Vec::new();
    for (i, b) in s.bindings.unwrap_or_default().into_iter().enumerate() {
        match serde_json::from_value::<LiveBinding>(b) {
            Ok(b) => {
                if b.is_secret() {
                    script.secrets.insert(b.name.clone());
                }
                script.bindings.push(b);
            }
            Err(e) => problems.push(format!("binding #{}: {e}", i + 1)),
        }
    }
    Ok((script, problems))
}

/// The secrets endpoint's `result`: names.
pub fn secrets(result: &serde_json::Value) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Secret {
        name: String,
    }
    let v: Vec<Secret> =
        serde_json::from_value(result.clone()).map_err(|e| format!("secrets: {e}"))?;
    Ok(v.into_iter().map(|s| s.name).collect())
}

/// The schedules endpoint's `result`: cron expressions.
pub fn schedules(result: &serde_json::Value) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Schedule {
        cron: String,
    }
    #[derive(Deserialize)]
    struct Schedules {
        #[serde(default)]
        schedules: Vec<Schedule>,
    }
    let v: Schedules =
        serde_json::from_value(result.clone()).map_err(|e| format!("schedules: {e}"))?;
    Ok(v.schedules.into_iter().map(|s| s.cron).collect())
}

/// The custom domains endpoint's `result`: the hostnames attached to `script`.
pub fn domains(result: &serde_json::Value, script: &str) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Domain {
        hostname: String,
        #[serde(default)]
        service: Option<String>,
    }
    let v: Vec<Domain> =
        serde_json::from_value(result.clone()).map_err(|e| format!("domains: {e}"))?;
    Ok(v.into_iter()
        .filter(|d| d.service.as_deref().is_none_or(|s| s == script))
        .map(|d| d.hostname)
        .collect())
}

/// A D1 database (`uuid`, `name`), from the list or from one database.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct D1 {
    pub uuid: String,
    pub name: String,
}

pub fn d1_list(result: &serde_json::Value) -> Result<Vec<D1>, String> {
    serde_json::from_value(result.clone()).map_err(|e| format!("D1 databases: {e}"))
}

pub fn d1_one(result: &serde_json::Value) -> Result<D1, String> {
    serde_json::from_value(result.clone()).map_err(|e| format!("D1 database: {e}"))
}

/// Queue names of one page of the queues list.
pub fn queue_names(result: &serde_json::Value) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Queue {
        queue_name: String,
    }
    serde_json::from_value::<Vec<Queue>>(result.clone())
        .map(|v| v.into_iter().map(|q| q.queue_name).collect())
        .map_err(|e| format!("queues: {e}"))
}

/// Resources looked up by name or id, to say what a binding would point at after the deploy.
/// A missing key means the lookup was not made (or failed, which is reported on its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveResources {
    /// D1 name → its id (`None`: no database of that name).
    pub d1_by_name: BTreeMap<String, Option<String>>,
    /// D1 id → its name (`None`: no such database).
    pub d1_by_id: BTreeMap<String, Option<String>>,
    /// R2 bucket name → whether it exists.
    pub r2: BTreeMap<String, bool>,
    /// Every queue name of the account (`None`: not read).
    pub queues: Option<BTreeSet<String>>,
}

/// A lookup the comparison needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lookup {
    D1ByName(String),
    D1ById(String),
    R2(String),
    Queues,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        assert!(matches!(
            envelope(r#"{"success":true,"errors":[],"result":{"a":1}}"#),
            Ok(Answer::Ok { .. })
        ));
        assert_eq!(
            envelope(r#"{"success":false,"errors":[{"code":10007,"message":"gone"}]}"#),
            Ok(Answer::Failed(vec![ApiMessage {
                code: Some(10007),
                message: Some("gone".into())
            }]))
        );
        assert!(envelope("<html>").is_err());
        assert!(envelope("").is_err());
        assert!(envelope(r#"{"result":1}"#).is_err());
        assert!(envelope(r#"{"success":true}"#).is_err());
    }

    #[test]
    fn settings_tolerate_unknown_fields_and_bad_bindings() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"bindings":[
                {"name":"KV","type":"kv_namespace","namespace_id":"abc","extra":{"x":1}},
                {"name":"RL","type":"ratelimit","namespace_id":1001,"simple":{"limit":1,"period":60}},
                {"name":"S","type":"secret_text"},
                {"type":"d1"}
            ],"compatibility_date":"2025-01-01","usage_model":"standard","future":[1]}"#,
        )
        .unwrap();
        let (s, problems) = settings(&v).unwrap();
        assert_eq!(s.bindings.len(), 3);
        assert_eq!(s.bindings[1].namespace_id.as_deref(), Some("1001"));
        assert!(s.secrets.contains("S"));
        assert_eq!(problems.len(), 1);
        assert!(settings(&serde_json::json!({"bindings": 3})).is_err());
    }

    #[test]
    fn domains_of_one_script() {
        let v = serde_json::json!([
            {"hostname":"a.example.com","service":"api","id":"1"},
            {"hostname":"b.example.com","service":"other"}
        ]);
        assert_eq!(domains(&v, "api").unwrap(), vec!["a.example.com"]);
    }
}
