//! Field problems gathered while decoding, reported together and bounded.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::strict::StrictObject;
use super::{DecodeError, MAX_ECHOED_NAME, MAX_LISTED_PROBLEMS, MORE_PROBLEMS};

/// Field problems gathered while decoding, reported together: the first
/// `MAX_LISTED_PROBLEMS` paths found, each with its first problem, and how many more fields
/// had one. A field has one problem at its own path (a repeated one, the repetition), so
/// counting problems counts fields.
#[derive(Default)]
pub(super) struct Problems {
    listed: BTreeMap<String, String>,
    left_out: usize,
}

impl Problems {
    pub(super) fn new(object: &StrictObject) -> Self {
        let mut problems = Problems::default();
        for name in &object.duplicates {
            problems.add(short(name), "duplicate field");
        }
        problems
    }

    pub(super) fn add(&mut self, path: Cow<str>, message: impl Into<String>) {
        // Two fields share a path only when long names are cut alike; the first is listed.
        if self.listed.contains_key(path.as_ref()) {
            return;
        }
        if self.listed.len() < MAX_LISTED_PROBLEMS && path != MORE_PROBLEMS {
            self.listed.insert(path.into_owned(), message.into());
        } else {
            self.left_out += 1;
        }
    }

    pub(super) fn unknown(&mut self, name: &str) {
        self.add(short(name), "unknown field");
    }

    pub(super) fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        self.check_path(key.to_string(), result)
    }

    pub(super) fn check_path<T>(&mut self, path: String, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.add(path.into(), message))
            .ok()
    }

    pub(super) fn finish<T>(mut self, value: T) -> Result<T, DecodeError> {
        if self.left_out > 0 {
            let count = match self.left_out {
                1 => "1 more problem not listed".to_string(),
                n => format!("{n} more problems not listed"),
            };
            self.listed.insert(MORE_PROBLEMS.into(), count);
        }
        if self.listed.is_empty() {
            Ok(value)
        } else {
            Err(DecodeError::Invalid(self.listed))
        }
    }
}

pub(super) fn short(name: &str) -> Cow<'_, str> {
    if name.chars().count() <= MAX_ECHOED_NAME {
        name.into()
    } else {
        let cut: String = name.chars().take(MAX_ECHOED_NAME).collect();
        format!("{cut}…").into()
    }
}
