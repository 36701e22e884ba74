//! DynamoDB as the functions reach it in the benchmark: DynamoDB Local behind the tests' own
//! `DynamoProxy`, served over HTTPS with a certificate from a run's `LocalCa` (DynamoDB is
//! HTTPS only in AWS, and the first request's handshake is part of a cold start), counting
//! every request. Also the harness's own requests: each verb's request made directly, a bare
//! GetItem, and the size of the item each write is billed on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use project_session::dynamodb::{DynamoProxy, LocalCa};

use crate::functions::{Events, AUTOSAVES, FIXTURE_ID};
use crate::stats::percentile;
use crate::{clock, Error};

/// The HTTPS endpoint in front of DynamoDB Local.
pub struct TlsEndpoint {
    pub proxy: DynamoProxy,
    pub ca_file: PathBuf,
}

impl TlsEndpoint {
    /// RSA 2048 keys throughout, as DynamoDB's endpoints have (Amazon RSA 2048 intermediates
    /// under Amazon Root CA 1): verifying them is what a cold start's handshake costs there.
    pub async fn start(dynamodb_local: &str, dir: &Path) -> Result<Self, Error> {
        let keys = [rsa_key()?, rsa_key()?, rsa_key()?];
        let ca = LocalCa::with_rsa_keys([&keys[0], &keys[1], &keys[2]])?;
        let ca_file = dir.join("local-ca.pem");
        std::fs::write(&ca_file, ca.root_pem())?;
        let proxy = DynamoProxy::start_tls(dynamodb_local, &ca).await?;
        Ok(Self { proxy, ca_file })
    }

    pub fn url(&self) -> &str {
        self.proxy.url()
    }
}

/// A 2048-bit RSA key, PKCS#8 PEM, from `openssl` (ring cannot make RSA keys).
fn rsa_key() -> Result<String, Error> {
    let out = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .map_err(|e| format!("openssl (for the HTTPS endpoint's RSA keys): {e}"))?;
    if !out.status.success() {
        return Err(format!("openssl genpkey: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// A bare GetItem from a warm client, `rounds` times: the floor under any verb.
pub async fn bare_get_item(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    id: &str,
    rounds: usize,
) -> Result<Vec<Duration>, Error> {
    let mut bare = Vec::with_capacity(rounds);
    for i in 0..(rounds + 50) {
        let started = clock::now();
        raw_item(client, table, id).await?;
        if i >= 50 {
            bare.push(clock::now() - started);
        }
    }
    bare.sort_unstable();
    Ok(bare)
}

/// An item's size as DynamoDB bills it: attribute names and values, by the rules of the
/// developer guide's "Item sizes and formats".
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        // 3 bytes for the container, 1 per element, and a map's names.
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// One byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
    let significant = digits
        .trim_start_matches('0')
        .trim_end_matches('0')
        .len()
        .max(1);
    significant.div_ceil(2) + 1
}

/// Write request units for a write of an item of `bytes` (1 KB each, rounded up).
pub fn write_units(bytes: usize) -> u64 {
    bytes.div_ceil(1024).max(1) as u64
}

/// Read request units for a strongly consistent read of `bytes` (4 KB each, rounded up).
pub fn read_units(bytes: usize) -> u64 {
    bytes.div_ceil(4096).max(1) as u64
}

/// The raw item of draft `id`, as stored.
pub async fn raw_item(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    id: &str,
) -> Result<HashMap<String, AttributeValue>, Error> {
    let got = client
        .get_item()
        .table_name(table)
        .key("sessionId", AttributeValue::S(id.to_string()))
        .consistent_read(true)
        .send()
        .await?;
    Ok(got.item.unwrap_or_default())
}

pub async fn direct_requests(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    events: &Events,
    rounds: usize,
) -> Result<HashMap<&'static str, Duration>, Error> {
    use project_session::domain::{
        CreateToken, ExpiryPolicy, Field, FieldValue, NewSession, SessionId, SessionPatch,
    };
    use project_session::store::{StoreCreate, StoreDelete, StoreGet, StorePing, StoreUpdate};
    const WARM_UP: usize = 50;
    let store = project_session::DynamoStore::new(client.clone(), table);
    let policy = ExpiryPolicy::default();
    // The create-session event's own body, as the function decodes it.
    let event = events.load("create-session.json", FIXTURE_ID)?;
    let body = event["body"]
        .as_str()
        .ok_or("create-session.json has no body")?;
    let new_session: NewSession = project_session::decode::decode_new_session(body.as_bytes())
        .map_err(|e| format!("create-session.json: {e:?}"))?;
    let patches = AUTOSAVES
        .iter()
        .map(|(name, value)| {
            let field = Field::from_name(name).ok_or("unknown field")?;
            Ok(SessionPatch {
                project_data: [(field, Some(FieldValue::Text((*value).into())))].into(),
                ..SessionPatch::default()
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut samples: HashMap<&'static str, Vec<Duration>> = HashMap::new();
    // The warm functions' sequence, so DynamoDB Local sees the same mix of requests.
    for i in 0..rounds + WARM_UP {
        let mut keep = |verb: &'static str, started: Duration| {
            if i >= WARM_UP {
                samples
                    .entry(verb)
                    .or_default()
                    .push(clock::now() - started);
            }
        };
        let session =
            new_session
                .clone()
                .into_session(SessionId::generate(), chrono::Utc::now(), &policy);
        let started = clock::now();
        store.create(&session, &CreateToken::random()).await?;
        keep("create-session", started);
        for patch in &patches {
            let started = clock::now();
            store
                .update(session.id, None, patch, chrono::Utc::now(), &policy)
                .await?;
            keep("update-session", started);
        }
        let started = clock::now();
        store.get(session.id, None, chrono::Utc::now()).await?;
        keep("get-session", started);
        let started = clock::now();
        store.delete(session.id, None, chrono::Utc::now()).await?;
        keep("delete-session", started);
        let started = clock::now();
        store.ping().await?;
        keep("health", started);
    }
    Ok(samples
        .into_iter()
        .map(|(verb, mut times)| {
            times.sort_unstable();
            (verb, percentile(&times, 50.0))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_sizes_count_names_and_values_as_dynamodb_bills_them() {
        let item: HashMap<String, AttributeValue> = [
            ("sessionId".to_string(), AttributeValue::S("a".repeat(36))),
            ("version".to_string(), AttributeValue::N("12".into())),
            ("done".to_string(), AttributeValue::Bool(true)),
            (
                "projectData".to_string(),
                AttributeValue::M([("name".to_string(), AttributeValue::S("Leeds".into()))].into()),
            ),
        ]
        .into();
        // 9+36, 7+2, 4+1, 11 + 3 + (1+4+5)
        assert_eq!(item_size(&item), 45 + 9 + 5 + 24);
        assert_eq!(number_size("1764547200"), 5);
        assert_eq!(number_size("0.5"), 2);
    }

    #[test]
    fn writes_are_billed_per_started_kilobyte_and_reads_per_started_4_kb() {
        assert_eq!(write_units(1), 1);
        assert_eq!(write_units(1024), 1);
        assert_eq!(write_units(1025), 2);
        assert_eq!(read_units(4096), 1);
        assert_eq!(read_units(4097), 2);
    }
}
