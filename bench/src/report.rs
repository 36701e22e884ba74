//! BENCHMARKS.md's measured parts. The file is written by hand; a run replaces only what lies
//! between `<!-- measured: NAME -->` and `<!-- /measured -->`, from `target/bench/`: the
//! harness's `results.json`, `init-profile.txt`, criterion's `criterion.txt` and `sizes.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::cost;
use crate::functions::FUNCTIONS;
use crate::typing;
use crate::Error;

const VERBS: [(&str, &str); 4] = [
    ("create-session", "create"),
    ("update-session", "autosave"),
    ("get-session", "read"),
    ("delete-session", "delete"),
];

/// What `lambda-bench report` reads.
pub struct Inputs {
    pub results: Value,
    pub init_profile: String,
    pub init_profile_128: String,
    pub criterion: String,
    pub sizes: String,
    /// The person-typing benchmark's `typing.json` (Null when not run).
    pub typing: Value,
    /// "Measured DATE on MACHINE" and the tool versions.
    pub measured: String,
}

pub fn write(root: &Path) -> Result<(), Error> {
    let dir = root.join("target/bench");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let inputs = Inputs {
        results: serde_json::from_str(&read("results.json"))?,
        init_profile: read("init-profile.txt"),
        init_profile_128: read("init-profile-128.txt"),
        criterion: read("criterion.txt"),
        sizes: read("sizes.md"),
        typing: serde_json::from_str(&read("typing.json")).unwrap_or(Value::Null),
        measured: read("measured.txt").trim().to_string(),
    };
    let file = root.join("BENCHMARKS.md");
    let text = splice(&std::fs::read_to_string(&file)?, &sections(&inputs))?;
    std::fs::write(&file, text)?;
    Ok(())
}

/// Replaces each marked section of `text` with the one of that name; every marker must have a
/// section and every section a marker.
pub fn splice(text: &str, sections: &BTreeMap<&'static str, String>) -> Result<String, Error> {
    const CLOSE: &str = "<!-- /measured -->";
    let mut out = String::new();
    let mut rest = text;
    let mut seen = Vec::new();
    while let Some(start) = rest.find("<!-- measured: ") {
        let open_end = rest[start..].find("-->").ok_or("an unclosed marker")? + start + 3;
        let name = rest[start + 15..open_end - 3].trim();
        let close = rest[open_end..]
            .find(CLOSE)
            .ok_or_else(|| format!("no {CLOSE} after the marker of {name}"))?
            + open_end;
        let body = sections.get(name).ok_or_else(|| {
            format!("BENCHMARKS.md marks a section `{name}` the report does not make")
        })?;
        out.push_str(&rest[..open_end]);
        out.push('\n');
        out.push_str(body.trim_end());
        out.push('\n');
        out.push_str(CLOSE);
        rest = &rest[close + CLOSE.len()..];
        seen.push(name.to_string());
    }
    out.push_str(rest);
    let missing: Vec<&str> = sections
        .keys()
        .filter(|k| !seen.iter().any(|s| s == *k))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!("BENCHMARKS.md has no marker for: {}", missing.join(", ")).into());
    }
    Ok(out)
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn ms2(v: &Value) -> String {
    f(v).map_or("?".into(), |x| format!("{x:.2}"))
}

/// Every measured section, by marker name.
pub fn sections(inputs: &Inputs) -> BTreeMap<&'static str, String> {
    let r = &inputs.results;
    let mut s = BTreeMap::new();
    s.insert("measured", inputs.measured.clone());
    s.insert("targets", targets(inputs));
    s.insert("power-tuning", power_tuning(r));
    s.insert("shares", shares(r));
    s.insert("full-speed", full_speed(r));
    s.insert("billing", billing(r));
    s.insert("prices", prices());
    s.insert(
        "init-profile",
        init_profile(&inputs.init_profile, &inputs.init_profile_128),
    );
    s.insert("request-path", request_path(&inputs.criterion));
    s.insert("sizes", inputs.sizes.trim().to_string());
    s.insert("typing", typing::section(&inputs.typing, r));
    s
}

/// The largest value, with its name.
fn largest(values: impl Iterator<Item = (f64, String)>) -> Option<(f64, String)> {
    values.max_by(|a, b| a.0.total_cmp(&b.0))
}

/// The worst of `key` over `functions` (a JSON object of function results), with its name.
fn worst(functions: &Value, key: &str, names: &[&str]) -> Option<(f64, String)> {
    largest(
        names
            .iter()
            .filter_map(|n| Some((f(&functions[*n][key])?, n.to_string()))),
    )
}

fn at_128(r: &Value) -> Vec<&Value> {
    r["shares"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["memory_mb"] == 128)
        .collect()
}

fn targets(inputs: &Inputs) -> String {
    let r = &inputs.results;
    let full = &r["full_speed"];
    let mut rows = Vec::new();
    let mut check = |what: &str, goal: f64, unit: &str, found: Option<(f64, String)>| {
        let Some((value, name)) = found else {
            rows.push(format!("| {what} | {goal} {unit} | not measured | - |"));
            return;
        };
        let status = if value <= goal {
            "met".to_string()
        } else {
            format!(
                "missed by {:.2} {unit} ({:.2}x)",
                value - goal,
                value / goal
            )
        };
        rows.push(format!(
            "| {what} | {goal} {unit} | {value:.2} {unit} ({name}) | {status} |"
        ));
    };
    let requests = largest(
        FUNCTIONS
            .iter()
            .filter_map(|n| Some((f(&r["requests"][*n]["per_invocation"])?, n.to_string()))),
    );
    check("DynamoDB requests per invocation", 1.0, "", requests);
    let verbs: Vec<&str> = VERBS.iter().map(|(n, _)| *n).collect();
    for share in at_128(r) {
        let period = share["period_us"].as_f64().unwrap_or(0.0) / 1000.0;
        check(
            &format!("cold start median, 128 MB, {period:.1} ms period"),
            40.0,
            "ms",
            worst(&share["functions"], "cold_p50_ms", &verbs),
        );
        check(
            &format!("warm autosave p50, 128 MB, {period:.1} ms period"),
            3.0,
            "ms",
            f(&share["functions"]["update-session"]["warm_p50_ms"])
                .map(|v| (v, "update-session".into())),
        );
    }
    // Health's DescribeTable grows slower in DynamoDB Local as the run fills the table; it is
    // in the tables, not in the verbs' targets.
    check(
        "cold start median, full speed (the four verbs)",
        10.0,
        "ms",
        worst(full, "cold_p50_ms", &verbs),
    );
    check(
        "init median, full speed",
        6.0,
        "ms",
        worst(full, "init_p50_ms", &FUNCTIONS),
    );
    let bare = f(&r["bare_getitem"]["p50_ms"]).unwrap_or(0.0);
    let overhead = largest(
        VERBS
            .iter()
            .filter_map(|(n, _)| Some((f(&full[*n]["warm_p50_ms"])? - bare, n.to_string()))),
    );
    check(
        "warm overhead p50 over a bare GetItem, full speed",
        0.5,
        "ms",
        overhead,
    );
    let over_direct = largest(VERBS.iter().filter_map(|(n, _)| {
        Some((
            f(&full[*n]["warm_p50_ms"])? - f(&full[*n]["direct_p50_ms"])?,
            n.to_string(),
        ))
    }));
    check(
        "warm overhead p50 over the verb's own request made directly (context, not a target)",
        0.5,
        "ms",
        over_direct,
    );
    check(
        "peak RSS",
        16.0,
        "MB",
        worst(full, "peak_rss_mb", &FUNCTIONS),
    );
    let zipped = largest(inputs.sizes.lines().filter_map(|l| {
        let cells: Vec<&str> = l.split('|').map(str::trim).collect();
        let size = cells.get(3)?.strip_suffix(" MB")?.parse::<f64>().ok()?;
        Some((size, cells.get(1)?.to_string()))
    }));
    check("arm64 zip", 3.0, "MB", zipped);
    if let Some(us) = criterion_estimate_us(&inputs.criterion, "autosave request path") {
        check(
            "request path (criterion estimate)",
            20.0,
            "µs",
            Some((us, "autosave".into())),
        );
    }
    let refused = largest(
        [
            "distinct unknown keys",
            "one key repeated",
            "distinct keys, each twice",
        ]
        .iter()
        .filter_map(|w| {
            let us =
                criterion_estimate_us(&inputs.criterion, &format!("refused body: 64 KiB of {w}"))?;
            Some((us / 1000.0, w.to_string()))
        }),
    );
    if refused.is_some() {
        check(
            "largest refused body, event to 400 (criterion estimate)",
            3.0,
            "ms",
            refused,
        );
    }
    let typed = typing::at_defaults(&inputs.typing, r);
    let wizard = "demo, anonymous, defaults";
    check(
        "requests per completed wizard, a person typing",
        12.0,
        "",
        typed.map(|(requests, _, _)| (requests, wizard.into())),
    );
    check(
        "longest an edit waited to be sent, a person typing (the documented bound)",
        // The send itself takes a few ms past the bound.
        typing::documented_wait_s(&inputs.typing) + 0.5,
        "s",
        typed.map(|(_, _, wait)| (wait, wizard.into())),
    );
    check(
        "cost per million wizards at eu-west-1 prices, preflights billed, a person typing",
        25.0,
        "$",
        typed.map(|(_, dollars, _)| (dollars, wizard.into())),
    );
    let mut out =
        String::from("| target | goal | worst measured | status |\n| --- | ---: | ---: | --- |\n");
    out.push_str(&rows.join("\n"));
    out
}

/// Criterion's estimate for benchmark `name`, in µs.
pub fn criterion_estimate_us(criterion: &str, name: &str) -> Option<f64> {
    let at = criterion.find(name)? + name.len();
    let rest = &criterion[at..];
    let open = rest.find("time:")?;
    let bracket = rest[open..].find('[')? + open + 1;
    let close = rest[bracket..].find(']')? + bracket;
    let parts: Vec<&str> = rest[bracket..close].split_whitespace().collect();
    let (value, unit) = (parts.get(2)?.parse::<f64>().ok()?, *parts.get(3)?);
    let scale = match unit {
        "ns" => 0.001,
        "ms" => 1000.0,
        "s" => 1e6,
        _ => 1.0,
    };
    Some(value * scale)
}

fn power_tuning(r: &Value) -> String {
    let shares = r["shares"].as_array().cloned().unwrap_or_default();
    if shares.is_empty() {
        return format!(
            "Not measured on this run: {}.",
            r["cpu_share"].as_str().unwrap_or("no CPU shares")
        );
    }
    let verbs: Vec<&str> = VERBS.iter().map(|(n, _)| *n).collect();
    let mut out = String::from(
        "| memory (MB) | CPU | period (ms) | cold start p50, worst verb (ms) | the floor's cold start p50 (ms) | autosave p50 | autosave p99 (ms) | create p50 | read p50 | delete p50 (ms) | Lambda | HTTP API | DynamoDB | total per million sessions |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for s in &shares {
        let fns = &s["functions"];
        let cold = worst(fns, "cold_p50_ms", &verbs).map_or("?".into(), |(v, _)| format!("{v:.1}"));
        let cost = &s["cost_per_million_sessions"];
        let money = |v: &Value| f(v).map_or("?".into(), |x| format!("${x:.2}"));
        let _ = writeln!(
            out,
            "| {} | {:.1}% | {:.1} | {cold} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s["memory_mb"],
            100.0 * f(&s["quota_us"]).unwrap_or(0.0) / f(&s["period_us"]).unwrap_or(1.0),
            f(&s["period_us"]).unwrap_or(0.0) / 1000.0,
            ms2(&fns["runtime-floor"]["cold_p50_ms"]),
            ms2(&fns["update-session"]["warm_p50_ms"]),
            ms2(&fns["update-session"]["warm_p99_ms"]),
            ms2(&fns["create-session"]["warm_p50_ms"]),
            ms2(&fns["get-session"]["warm_p50_ms"]),
            ms2(&fns["delete-session"]["warm_p50_ms"]),
            money(&cost["lambda"]),
            money(&cost["http_api"]),
            money(&cost["dynamodb"]),
            money(&cost["total"]),
        );
    }
    let runs = &r["runs"];
    let _ = write!(
        out,
        "\nEach row: {} cold starts per function, then {} warm rounds (create, {} autosaves, read, \
         delete, health) back to back. A session is 1 create, {} autosaves, {} reads and 1 \
         delete ({} requests); Lambda is billed on each verb's mean billed duration (each \
         invocation rounded up to 1 ms) at that memory size. The floor is `runtime-floor`, a function \
         built like ours (same runtime, lambda_http, logging) that answers without DynamoDB: the \
         part of a cold start that is the process and the Lambda machinery.",
        runs["share_cold"],
        runs["share_rounds"],
        runs["autosaves_per_round"],
        cost::AUTOSAVES_PER_SESSION,
        cost::READS_PER_SESSION,
        2 + cost::AUTOSAVES_PER_SESSION + cost::READS_PER_SESSION,
    );
    out
}

fn shares(r: &Value) -> String {
    let shares = r["shares"].as_array().cloned().unwrap_or_default();
    if shares.is_empty() {
        return "Not measured on this run.".into();
    }
    let mut out = String::from(
        "| memory (MB) | period (ms) | verb | cold start p50 (ms) | init p50 (ms) | CPU, cold (ms) | warm p50 | warm p99 (ms) | CPU per warm invocation (ms) | billed mean (ms) | times throttled |\n\
         | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let others = [("health", "health"), ("runtime-floor", "the floor")];
    for s in &shares {
        for (name, verb) in VERBS.into_iter().chain(others) {
            let m = &s["functions"][name];
            // The floor is only started cold.
            let cold_only = m["warm_invocations"] == 0;
            let warm = |v: &Value| if cold_only { "-".into() } else { ms2(v) };
            let cpu = |v: &Value| match f(v) {
                Some(x) if !cold_only => format!("{x:.3}"),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {:.1} | {verb} | {} | {} | {} | {} | {} | {} | {} | {} |",
                s["memory_mb"],
                f(&s["period_us"]).unwrap_or(0.0) / 1000.0,
                ms2(&m["cold_p50_ms"]),
                ms2(&m["init_p50_ms"]),
                ms2(&m["cold_cpu_p50_ms"]),
                warm(&m["warm_p50_ms"]),
                warm(&m["warm_p99_ms"]),
                cpu(&m["warm_cpu_ms"]),
                warm(&m["billed_ms_mean"]),
                m["times_throttled"],
            );
        }
    }
    out.push_str(
        "\n\"times throttled\": the periods in which the verb's group spent its quota and was held \
         back, over the row's cold starts and warm rounds. Health is DescribeTable, which DynamoDB \
         Local answers more slowly as a run fills the table; the floor is `runtime-floor`.",
    );
    out
}

fn full_speed(r: &Value) -> String {
    let full = &r["full_speed"];
    let bare = f(&r["bare_getitem"]["p50_ms"]).unwrap_or(0.0);
    let mut out = String::from(
        "| function | cold start p50 (ms) | init p50 (ms) | CPU, cold (ms) | warm min | warm p50 | warm p90 | warm p99 (ms) | CPU per warm invocation (ms) | overhead p50 (ms) | in the handler p50 (ms) | same request made directly p50 (ms) | peak RSS (MB) | DynamoDB requests / invocation |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
    );
    for name in FUNCTIONS {
        let m = &full[name];
        let overhead = if name == "health" {
            "n/a (DescribeTable)".to_string()
        } else {
            f(&m["warm_p50_ms"]).map_or("?".into(), |p| format!("{:.2}", p - bare))
        };
        let requests = &r["requests"][name];
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {:.3} | {overhead} | {} | {} | {} | {} ({}) |",
            ms2(&m["cold_p50_ms"]),
            ms2(&m["init_p50_ms"]),
            ms2(&m["cold_cpu_p50_ms"]),
            ms2(&m["warm_min_ms"]),
            ms2(&m["warm_p50_ms"]),
            ms2(&m["warm_p90_ms"]),
            ms2(&m["warm_p99_ms"]),
            f(&m["warm_cpu_ms"]).unwrap_or(0.0),
            ms2(&m["handler_p50_ms"]),
            ms2(&m["direct_p50_ms"]),
            f(&m["peak_rss_mb"]).map_or("?".into(), |x| format!("{x:.1}")),
            ms2(&requests["per_invocation"]),
            requests["operations"].as_str().unwrap_or("?"),
        );
    }
    let (b, floor, runs) = (&r["bare_getitem"], &r["runtime_floor"], &r["runs"]);
    let _ = write!(
        out,
        "\nBare GetItem through the same HTTPS endpoint, from a warm SDK client: p50 {} ms (min {}, \
         p90 {}, p99 {}) over {} requests. The Lambda machinery alone (`bench/src/bin/runtime-floor.rs`): \
         p50 {} ms (min {}, p90 {}) over {} invocations.\n\nCold starts: {} fresh processes per \
         function. Warm: {} rounds of create, {} autosaves, read, delete and health.",
        ms2(&b["p50_ms"]),
        ms2(&b["min_ms"]),
        ms2(&b["p90_ms"]),
        ms2(&b["p99_ms"]),
        b["requests"],
        ms2(&floor["p50_ms"]),
        ms2(&floor["min_ms"]),
        ms2(&floor["p90_ms"]),
        floor["invocations"],
        runs["cold"],
        runs["rounds"],
        runs["autosaves_per_round"],
    );
    out
}

fn billing(r: &Value) -> String {
    let mut out = String::from("| step | item size billed (bytes) | write units | read units |\n| --- | ---: | ---: | ---: |\n");
    for step in r["billing"].as_array().into_iter().flatten() {
        let units = |k: &str| step[k].as_u64().map_or("".into(), |u| u.to_string());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            step["step"].as_str().unwrap_or("?"),
            step["bytes"],
            units("write_units"),
            units("read_units"),
        );
    }
    out
}

fn prices() -> String {
    let mut out = String::from(
        "The power-tuning tables are priced at us-east-1's prices; the wizard's at eu-west-1's, with us-east-1's totals beside them.\n\n",
    );
    for p in [cost::EU_WEST_1, cost::US_EAST_1] {
        let _ = writeln!(
            out,
            "Prices for {}, without free tiers, written down on {} from the sources below: Lambda arm64 ${} per GB-second and ${:.2} per \
             million requests; HTTP API ${:.2} per million requests; DynamoDB on-demand ${} per million \
             write request units and ${} per million read request units. Sources:",
            p.region,
            p.read_on,
            p.lambda_arm_per_gb_second,
            p.lambda_per_million_requests,
            p.http_api_per_million_requests,
            p.dynamodb_per_million_write_units,
            p.dynamodb_per_million_read_units,
        );
        for source in p.sources {
            let _ = writeln!(out, "- {source}");
        }
        out.push('\n');
    }
    out.push_str("How both bill:\n");
    for rule in cost::BILLING_RULES {
        let _ = writeln!(out, "- {rule}");
    }
    out
}

/// Median of each step, at full speed and at the 128 MB share.
fn init_profile(full: &str, at_128: &str) -> String {
    let (full, at_128) = (step_medians(full), step_medians(at_128));
    let mut out = String::from(
        "| step | full speed (ms) | 128 MB, 100 ms period (ms) |\n| --- | ---: | ---: |\n",
    );
    for (name, median) in &full {
        let small = at_128
            .iter()
            .find(|(n, _)| n == name)
            .map_or("not measured".to_string(), |(_, m)| format!("{m:.3}"));
        let _ = writeln!(out, "| {name} | {median:.3} | {small} |");
    }
    out
}

fn step_medians(text: &str) -> Vec<(String, f64)> {
    let mut steps: Vec<(String, Vec<f64>)> = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() < 3 || parts[parts.len() - 1] != "ms" {
            continue;
        }
        let Ok(value) = parts[parts.len() - 2].parse::<f64>() else {
            continue;
        };
        let name = parts[..parts.len() - 2].join(" ");
        match steps.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => steps.push((name, vec![value])),
        }
    }
    steps
        .into_iter()
        .map(|(name, mut values)| {
            values.sort_by(f64::total_cmp);
            (name, values[values.len() / 2])
        })
        .collect()
}

fn request_path(criterion: &str) -> String {
    let line = |name: &str| {
        criterion_estimate_us(criterion, name)
            .map_or("not measured".to_string(), |us| format!("{us:.2} µs"))
    };
    let mut out = format!(
        "Event to request, decode and validate, UpdateItem expressions, response, for one autosave: {} (criterion's estimate).\n\n\
         The largest bodies the API refuses, event to 400 (64 KiB; the 400 lists 20 problems):\n",
        line("autosave request path")
    );
    for what in [
        "distinct unknown keys",
        "one key repeated",
        "distinct keys, each twice",
    ] {
        let _ = writeln!(
            out,
            "- {what}: {}",
            line(&format!("refused body: 64 KiB of {what}"))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(pairs: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn a_run_replaces_only_the_measured_sections_and_keeps_the_prose() {
        let text = "# Benchmarks\n\nWhy we chose this.\n<!-- measured: a -->\nold\n<!-- /measured -->\nMore prose.\n<!-- measured: b -->\n<!-- /measured -->\nEnd.\n";
        let out = splice(text, &sections(&[("a", "new a"), ("b", "new b\n")])).unwrap();
        assert_eq!(
            out,
            "# Benchmarks\n\nWhy we chose this.\n<!-- measured: a -->\nnew a\n<!-- /measured -->\nMore prose.\n<!-- measured: b -->\nnew b\n<!-- /measured -->\nEnd.\n"
        );
        assert_eq!(
            splice(&out, &sections(&[("a", "new a"), ("b", "new b")])).unwrap(),
            out
        );
    }

    #[test]
    fn a_marker_without_a_section_or_a_section_without_a_marker_is_an_error() {
        let text = "<!-- measured: a -->\n<!-- /measured -->\n";
        assert!(splice(text, &sections(&[])).is_err());
        assert!(splice(text, &sections(&[("a", "x"), ("b", "y")])).is_err());
        assert!(splice("<!-- measured: a -->\nno end\n", &sections(&[("a", "x")])).is_err());
    }

    #[test]
    fn criterion_estimates_are_read_in_microseconds_whatever_the_unit() {
        let text = "autosave request path\n                        time:   [9.5842 µs 9.6658 µs 9.7627 µs]\n\
                    refused body: 64 KiB of one key repeated time:   [1.1 ms 1.2 ms 1.3 ms]\n";
        assert_eq!(
            criterion_estimate_us(text, "autosave request path"),
            Some(9.6658)
        );
        assert_eq!(
            criterion_estimate_us(text, "refused body: 64 KiB of one key repeated"),
            Some(1200.0)
        );
        assert_eq!(criterion_estimate_us(text, "absent"), None);
    }

    #[test]
    fn the_targets_table_says_met_or_by_how_much_a_target_was_missed() {
        let results = serde_json::json!({
            "full_speed": {},
            "requests": {"create-session": {"per_invocation": 1.0}},
            "shares": [{"memory_mb": 128, "period_us": 100000, "functions": {
                "create-session": {"cold_p50_ms": 35.0}, "update-session": {"cold_p50_ms": 50.0, "warm_p50_ms": 2.0}
            }}],
        });
        let inputs = Inputs {
            results,
            init_profile: String::new(),
            init_profile_128: String::new(),
            criterion: String::new(),
            sizes: String::new(),
            typing: Value::Null,
            measured: String::new(),
        };
        let table = targets(&inputs);
        assert!(table.contains("| cold start median, 128 MB, 100.0 ms period | 40 ms | 50.00 ms (update-session) | missed by 10.00 ms (1.25x) |"), "{table}");
        assert!(table.contains("| warm autosave p50, 128 MB, 100.0 ms period | 3 ms | 2.00 ms (update-session) | met |"), "{table}");
    }
}
