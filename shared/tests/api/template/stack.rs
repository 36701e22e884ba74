//! The stack around the functions: the table's key and TTL, log groups, durations, CORS, and
//! the releases, alarms and logs every option on gives.

use super::*;

#[test]
fn the_table_has_the_key_and_ttl_attribute_the_adapter_writes() {
    let t = template();
    let table = &t["Resources"]["SessionsTable"]["Properties"];
    // A property by its path, as text: `KeySchema.0.KeyType`.
    let says = |path: &str| -> String {
        let value = path
            .split('.')
            .fold(table, |at, key| match key.parse::<usize>() {
                Ok(index) => &at[index],
                Err(_) => &at[key],
            });
        match value {
            Yaml::String(text) => text.clone(),
            Yaml::Boolean(flag) => flag.to_string(),
            other => format!("{other:?}"),
        }
    };
    for (path, expected) in [
        ("KeySchema.0.AttributeName", KEY_ATTRIBUTE),
        ("KeySchema.0.KeyType", "HASH"),
        ("AttributeDefinitions.0.AttributeType", "S"),
        ("TimeToLiveSpecification.AttributeName", TTL_ATTRIBUTE),
        ("TimeToLiveSpecification.Enabled", "true"),
        ("BillingMode", "PAY_PER_REQUEST"),
        (
            "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
            "true",
        ),
        ("SSESpecification.SSEEnabled", "true"),
    ] {
        assert_eq!(says(path), expected, "SessionsTable's {path}");
    }
}

#[test]
fn every_function_logs_to_a_group_with_a_retention() {
    let t = template();
    for f in declared_functions(&t).values() {
        let group = &t["Resources"][f.log_group.as_str()];
        assert_eq!(
            group["Type"].as_str(),
            Some("AWS::Logs::LogGroup"),
            "{}",
            f.binary
        );
        assert!(
            !group["Properties"]["RetentionInDays"].is_badvalue(),
            "{}",
            f.binary
        );
    }
}

#[test]
fn a_deploy_refuses_the_durations_a_cold_start_would_refuse() {
    let parameters = &template()["Parameters"];
    for name in ["SessionTtl", "SessionMaxLifetime"] {
        let max = parameters[name]["MaxValue"].as_i64();
        assert_eq!(
            max,
            Some(project_session::Config::MAX_DURATION_SECS),
            "{name}'s MaxValue is config.rs's bound"
        );
        let min = parameters[name]["MinValue"].as_i64().expect("a MinValue");
        assert!(min >= 1, "config.rs refuses 0 seconds: {name}");
    }
}

#[test]
fn the_api_lets_a_browser_send_if_match_and_read_the_etag() {
    let t = template();
    let cors = &t["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    let allowed = strings(&cors["AllowHeaders"]);
    for header in ["Content-Type", "If-Match", "Idempotency-Key"] {
        assert!(allowed.iter().any(|h| h == header), "{header} is allowed");
    }
    assert!(
        !allowed.iter().any(|h| h == "Authorization"),
        "no tokens in anonymous mode"
    );
    let owned = template_in(Mode::Owned);
    let allowed =
        strings(&owned["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["AllowHeaders"]);
    assert!(
        allowed.iter().any(|h| h == "Authorization"),
        "owned mode takes the bearer token"
    );
    assert!(strings(&cors["ExposeHeaders"]).iter().any(|h| h == "ETag"));
    let methods = strings(&cors["AllowMethods"]);
    for route in Verb::ALL.iter().flat_map(|v| v.routes()) {
        let method = route.method.to_string();
        assert!(methods.contains(&method), "CORS allows {method}");
    }
}

#[test]
fn every_option_on_gives_gradual_releases_that_roll_back_alarms_that_say_what_to_do_and_safe_logs()
{
    let on = resolved("all-on");
    let function = &on["Globals"]["Function"];
    assert_eq!(function["AutoPublishAlias"].as_str(), Some("live"));
    let preference = &function["DeploymentPreference"];
    assert_eq!(
        named(&preference["Type"]).as_deref(),
        Some("DeploymentStrategy")
    );
    // Each function names its own guards (scripts/test_template_modes.py checks what SAM makes
    // of them: they exist, watch that function alone, and form no cycle).
    let resources = on["Resources"].as_hash().unwrap();
    let mut rollback = BTreeSet::new();
    for (name, r) in resources {
        if r["Type"].as_str() == Some("AWS::Serverless::Function") {
            let alarms: Vec<String> = r["Properties"]["DeploymentPreference"]["Alarms"]
                .as_vec()
                .unwrap_or_else(|| panic!("{name:?} names its alarms"))
                .iter()
                .filter_map(named)
                .collect();
            assert_eq!(alarms.len(), 3, "{name:?}: {alarms:?}");
            assert_eq!(
                r["Properties"]["AutoPublishAliasAllProperties"].as_bool(),
                Some(true),
                "{name:?} publishes a version for any change"
            );
            rollback.extend(alarms);
        }
    }
    let alarms: Vec<(&str, &Yaml)> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .map(|(k, r)| (k.as_str().unwrap(), r))
        .collect();
    assert!(alarms.len() >= 7 + rollback.len(), "{}", alarms.len());
    for (name, alarm) in &alarms {
        let description = alarm["Properties"]["AlarmDescription"]
            .as_str()
            .unwrap_or_default();
        assert!(
            description.contains("First:"),
            "{name} says what to do first"
        );
        let actions: Vec<String> = alarm["Properties"]["AlarmActions"]
            .as_vec()
            .into_iter()
            .flatten()
            .filter_map(named)
            .collect();
        // The guards roll a deploy back (the failed deploy says so); the others mail.
        if rollback.contains(*name) {
            assert!(actions.is_empty(), "{name} only guards deploys");
        } else {
            assert_eq!(actions, ["AlarmTopic"], "{name} tells the topic");
        }
    }
    for name in rollback {
        assert!(alarms.iter().any(|(a, _)| *a == name), "{name} exists");
    }
    let api = &on["Resources"]["HttpApi"]["Properties"];
    let format = api["AccessLogSettings"]["Format"].as_str().unwrap();
    for field in [
        "$context.routeKey",
        "$context.status",
        "$context.responseLatency",
        "$context.integrationLatency",
        "$context.requestId",
        "sourceIp",
    ] {
        assert!(format.contains(field), "{field} in the access log");
    }
    assert!(
        !format.contains("$context.path") && !format.contains("rawPath"),
        "never the path: it holds the draft's id"
    );
    assert_eq!(
        api["DisableExecuteApiEndpoint"].as_bool(),
        Some(true),
        "a custom domain turns execute-api off"
    );

    // With the defaults: nothing that costs money, no IP in the log, and still a kept table.
    let off = template();
    let kinds: BTreeSet<&str> = off["Resources"]
        .as_hash()
        .unwrap()
        .values()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    for costly in [
        "AWS::CloudWatch::Alarm",
        "AWS::SNS::Topic",
        "AWS::CloudWatch::Dashboard",
    ] {
        assert!(!kinds.contains(costly), "{costly} only when asked for");
    }
    let format = off["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .unwrap();
    assert!(!format.contains("sourceIp"));
    let table = &off["Resources"]["SessionsTable"];
    assert_eq!(
        table["Properties"]["DeletionProtectionEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
}

#[test]
fn on_a_restored_table_the_stack_points_every_function_and_policy_at_it() {
    let t = resolved("restored-table");
    assert!(
        t["Resources"]["SessionsTable"].is_badvalue(),
        "its own table is left out, and kept"
    );
    let env = environment(&t);
    assert_eq!(
        named(&env["TABLE_NAME"]).as_deref(),
        Some("ExistingTableName")
    );
    for (name, r) in t["Resources"].as_hash().unwrap() {
        for policy in r["Properties"]["Policies"].as_vec().into_iter().flatten() {
            for statement in policy["Statement"].as_vec().into_iter().flatten() {
                let resource = named(&statement["Resource"]).unwrap_or_default();
                assert!(
                    resource.contains("table/${ExistingTableName}"),
                    "{:?}: {resource}",
                    name.as_str()
                );
            }
        }
    }
}
