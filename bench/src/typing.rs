//! The person-typing benchmark's report: what the browser sent while people filled the wizard
//! (`web/bench/typing.run.ts` writes `target/bench/typing.json`), priced. Request units are
//! billed on each write's item as DynamoDB Local held it after the answer, sized by DynamoDB's
//! rules (`dynamodb::item_size`); owned drafts are also written to the `byOwner` index, billed on
//! the projected entry.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use project_session::dynamodb::{
    CREATED_AT, KEY_ATTRIBUTE, OWNER_ATTRIBUTE, OWNER_INDEX_PROJECTION,
};
use serde_json::Value;

use crate::cost::{self, Prices, SessionCost, VerbCost, EU_WEST_1, US_EAST_1};
use crate::dynamodb::{item_size, read_units, write_units};

/// The memory size `template.yaml` gives every function, whose measured durations price Lambda.
pub const TEMPLATE_MEMORY_MB: u32 = 256;

/// One wizard, as the browser sent it and as it is billed.
#[derive(Debug, Default, Clone)]
pub struct Wizard {
    pub by_method: BTreeMap<String, u64>,
    pub preflights: u64,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub write_units: f64,
    pub index_write_units: f64,
    pub read_units: f64,
    pub autosaves: u64,
    pub autosave_write_units: f64,
    pub autosave_index_units: f64,
    pub duration_s: f64,
    pub edit_wait_max_ms: f64,
    pub edit_wait_p50_ms: f64,
    /// The largest item and index entry written, in bytes as billed.
    pub largest_item: usize,
    pub largest_entry: usize,
}

impl Wizard {
    pub fn requests(&self) -> u64 {
        self.by_method.values().sum()
    }
}

/// An item in DynamoDB's JSON wire form (`{"S": "..."}`, `{"M": {...}}`) as the SDK's type.
pub fn from_wire(item: &Value) -> HashMap<String, AttributeValue> {
    item.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| Some((name.clone(), attribute(value)?)))
        .collect()
}

fn attribute(value: &Value) -> Option<AttributeValue> {
    let (kind, inner) = value.as_object()?.iter().next()?;
    let strings = || -> Vec<String> {
        inner
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    Some(match kind.as_str() {
        "S" => AttributeValue::S(inner.as_str()?.to_string()),
        "N" => AttributeValue::N(inner.as_str()?.to_string()),
        // Base64 on the wire: its decoded length is what is billed.
        "B" => AttributeValue::B(Blob::new(vec![0; inner.as_str()?.len() * 3 / 4])),
        "BOOL" => AttributeValue::Bool(inner.as_bool()?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(strings()),
        "NS" => AttributeValue::Ns(strings()),
        "L" => AttributeValue::L(inner.as_array()?.iter().filter_map(attribute).collect()),
        "M" => AttributeValue::M(from_wire(inner)),
        _ => return None,
    })
}

/// The `byOwner` index entry of an item: its keys and the projected attributes; none for an
/// anonymous draft (the index is sparse).
fn index_entry(item: &HashMap<String, AttributeValue>) -> Option<HashMap<String, AttributeValue>> {
    item.get(OWNER_ATTRIBUTE)?;
    let kept = [KEY_ATTRIBUTE, OWNER_ATTRIBUTE, CREATED_AT]
        .into_iter()
        .chain(OWNER_INDEX_PROJECTION);
    Some(
        kept.filter_map(|name| Some((name.to_string(), item.get(name)?.clone())))
            .collect(),
    )
}

/// One run of `typing.json` as billed.
pub fn wizard(run: &Value) -> Wizard {
    let mut w = Wizard {
        preflights: run["preflights"].as_u64().unwrap_or(0),
        duration_s: run["durationMs"].as_f64().unwrap_or(0.0) / 1000.0,
        ..Wizard::default()
    };
    // The size of each draft's item, and of its index entry, before the next write.
    let mut sizes: HashMap<String, (usize, usize)> = HashMap::new();
    for request in run["requests"].as_array().into_iter().flatten() {
        let method = request["method"].as_str().unwrap_or("?").to_string();
        *w.by_method.entry(method.clone()).or_default() += 1;
        w.request_bytes += request["requestBytes"].as_u64().unwrap_or(0);
        w.response_bytes += request["responseBytes"].as_u64().unwrap_or(0);
        let path = request["path"].as_str().unwrap_or("");
        let item = request.get("item").filter(|i| i.is_object()).map(from_wire);
        if method == "GET" {
            // The list reads the index (eventually consistent: half a unit per 4 KB, at least
            // half a unit); a draft's read is strongly consistent.
            w.read_units += match &item {
                Some(item) if path.starts_with("/project-session/") => {
                    read_units(item_size(item)) as f64
                }
                _ => 0.5,
            };
            continue;
        }
        let Some(item) = item else { continue };
        let id = item
            .get(KEY_ATTRIBUTE)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default();
        let after = (
            item_size(&item),
            index_entry(&item).map_or(0, |e| item_size(&e)),
        );
        let before = if method == "POST" {
            (0, 0)
        } else {
            sizes.get(&id).copied().unwrap_or(after)
        };
        let units = write_units(before.0.max(after.0)) as f64;
        w.write_units += units;
        // An entry written, rewritten or removed (a delete moves `owner` out of the sparse
        // index) is one index write each.
        let index = if before.1.max(after.1) > 0 {
            write_units(before.1.max(after.1)) as f64
        } else {
            0.0
        };
        w.index_write_units += index;
        if method == "PUT" {
            w.autosaves += 1;
            w.autosave_write_units += units;
            w.autosave_index_units += index;
        }
        w.largest_item = w.largest_item.max(after.0);
        w.largest_entry = w.largest_entry.max(after.1);
        sizes.insert(id, after);
    }
    let mut waits: Vec<f64> = run["editWaitsMs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    waits.sort_by(f64::total_cmp);
    w.edit_wait_max_ms = waits.last().copied().unwrap_or(f64::NAN);
    w.edit_wait_p50_ms = waits.get(waits.len() / 2).copied().unwrap_or(f64::NAN);
    w
}

/// What a million such wizards cost at `prices`, each request priced at the verb's measured
/// billed duration at `TEMPLATE_MEMORY_MB` (`results`); `preflights`: whether API Gateway's
/// answers to CORS preflights are counted as calls.
pub fn cost(w: &Wizard, results: &Value, prices: &Prices, preflights: bool) -> SessionCost {
    let billed = |name: &str| -> f64 {
        results["shares"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["memory_mb"] == TEMPLATE_MEMORY_MB && s["period_us"] == 100_000)
            .and_then(|s| s["functions"][name]["billed_ms_mean"].as_f64())
            .unwrap_or(1.0)
    };
    let count = |m: &str| w.by_method.get(m).copied().unwrap_or(0) as f64;
    let verb = |name: &str| VerbCost {
        billed_ms: billed(name),
        ..VerbCost::default()
    };
    // Units are the wizard's own, carried on one line so that each is counted once.
    let units = VerbCost {
        billed_ms: 0.0,
        write_units: w.write_units + w.index_write_units,
        read_units: w.read_units,
    };
    let invocations = [
        (count("POST"), verb("create-session")),
        (count("PUT"), verb("update-session")),
        (count("GET"), verb("get-session")),
        (count("DELETE"), verb("delete-session")),
        (1.0, units),
    ];
    let calls = w.requests() as f64 + if preflights { w.preflights as f64 } else { 0.0 };
    let mut c = cost::per_million(prices, TEMPLATE_MEMORY_MB, &invocations, calls);
    // The units line is not an invocation: take its Lambda request charge back.
    c.lambda -= prices.lambda_per_million_requests;
    c
}

/// The runs of `typing.json`, grouped by what was measured (surface, mode, setting), in order.
fn groups(typing: &Value) -> Vec<(String, Vec<Wizard>)> {
    let mut out: Vec<(String, Vec<Wizard>)> = Vec::new();
    for run in typing["runs"].as_array().into_iter().flatten() {
        let name = format!(
            "{}, {}, {}",
            run["surface"].as_str().unwrap_or("?"),
            run["mode"].as_str().unwrap_or("?"),
            run["setting"].as_str().unwrap_or("defaults")
        );
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, runs)) => runs.push(wizard(run)),
            None => out.push((name, vec![wizard(run)])),
        }
    }
    out
}

fn mean(runs: &[Wizard], f: impl Fn(&Wizard) -> f64) -> f64 {
    runs.iter().map(f).sum::<f64>() / runs.len().max(1) as f64
}

/// BENCHMARKS.md's "A person filling the wizard" tables.
pub fn section(typing: &Value, results: &Value) -> String {
    let groups = groups(typing);
    if groups.is_empty() {
        return "Not measured: `target/bench/typing.json` is missing (`scripts/bench.sh` makes it).".into();
    }
    let mut requests = String::from(
        "| wizard (page, mode, autosave) | runs | minutes | requests: mean (min-max) | POST | PUT | GET | DELETE | CORS preflights | sent, received (KB) | longest an edit waited (s) | median wait (s) |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let mut costs = String::from(
        "| wizard (page, mode, autosave) | write units (table + index) | per autosave (table + index) | read units | Lambda | HTTP API | DynamoDB | per million wizards, eu-west-1 | with preflights billed | us-east-1 | with preflights billed |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for (name, runs) in &groups {
        let counts: Vec<u64> = runs.iter().map(Wizard::requests).collect();
        let method = |m: &str| mean(runs, |w| w.by_method.get(m).copied().unwrap_or(0) as f64);
        let worst_wait = runs
            .iter()
            .map(|w| w.edit_wait_max_ms)
            .fold(f64::NAN, f64::max);
        let mut medians: Vec<f64> = runs.iter().map(|w| w.edit_wait_p50_ms).collect();
        medians.sort_by(f64::total_cmp);
        requests.push_str(&format!(
            "| {name} | {} | {:.1} | {:.1} ({}-{}) | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1}, {:.1} | {:.1} | {:.1} |\n",
            runs.len(),
            mean(runs, |w| w.duration_s) / 60.0,
            mean(runs, |w| w.requests() as f64),
            counts.iter().min().unwrap_or(&0),
            counts.iter().max().unwrap_or(&0),
            method("POST"),
            method("PUT"),
            method("GET"),
            method("DELETE"),
            mean(runs, |w| w.preflights as f64),
            mean(runs, |w| w.request_bytes as f64) / 1024.0,
            mean(runs, |w| w.response_bytes as f64) / 1024.0,
            worst_wait / 1000.0,
            medians.get(medians.len() / 2).copied().unwrap_or(f64::NAN) / 1000.0,
        ));
        let priced: Vec<[SessionCost; 4]> = runs
            .iter()
            .map(|w| {
                [
                    cost(w, results, &EU_WEST_1, false),
                    cost(w, results, &EU_WEST_1, true),
                    cost(w, results, &US_EAST_1, false),
                    cost(w, results, &US_EAST_1, true),
                ]
            })
            .collect();
        let avg = |f: &dyn Fn(&[SessionCost; 4]) -> f64| {
            priced.iter().map(f).sum::<f64>() / priced.len().max(1) as f64
        };
        costs.push_str(&format!(
            "| {name} | {:.1} + {:.1} | {:.2} + {:.2} | {:.1} | ${:.2} | ${:.2} | ${:.2} | ${:.2} | ${:.2} | ${:.2} | ${:.2} |\n",
            mean(runs, |w| w.write_units),
            mean(runs, |w| w.index_write_units),
            mean(runs, |w| w.autosave_write_units / w.autosaves.max(1) as f64),
            mean(runs, |w| w.autosave_index_units / w.autosaves.max(1) as f64),
            mean(runs, |w| w.read_units),
            avg(&|c| c[0].lambda),
            avg(&|c| c[0].http_api),
            avg(&|c| c[0].dynamodb),
            avg(&|c| c[0].total()),
            avg(&|c| c[1].total()),
            avg(&|c| c[2].total()),
            avg(&|c| c[3].total()),
        ));
    }
    let when = typing["measuredOn"].as_str().unwrap_or("?");
    let all = || groups.iter().flat_map(|(_, runs)| runs.iter());
    let item = all().map(|w| w.largest_item).max().unwrap_or(0);
    let entry = all().map(|w| w.largest_entry).max().unwrap_or(0);
    format!(
        "{requests}\n{costs}\nMeasured {when}: each row is that many people (seeds), each filling the whole wizard once in Chromium with the timing of `web/bench/person.ts`. Lambda, HTTP API and DynamoDB are priced at eu-west-1's list prices (the totals at us-east-1's beside them; both under \"Prices\" below); Lambda at {TEMPLATE_MEMORY_MB} MB on each verb's measured billed duration (the power-tuning run above); owned drafts are written to the `byOwner` index too (the second figure of each pair). The largest item written was {item} bytes, the largest index entry {entry} bytes, as DynamoDB bills them."
    )
}

/// The bound the hook documents for how long an edit waits while typing goes on (its
/// `maxAutosaveDelay` default, as the run recorded it), in seconds.
pub fn documented_wait_s(typing: &Value) -> f64 {
    typing["defaults"]["maxAutosaveDelay"]
        .as_f64()
        .unwrap_or(f64::NAN)
        / 1000.0
}

/// The typing targets for the targets table: requests per wizard and cost per million wizards
/// at eu-west-1 prices with preflights billed (the worse case), anonymous, at the defaults, on
/// the demo; `None` when not measured.
pub fn at_defaults(typing: &Value, results: &Value) -> Option<(f64, f64, f64)> {
    let (_, runs) = groups(typing)
        .into_iter()
        .find(|(name, _)| name == "demo, anonymous, defaults")?;
    let cost = mean(&runs, |w| cost(w, results, &EU_WEST_1, true).total());
    let worst = runs.iter().map(Wizard::requests).max()? as f64;
    let wait = runs
        .iter()
        .map(|w| w.edit_wait_max_ms)
        .fold(f64::NAN, f64::max)
        / 1000.0;
    Some((worst, cost, wait))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_item_read_as_dynamodb_json_is_sized_as_dynamodb_bills_it() {
        let item = from_wire(&json!({
            "sessionId": {"S": "abc"},
            "version": {"N": "12"},
            "projectData": {"M": {"projectName": {"S": "Riverside"}}},
            "completedSteps": {"L": [{"N": "1"}]},
            "deleted": {"BOOL": false}
        }));
        // 9+3, 7+2, 11+(3+1+11+9), 14+(3+1+2), 7+1
        assert_eq!(item_size(&item), 12 + 9 + 35 + 20 + 8);
    }

    #[test]
    fn a_wizard_counts_its_requests_and_bills_each_write_on_the_larger_item() {
        let small = json!({"sessionId": {"S": "a"}, "projectData": {"M": {}}});
        let large =
            json!({"sessionId": {"S": "a"}, "projectData": {"M": {"d": {"S": "x".repeat(1500)}}}});
        let run = json!({
            "preflights": 3,
            "durationMs": 60000,
            "editWaitsMs": [100, 5000, 9000],
            "requests": [
                {"method": "POST", "path": "/project-session", "requestBytes": 10, "responseBytes": 20, "item": small},
                {"method": "PUT", "path": "/project-session/a", "requestBytes": 10, "responseBytes": 20, "item": large},
                {"method": "PUT", "path": "/project-session/a", "requestBytes": 10, "responseBytes": 20, "item": small},
                {"method": "DELETE", "path": "/project-session/a", "requestBytes": 10, "responseBytes": 20, "item": small}
            ]
        });
        let w = wizard(&run);
        assert_eq!(w.requests(), 4);
        assert_eq!(w.by_method["PUT"], 2);
        // 1 (create) + 2 (grows past 1 KB) + 2 (shrinks from it) + 1 (delete)
        assert_eq!(w.write_units, 6.0);
        assert_eq!(w.autosave_write_units, 4.0);
        assert_eq!(
            w.index_write_units, 0.0,
            "an anonymous draft is not in the index"
        );
        assert_eq!(w.edit_wait_max_ms, 9000.0);
        let with = cost(&w, &json!({}), &US_EAST_1, true);
        let without = cost(&w, &json!({}), &US_EAST_1, false);
        assert!((with.http_api - without.http_api - 3.0).abs() < 1e-9);
        // 4 invocations of 1 ms at 256 MB, and 6 write units.
        let lambda = 4.0 * 0.001 * 0.25 * US_EAST_1.lambda_arm_per_gb_second * 1e6 + 4.0 * 0.20;
        assert!((without.lambda - lambda).abs() < 1e-9, "{without:?}");
        assert!((without.dynamodb - 6.0 * 0.625).abs() < 1e-9);
        // Ireland: the same counts at its prices.
        let ireland = cost(&w, &json!({}), &EU_WEST_1, false);
        assert!((ireland.http_api - 4.0 * 1.11).abs() < 1e-9, "{ireland:?}");
        assert!((ireland.dynamodb - 6.0 * 0.705).abs() < 1e-9, "{ireland:?}");
    }

    #[test]
    fn an_owned_draft_is_also_written_to_the_index_for_what_it_projects() {
        let item = json!({"sessionId": {"S": "a"}, "owner": {"S": "ada"}, "createdAt": {"N": "1"}, "projectData": {"M": {}}, "setAside": {"S": "not projected"}});
        let deleted = json!({"sessionId": {"S": "a"}, "deletedOwner": {"S": "ada"}, "createdAt": {"N": "1"}, "deleted": {"BOOL": true}});
        let run = json!({"requests": [
            {"method": "POST", "path": "/project-session", "item": item},
            {"method": "DELETE", "path": "/project-session/a", "item": deleted}
        ]});
        let w = wizard(&run);
        // Written by the create, removed by the delete (the draft leaves the sparse index).
        assert_eq!(w.index_write_units, 2.0);
        let entry = index_entry(&from_wire(&item)).unwrap();
        assert!(!entry.contains_key("setAside"));
    }
}
