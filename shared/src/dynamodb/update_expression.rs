//! The expressions of an update's one `UpdateItem`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::item::{
    field_to_attribute, live_condition_names, n, owner_condition, steps, COMPLETED_STEPS,
    CURRENT_STEP, LAST_ACTIVITY, LAST_WRITE, LIVE_CONDITION, PROJECT_DATA, SCHEMA, TITLE, VERSION,
};
use crate::domain::{Field, Owner, SessionPatch, SCHEMA_VERSION};

/// One UpdateItem's expressions for a patch.
#[derive(Debug, PartialEq)]
pub struct UpdateExpression {
    pub update: String,
    pub condition: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

/// Sets only the `projectData.<field>` paths the patch names, so two tabs saving different
/// fields at once both keep their field. The condition makes a missing or expired session
/// fail instead of being revived as a half item, and refuses to apply the request `token`
/// twice: an SDK retry of an update that committed fails its condition and finds its token.
///
/// `expires_at` is the new idle expiry. It must not pass the draft's cap (the TTL attribute is
/// when DynamoDB deletes the item), which only the item knows: the condition checks it, and
/// the store tries once more with the cap when it is nearer.
pub fn update_expression(
    patch: &SessionPatch,
    owner: Option<&Owner>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    token: &str,
) -> UpdateExpression {
    let mut names = live_condition_names();
    names.insert("#lastActivity".into(), LAST_ACTIVITY.into());
    names.insert("#version".into(), VERSION.into());
    names.insert("#lastWrite".into(), LAST_WRITE.into());
    names.insert("#schemaVersion".into(), SCHEMA.into());
    let mut values = HashMap::from([
        (
            ":writeToken".to_string(),
            AttributeValue::S(token.to_string()),
        ),
        (":now".to_string(), n(now.timestamp())),
        (":nowMillis".to_string(), n(now.timestamp_millis())),
        (":expiresAt".to_string(), n(expires_at.timestamp())),
        (":one".to_string(), n(1)),
        (
            ":schemaVersion".to_string(),
            AttributeValue::S(SCHEMA_VERSION.to_string()),
        ),
    ]);
    let mut set = vec![
        "#lastActivity = :nowMillis".to_string(),
        "#expiresAt = :expiresAt".to_string(),
        "#lastWrite = :writeToken".to_string(),
        "#schemaVersion = :schemaVersion".to_string(),
    ];
    let mut remove = Vec::new();
    if let Some(step) = patch.current_step {
        names.insert("#currentStep".into(), CURRENT_STEP.into());
        values.insert(":currentStep".into(), n(step));
        set.push("#currentStep = :currentStep".into());
    }
    if let Some(done) = &patch.completed_steps {
        names.insert("#completedSteps".into(), COMPLETED_STEPS.into());
        values.insert(":completedSteps".into(), steps(done));
        set.push("#completedSteps = :completedSteps".into());
    }
    if !patch.project_data.is_empty() {
        names.insert("#projectData".into(), PROJECT_DATA.into());
    }
    // Field placeholders carry a prefix: a field may be named like any other placeholder.
    for (field, value) in &patch.project_data {
        let name = field.name();
        names.insert(format!("#f_{name}"), name.to_string());
        match value {
            Some(v) => {
                values.insert(format!(":f_{name}"), field_to_attribute(v));
                set.push(format!("#projectData.#f_{name} = :f_{name}"));
            }
            None => remove.push(format!("#projectData.#f_{name}")),
        }
        // An owned draft's title goes to the index with it.
        if owner.is_some() && Field::TITLE == Some(*field) {
            names.insert("#title".into(), TITLE.into());
            match value {
                Some(_) => set.push(format!("#title = :f_{name}")),
                None => remove.push("#title".into()),
            }
        }
        // A value kept under the field's old name would come back once this one is removed.
        for alias in field.aliases() {
            names.insert(format!("#f_{alias}"), alias.to_string());
            remove.push(format!("#projectData.#f_{alias}"));
        }
    }
    let mut update = format!("SET {} ADD #version :one", set.join(", "));
    if !remove.is_empty() {
        update.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    let owner = owner_condition(owner, &mut names, &mut values);
    let mut condition = format!(
        "{LIVE_CONDITION} AND {owner} AND #maxExpiresAt >= :expiresAt \
         AND (attribute_not_exists(#lastWrite) OR #lastWrite <> :writeToken)"
    );
    for (i, expected) in patch.expected_versions.iter().enumerate() {
        values.insert(format!(":expectedVersion{i}"), n(expected));
        condition.push_str(&format!(" AND #version = :expectedVersion{i}"));
    }
    match &patch.if_match {
        None => {}
        // Only weak or unknown tags: nothing can match, and the failed condition still
        // returns the draft, so the 412 carries its version.
        Some(tags) if tags.is_empty() => condition.push_str(" AND attribute_not_exists(#version)"),
        Some(tags) => {
            let names: Vec<String> = (0..tags.len()).map(|i| format!(":ifMatch{i}")).collect();
            for (name, tag) in names.iter().zip(tags) {
                values.insert(name.clone(), n(tag));
            }
            condition.push_str(&format!(" AND #version IN ({})", names.join(", ")));
        }
    }
    UpdateExpression {
        update,
        condition,
        names,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Field, FieldValue};

    #[test]
    fn an_update_sets_only_the_named_fields_and_removes_nulls() {
        let patch = SessionPatch {
            project_data: [
                (Field::ProjectName, Some(FieldValue::Text("A".into()))),
                (Field::Budget, None),
            ]
            .into(),
            expected_versions: [3].into(),
            ..Default::default()
        };
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let expires = crate::domain::ExpiryPolicy::default().expires_at(now);
        let e = update_expression(&patch, None, now, expires, "t1");
        assert_eq!(
            e.update,
            "SET #lastActivity = :nowMillis, #expiresAt = :expiresAt, #lastWrite = :writeToken, \
             #schemaVersion = :schemaVersion, #projectData.#f_projectName = :f_projectName \
             ADD #version :one REMOVE #projectData.#f_budget"
        );
        assert_eq!(
            e.condition,
            "attribute_exists(#sessionId) AND attribute_not_exists(#deleted) \
             AND #expiresAt > :now AND #maxExpiresAt > :now \
             AND attribute_not_exists(#owner) AND #maxExpiresAt >= :expiresAt \
             AND (attribute_not_exists(#lastWrite) OR #lastWrite <> :writeToken) \
             AND #version = :expectedVersion0"
        );
        assert_eq!(e.values[":writeToken"], AttributeValue::S("t1".into()));
        assert_eq!(
            e.values[":expiresAt"],
            AttributeValue::N("1800086400".into())
        );
        assert!(!e.names.contains_key("#currentStep"));
    }
}
