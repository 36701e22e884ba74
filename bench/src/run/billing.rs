//! What a draft's life costs: DynamoDB requests per invocation, the item each write is billed
//! on, and the billed durations that go with them.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::harness::{Bench, Measured};
use crate::cost::{SessionVerbs, VerbCost};
use crate::dynamodb;
use crate::functions::{session_id, status_of, AUTOSAVES, FUNCTIONS};
use crate::Error;

/// DynamoDB requests per invocation, counted by the proxy over `samples` invocations per verb.
pub(super) async fn count_requests(
    bench: &mut Bench<'_>,
    proxy: &project_session::dynamodb::DynamoProxy,
) -> Result<Value, Error> {
    const SAMPLES: usize = 10;
    let mut counted = serde_json::Map::new();
    for name in FUNCTIONS {
        let ids = if matches!(name, "get-session" | "update-session" | "delete-session") {
            bench.create_sessions(SAMPLES).await?
        } else {
            Vec::new()
        };
        let (pid, _) = bench.spawn(name, 1769, None)?;
        proxy.take_counts();
        for i in 0..SAMPLES {
            let id = ids.get(i).cloned().unwrap_or_default();
            let outcome = bench.functions[name]
                .api
                .invoke(bench.event_for(name, &id)?)
                .await?;
            let status = status_of(&outcome)?;
            if status >= 400 {
                return Err(format!("{name} answered {status} in the counting pass").into());
            }
        }
        let counts = proxy.take_counts();
        bench.stop(name, pid)?;
        let made: u64 = counts.values().sum();
        let mut operations: Vec<String> = counts.keys().cloned().collect();
        operations.sort();
        counted.insert(
            name.to_string(),
            json!({ "per_invocation": made as f64 / SAMPLES as f64, "operations": operations.join(", ") }),
        );
    }
    Ok(Value::Object(counted))
}

/// The item each write of one draft's life is billed on, and what a read costs, through the
/// functions (sizes read back from DynamoDB after each step).
pub(super) async fn billing(
    bench: &mut Bench<'_>,
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(Value, SessionVerbs), Error> {
    use dynamodb::{item_size, raw_item, read_units, write_units};
    let mut pids = Vec::new();
    for name in [
        "create-session",
        "update-session",
        "get-session",
        "delete-session",
    ] {
        pids.push((name, bench.spawn(name, 1769, None)?.0));
    }
    let mut steps = Vec::new();
    let created = bench
        .invoke("create-session", bench.events.create()?, 201)
        .await?;
    let id = session_id(&created.1)?;
    let mut size = item_size(&raw_item(client, table, &id).await?);
    steps
        .push(json!({"step": "create (PutItem)", "bytes": size, "write_units": write_units(size)}));
    let mut autosave_units = Vec::new();
    for (field, value) in AUTOSAVES {
        let event = bench.events.autosave(&id, field, json!(value))?;
        bench.invoke("update-session", event, 200).await?;
        let after = item_size(&raw_item(client, table, &id).await?);
        let units = write_units(size.max(after));
        autosave_units.push(units as f64);
        steps.push(json!({"step": format!("autosave {field} (UpdateItem)"), "bytes": size.max(after), "write_units": units}));
        size = after;
    }
    bench
        .invoke("get-session", bench.events.get(&id)?, 200)
        .await?;
    steps.push(json!({"step": "read (GetItem, strongly consistent)", "bytes": size, "read_units": read_units(size)}));
    bench
        .invoke("delete-session", bench.events.delete(&id)?, 200)
        .await?;
    // A delete marks the item deleted and empties it (an UpdateItem); TTL removes it later.
    let after = item_size(&raw_item(client, table, &id).await?);
    steps.push(
        json!({"step": "delete (UpdateItem: the deleted mark)", "bytes": size.max(after), "write_units": write_units(size.max(after))}),
    );
    for (name, pid) in pids {
        bench.stop(name, pid)?;
    }
    let units = |step: &Value, key: &str| step[key].as_f64().unwrap_or(0.0);
    let verbs = SessionVerbs {
        create: VerbCost {
            write_units: units(&steps[0], "write_units"),
            ..VerbCost::default()
        },
        autosave: VerbCost {
            write_units: autosave_units.iter().sum::<f64>() / autosave_units.len().max(1) as f64,
            ..VerbCost::default()
        },
        read: VerbCost {
            read_units: units(&steps[steps.len() - 2], "read_units"),
            ..VerbCost::default()
        },
        delete: VerbCost {
            write_units: units(&steps[steps.len() - 1], "write_units"),
            ..VerbCost::default()
        },
    };
    Ok((Value::Array(steps), verbs))
}

pub(super) fn with_durations(units: SessionVerbs, functions: &Value) -> SessionVerbs {
    let billed = |name: &str| functions[name]["billed_ms_mean"].as_f64().unwrap_or(0.0);
    SessionVerbs {
        create: VerbCost {
            billed_ms: billed("create-session"),
            ..units.create
        },
        autosave: VerbCost {
            billed_ms: billed("update-session"),
            ..units.autosave
        },
        read: VerbCost {
            billed_ms: billed("get-session"),
            ..units.read
        },
        delete: VerbCost {
            billed_ms: billed("delete-session"),
            ..units.delete
        },
    }
}

pub(super) fn functions_json(measured: &HashMap<&'static str, Measured>) -> Value {
    Value::Object(
        measured
            .iter()
            .map(|(name, m)| (name.to_string(), m.to_json()))
            .collect(),
    )
}
