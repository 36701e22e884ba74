//! What each field accepts: parsing a JSON value into a field's value, a step, the steps.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Number, Value};

use super::{Field, FIRST_STEP, LAST_STEP, MAX_NUMBER, MIN_POSITIVE_NUMBER};

/// What a field of `ProjectFormData` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text { max_chars: usize },
    Number,
    Integer,
    Choice(&'static [&'static str]),
}

impl Field {
    /// The field named so, or once named so (a rename keeps older drafts and clients working).
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name || f.aliases().contains(&name))
    }
}

/// A valid field value. Numbers keep serde_json's integer/float distinction so `5` stays `5`.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(Number),
}

impl FieldValue {
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(s) => Value::String(s.clone()),
            FieldValue::Number(n) => Value::Number(n.clone()),
        }
    }
}

/// A draft's form data: only the fields typed so far.
pub type ProjectData = BTreeMap<Field, FieldValue>;

/// Checks one value against its field's kind. The message never repeats the value.
pub fn parse_value(field: Field, value: &Value) -> Result<FieldValue, String> {
    match (field.kind(), value) {
        (Kind::Text { max_chars }, Value::String(s)) => {
            if s.chars().count() > max_chars {
                Err(format!("must be at most {max_chars} characters"))
            } else {
                Ok(FieldValue::Text(s.clone()))
            }
        }
        (Kind::Text { .. }, _) => Err("must be a string".into()),
        (Kind::Choice(options), Value::String(s)) if options.contains(&s.as_str()) => {
            Ok(FieldValue::Text(s.clone()))
        }
        (Kind::Choice(options), _) => Err(format!("must be one of: {}", options.join(", "))),
        (Kind::Number | Kind::Integer, Value::Number(n)) => {
            parse_number(n, field.kind() == Kind::Integer).map(FieldValue::Number)
        }
        (Kind::Number, _) => Err("must be a number".into()),
        (Kind::Integer, _) => Err("must be a whole number".into()),
    }
}

fn parse_number(n: &Number, integer: bool) -> Result<Number, String> {
    let range = || format!("must be 0 or from {MIN_POSITIVE_NUMBER} to {MAX_NUMBER:.0}");
    if let Some(u) = n.as_u64() {
        return if u as f64 <= MAX_NUMBER {
            Ok(n.clone())
        } else {
            Err(range())
        };
    }
    if n.as_i64().is_some() {
        return Err(range());
    }
    // serde_json refuses non-finite numbers while parsing, so this is a finite float.
    let f = n.as_f64().ok_or_else(range)?;
    if f == 0.0 {
        return Ok(Number::from(0u64));
    }
    if !(MIN_POSITIVE_NUMBER..=MAX_NUMBER).contains(&f) {
        return Err(range());
    }
    if f.fract() == 0.0 {
        // `5.0` is the whole number 5; store and return it as such.
        return Ok(Number::from(f as u64));
    }
    if integer {
        return Err("must be a whole number".into());
    }
    Ok(n.clone())
}

/// A whole number as JSON spells it: `4`, or `4.0` (an integer to JSON Schema too).
pub fn whole_number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=MAX_NUMBER).contains(f))
            .map(|f| f as u64)
    })
}

/// A wizard step, 1..=4.
pub fn parse_step(value: &Value) -> Result<u8, String> {
    whole_number(value)
        .filter(|s| (u64::from(FIRST_STEP)..=u64::from(LAST_STEP)).contains(s))
        .map(|s| s as u8)
        .ok_or_else(|| format!("must be a whole number from {FIRST_STEP} to {LAST_STEP}"))
}

/// Completed steps, de-duplicated and sorted: the original design's hook appends a step each
/// time it saves.
pub fn parse_steps(value: &Value) -> Result<Vec<u8>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("must be an array of steps from {FIRST_STEP} to {LAST_STEP}"))?;
    if items.len() > 1000 {
        return Err("must have at most 1000 entries".into());
    }
    let steps = items
        .iter()
        .map(parse_step)
        .collect::<Result<BTreeSet<u8>, _>>()
        .map_err(|_| format!("must be an array of steps from {FIRST_STEP} to {LAST_STEP}"))?;
    Ok(steps.into_iter().collect())
}
