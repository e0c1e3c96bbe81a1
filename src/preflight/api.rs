//! Reading the live account through Cloudflare's REST API: `GET` requests only, never anything
//! else. At most [`MAX_IN_FLIGHT`] requests at once; 429 and 5xx answers and lost connections are
//! retried with exponential backoff (honouring `Retry-After`), a bounded number of times. An
//! access problem (refused token, unreachable API, exhausted retries) stops the requests not yet
//! sent. The token goes into the `Authorization` header and nowhere else.
//!
//! Tuning for tests: `ALCHEMY_MIGRATOR_HTTP_TIMEOUT_MS` (connect and answer timeouts, default
//! 30 000) and `ALCHEMY_MIGRATOR_HTTP_BACKOFF_MS` (first retry delay, default 500).

use super::live::{self, Answer, ApiMessage, LiveResources, LiveScript, LiveWorker, Lookup};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Requests in flight at once, at most.
pub const MAX_IN_FLIGHT: usize = 8;
/// Attempts per request (the first one and the retries).
const ATTEMPTS: u32 = 4;
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(60);
/// Pages of a list read at most.
const MAX_PAGES: u64 = 100;

/// How to reach the API.
#[derive(Clone)]
pub struct Access {
    pub base_url: String,
    pub token: String,
    pub account: String,
    pub timeout: Duration,
    pub backoff: Duration,
}

impl std::fmt::Debug for Access {
    // Never shows the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("base_url", &self.base_url)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// Why a request gave no usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer, or a refusal: the account could not be read.
    Request {
        request: String,
        why: String,
        help: String,
    },
    /// An answer that is not what the API promises.
    Unexpected { request: String, why: String },
    /// Not sent: an earlier access problem stopped the run.
    Skipped,
}

/// A usable answer.
enum Got {
    Ok {
        result: serde_json::Value,
        info: Option<live::ResultInfo>,
    },
    NotFound(Vec<ApiMessage>),
}

pub struct Client {
    agent: ureq::Agent,
    access: Access,
    abort: AtomicBool,
}

/// Percent-encodes a path segment or query value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    pub fn new(access: Access) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_resolve(Some(access.timeout))
            .timeout_connect(Some(access.timeout))
            .timeout_recv_response(Some(access.timeout))
            .timeout_recv_body(Some(access.timeout))
            .timeout_send_request(Some(access.timeout))
            .user_agent(format!("alchemy-migrator/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
            access,
            abort: AtomicBool::new(false),
        }
    }

    fn account_path(&self, rest: &str) -> String {
        format!("/accounts/{}{rest}", enc(&self.access.account))
    }

    /// Hides the token, should anything ever echo it.
    fn scrub(&self, s: String) -> String {
        if self.access.token.is_empty() {
            s
        } else {
            s.replace(&self.access.token, "[token]")
        }
    }

    fn delay(&self, attempt: u32, retry_after: Option<u64>) -> Duration {
        match retry_after {
            Some(s) => Duration::from_secs(s).min(MAX_DELAY),
            None => self
                .access
                .backoff
                .saturating_mul(1 << (attempt - 1).min(10))
                .min(MAX_DELAY),
        }
    }

    /// One `GET`, retried; `path` is relative to the base URL.
    fn get(&self, path: &str) -> Result<Got, Failure> {
        let request = format!("GET {path}");
        let url = format!("{}{path}", self.access.base_url.trim_end_matches('/'));
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.abort.load(Ordering::Relaxed) {
                return Err(Failure::Skipped);
            }
            let sent = self
                .agent
                .get(&url)
                .header("Authorization", &format!("Bearer {}", self.access.token))
                .header("Accept", "application/json")
                .call();
            let (status, retry_after, body) = match sent {
                Ok(mut r) => {
                    let status = r.status().as_u16();
                    let retry_after = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    match r.body_mut().with_config().limit(64 << 20).read_to_string() {
                        Ok(body) => (status, retry_after, body),
                        Err(_) if attempt < ATTEMPTS => {
                            std::thread::sleep(self.delay(attempt, None));
                            continue;
                        }
                        Err(e) => return Err(self.unreachable(&request, &e)),
                    }
                }
                Err(e) if attempt < ATTEMPTS && transient(&e) => {
                    std::thread::sleep(self.delay(attempt, None));
                    continue;
                }
                Err(e) => return Err(self.unreachable(&request, &e)),
            };
            if (status == 429 || status >= 500) && attempt < ATTEMPTS {
                std::thread::sleep(self.delay(attempt, retry_after));
                continue;
            }
            return self.classify(&request, status, &body);
        }
    }

    fn unreachable(&self, request: &str, e: &ureq::Error) -> Failure {
        self.abort.store(true, Ordering::Relaxed);
        let timed_out = matches!(e, ureq::Error::Timeout(_))
            || matches!(e, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut);
        let why = if timed_out {
            format!(
                "no answer within {} ms ({ATTEMPTS} attempts)",
                self.access.timeout.as_millis()
            )
        } else {
            format!("the API cannot be reached ({ATTEMPTS} attempts): {e}")
        };
        Failure::Request {
            request: request.to_string(),
            why: self.scrub(why),
            help: format!(
                "check the network and CLOUDFLARE_API_BASE_URL (now {})",
                self.access.base_url
            ),
        }
    }

    fn classify(&self, request: &str, status: u16, body: &str) -> Result<Got, Failure> {
        let parsed = live::envelope(body);
        let api_words = |parsed: &Result<Answer, String>| match parsed {
            Ok(Answer::Failed(errors)) => live::describe(errors),
            _ => "no error message".to_string(),
        };
        match status {
            200..=299 => match parsed {
                Ok(Answer::Ok { result, info }) => Ok(Got::Ok { result, info }),
                Ok(Answer::Failed(errors)) => Err(Failure::Request {
                    request: request.to_string(),
                    why: self.scrub(format!("the API refused: {}", live::describe(&errors))),
                    help: "check the account id and the token's permissions".into(),
                }),
                Err(why) => Err(Failure::Unexpected {
                    request: request.to_string(),
                    why: self.scrub(why),
                }),
            },
            404 => match parsed {
                Ok(Answer::Failed(errors)) => Ok(Got::NotFound(errors)),
                _ => Ok(Got::NotFound(Vec::new())),
            },
            401 | 403 => {
                self.abort.store(true, Ordering::Relaxed);
                Err(Failure::Request {
                    request: request.to_string(),
                    why: self.scrub(format!(
                        "access denied (HTTP {status}): {}",
                        api_words(&parsed)
                    )),
                    help: format!(
                        "check that CLOUDFLARE_API_TOKEN is valid and may read account `{}` (Workers Scripts, D1, R2, Queues: read)",
                        self.access.account
                    ),
                })
            }
            429 | 500..=599 => {
                self.abort.store(true, Ordering::Relaxed);
                let what = if status == 429 {
                    "rate limited".to_string()
                } else {
                    "server error".to_string()
                };
                Err(Failure::Request {
                    request: request.to_string(),
                    why: self.scrub(format!(
                        "{what} (HTTP {status}) after {ATTEMPTS} attempts: {}",
                        api_words(&parsed)
                    )),
                    help: "try again later".into(),
                })
            }
            _ => Err(Failure::Request {
                request: request.to_string(),
                why: self.scrub(format!("HTTP {status}: {}", api_words(&parsed))),
                help: "check the account id, the script names and CLOUDFLARE_API_BASE_URL".into(),
            }),
        }
    }

    fn ok(&self, path: &str) -> Result<(serde_json::Value, Option<live::ResultInfo>), Failure> {
        match self.get(path)? {
            Got::Ok { result, info } => Ok((result, info)),
            Got::NotFound(errors) => Err(Failure::Request {
                request: format!("GET {path}"),
                why: self.scrub(format!("not found (HTTP 404): {}", live::describe(&errors))),
                help: "check the account id and CLOUDFLARE_API_BASE_URL".into(),
            }),
        }
    }

    fn unexpected(path: &str, why: String) -> Failure {
        Failure::Unexpected {
            request: format!("GET {path}"),
            why,
        }
    }

    /// A worker's settings: `Missing` for a script that does not exist (404, code 10007).
    pub fn settings(&self, script: &str) -> Result<(LiveWorker, Vec<String>), Failure> {
        let path = self.account_path(&format!("/workers/scripts/{}/settings", enc(script)));
        match self.get(&path)? {
            Got::NotFound(errors) if errors.iter().any(|e| e.code == Some(10007)) => {
                Ok((LiveWorker::Missing, Vec::new()))
            }
            Got::NotFound(errors) => Err(Failure::Request {
                request: format!("GET {path}"),
                why: self.scrub(format!("not found (HTTP 404): {}", live::describe(&errors))),
                help: "check the account id and CLOUDFLARE_API_BASE_URL".into(),
            }),
            Got::Ok { result, .. } => live::settings(&result)
                .map(|(s, problems)| (LiveWorker::Present(s), problems))
                .map_err(|why| Client::unexpected(&path, why)),
        }
    }

    pub fn secrets(&self, script: &str) -> Result<Vec<String>, Failure> {
        let path = self.account_path(&format!("/workers/scripts/{}/secrets", enc(script)));
        let (result, _) = self.ok(&path)?;
        live::secrets(&result).map_err(|why| Client::unexpected(&path, why))
    }

    pub fn schedules(&self, script: &str) -> Result<Vec<String>, Failure> {
        let path = self.account_path(&format!("/workers/scripts/{}/schedules", enc(script)));
        let (result, _) = self.ok(&path)?;
        live::schedules(&result).map_err(|why| Client::unexpected(&path, why))
    }

    pub fn domains(&self, script: &str) -> Result<Vec<String>, Failure> {
        let path = self.account_path(&format!("/workers/domains?service={}", enc(script)));
        let (result, _) = self.ok(&path)?;
        live::domains(&result, script).map_err(|why| Client::unexpected(&path, why))
    }

    fn lookup(&self, l: &Lookup) -> Result<LookupResult, Failure> {
        match l {
            Lookup::D1ByName(name) => {
                let path = self.account_path(&format!("/d1/database?name={}", enc(name)));
                let (result, _) = self.ok(&path)?;
                let all = live::d1_list(&result).map_err(|why| Client::unexpected(&path, why))?;
                Ok(LookupResult::D1ByName(
                    name.clone(),
                    all.into_iter().find(|d| d.name == *name).map(|d| d.uuid),
                ))
            }
            Lookup::D1ById(id) => {
                let path = self.account_path(&format!("/d1/database/{}", enc(id)));
                match self.get(&path)? {
                    Got::NotFound(_) => Ok(LookupResult::D1ById(id.clone(), None)),
                    Got::Ok { result, .. } => live::d1_one(&result)
                        .map(|d| LookupResult::D1ById(id.clone(), Some(d.name)))
                        .map_err(|why| Client::unexpected(&path, why)),
                }
            }
            Lookup::R2(name) => {
                let path = self.account_path(&format!("/r2/buckets/{}", enc(name)));
                match self.get(&path)? {
                    Got::NotFound(_) => Ok(LookupResult::R2(name.clone(), false)),
                    Got::Ok { .. } => Ok(LookupResult::R2(name.clone(), true)),
                }
            }
            Lookup::Queues => {
                let mut names = BTreeSet::new();
                let mut page = 1;
                loop {
                    let path = self.account_path(&format!("/queues?page={page}&per_page=100"));
                    let (result, info) = self.ok(&path)?;
                    let got =
                        live::queue_names(&result).map_err(|why| Client::unexpected(&path, why))?;
                    let n = got.len();
                    names.extend(got);
                    let more = info
                        .and_then(|i| i.total_pages)
                        .is_some_and(|total| page < total);
                    if !more || n == 0 || page >= MAX_PAGES {
                        break;
                    }
                    page += 1;
                }
                Ok(LookupResult::Queues(names))
            }
        }
    }
}

/// A connection problem worth another attempt.
fn transient(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Timeout(_)
            | ureq::Error::Io(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Protocol(_)
    )
}

enum LookupResult {
    D1ByName(String, Option<String>),
    D1ById(String, Option<String>),
    R2(String, bool),
    Queues(BTreeSet<String>),
}

/// Runs `f` on every item with at most `max` at once; results in the items' order.
pub fn pool<T: Sync, R: Send>(items: &[T], max: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..max.min(items.len()) {
            let tx = tx.clone();
            let (next, f) = (&next, &f);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, f(item))).is_err() {
                        break;
                    }
                }
            });
        }
    });
    drop(tx);
    let mut out: Vec<(usize, R)> = rx.into_iter().collect();
    out.sort_by_key(|x| x.0);
    out.into_iter().map(|x| x.1).collect()
}

/// One worker as read: the live state, and the problems met reading it.
pub struct Read {
    pub live: Option<LiveWorker>,
    pub failures: Vec<Failure>,
    /// Bindings that could not be read.
    pub problems: Vec<String>,
}

/// Reads every script: settings first, then the secrets, crons and custom domains of those that
/// exist. `done` is called once per script read.
pub fn read_workers(client: &Client, scripts: &[String], done: &(dyn Fn() + Sync)) -> Vec<Read> {
    let first = pool(scripts, MAX_IN_FLIGHT, |s| client.settings(s));
    #[derive(Clone, Copy)]
    enum Part {
        Secrets,
        Schedules,
        Domains,
    }
    let mut jobs: Vec<(usize, Part)> = Vec::new();
    for (i, r) in first.iter().enumerate() {
        if matches!(r, Ok((LiveWorker::Present(_), _))) {
            for p in [Part::Secrets, Part::Schedules, Part::Domains] {
                jobs.push((i, p));
            }
        } else {
            done();
        }
    }
    enum PartResult {
        Names(Vec<String>),
        Crons(Vec<String>),
        Domains(Vec<String>),
    }
    let remaining: Vec<AtomicUsize> = (0..scripts.len()).map(|_| AtomicUsize::new(3)).collect();
    let parts = pool(&jobs, MAX_IN_FLIGHT, |(i, p)| {
        let s = &scripts[*i];
        let r = match p {
            Part::Secrets => client.secrets(s).map(PartResult::Names),
            Part::Schedules => client.schedules(s).map(PartResult::Crons),
            Part::Domains => client.domains(s).map(PartResult::Domains),
        };
        if remaining[*i].fetch_sub(1, Ordering::Relaxed) == 1 {
            done();
        }
        r
    });
    let mut out: Vec<Read> = first
        .into_iter()
        .map(|r| match r {
            Ok((live, problems)) => Read {
                live: Some(live),
                failures: Vec::new(),
                problems,
            },
            Err(f) => Read {
                live: None,
                failures: vec![f],
                problems: Vec::new(),
            },
        })
        .collect();
    for ((i, _), r) in jobs.iter().zip(parts) {
        let read = &mut out[*i];
        match r {
            Err(f) => {
                read.failures.push(f);
                read.live = None;
            }
            Ok(part) => {
                if let Some(LiveWorker::Present(s)) = &mut read.live {
                    merge(s, part);
                }
            }
        }
    }
    fn merge(s: &mut LiveScript, part: PartResult) {
        match part {
            PartResult::Names(n) => s.secrets.extend(n),
            PartResult::Crons(c) => s.crons = c,
            PartResult::Domains(d) => s.domains = d,
        }
    }
    out
}

/// Makes the lookups and records their answers in `res`; returns the failures.
pub fn look_up(client: &Client, lookups: &[Lookup], res: &mut LiveResources) -> Vec<Failure> {
    let mut failures = Vec::new();
    for r in pool(lookups, MAX_IN_FLIGHT, |l| client.lookup(l)) {
        match r {
            Ok(LookupResult::D1ByName(n, id)) => {
                res.d1_by_name.insert(n, id);
            }
            Ok(LookupResult::D1ById(id, n)) => {
                res.d1_by_id.insert(id, n);
            }
            Ok(LookupResult::R2(n, exists)) => {
                res.r2.insert(n, exists);
            }
            Ok(LookupResult::Queues(q)) => res.queues = Some(q),
            Err(f) => failures.push(f),
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_path_segments() {
        assert_eq!(enc("api-worker_1.x~"), "api-worker_1.x~");
        assert_eq!(enc("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(enc("é"), "%C3%A9");
    }

    #[test]
    fn pool_keeps_order_and_bounds_concurrency() {
        let live = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let items: Vec<usize> = (0..40).collect();
        let out = pool(&items, 8, |i| {
            let now = live.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            live.fetch_sub(1, Ordering::SeqCst);
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 8);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let a = Access {
            base_url: "http://x".into(),
            token: "sekrit".into(),
            account: "acc".into(),
            timeout: Duration::from_secs(1),
            backoff: Duration::from_millis(1),
        };
        assert!(!format!("{a:?}").contains("sekrit"));
    }
}
