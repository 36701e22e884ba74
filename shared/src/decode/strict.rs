//! A strict JSON object reader: member names in order, repeats flagged, nested objects too.

use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// A JSON object whose keys are kept in order with duplicates flagged: serde_json's own
/// `Map` keeps the last of two equal keys silently, which would hide a confused client. A
/// repeated name is in `duplicates` once and keeps its first entry.
#[derive(Debug, Default)]
pub(super) struct StrictObject {
    pub(super) entries: Vec<(String, Member)>,
    pub(super) duplicates: Vec<String>,
}

/// A member name as the duplicate check holds it. Its comparisons are counted in tests, which
/// check that decoding stays linear by counting them rather than timing it.
struct Name(String);

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        #[cfg(test)]
        super::tests::count_comparison();
        self.0 == other.0
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[derive(Debug)]
pub(super) enum Member {
    Value(Value),
    Nested(Nested),
    /// The value of a repeated name, unless an object: the name's one problem is the
    /// repetition.
    Repeated,
}

/// A member that should be an object (`projectData`), read strictly too.
#[derive(Debug)]
pub(super) enum Nested {
    Object(StrictObject),
    Null,
    Other,
}

/// Members whose value is itself read strictly (duplicate keys flagged).
const NESTED_OBJECTS: [&str; 1] = ["projectData"];

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictObject;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictObject, A::Error> {
        let mut object = StrictObject::default();
        // Name -> its entry, and whether it is already listed as a duplicate.
        let mut seen = HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let member = if NESTED_OBJECTS.contains(&key.as_str()) {
                Member::Nested(map.next_value::<Nested>()?)
            } else {
                Member::Value(map.next_value()?)
            };
            match seen.entry(Name(key)) {
                Entry::Vacant(slot) => {
                    object.entries.push((slot.key().0.clone(), member));
                    slot.insert((object.entries.len() - 1, false));
                }
                Entry::Occupied(mut slot) => {
                    let (index, listed) = slot.get_mut();
                    if !*listed {
                        *listed = true;
                        let (name, first) = &mut object.entries[*index];
                        object.duplicates.push(name.clone());
                        // What a repeated object holds is still checked.
                        if !matches!(first, Member::Nested(Nested::Object(_))) {
                            *first = Member::Repeated;
                        }
                    }
                }
            }
        }
        Ok(object)
    }

    // Anything but an object: refuse without quoting the value (serde's default message would).
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_unit<E: de::Error>(self) -> Result<StrictObject, E> {
        Err(not_an_object())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<StrictObject, A::Error> {
        Err(not_an_object())
    }
}

fn not_an_object<E: de::Error>() -> E {
    E::custom("the body must be a JSON object")
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NestedVisitor;
        impl<'de> Visitor<'de> for NestedVisitor {
            type Value = Nested;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object or null")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Nested, A::Error> {
                StrictVisitor.visit_map(map).map(Nested::Object)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Nested, E> {
                Ok(Nested::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Nested, E> {
                Ok(Nested::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Nested, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Nested::Other)
            }
        }
        deserializer.deserialize_any(NestedVisitor)
    }
}
