//! The draft session and its rules, one job per file: ids and tokens (`ids`), what a field
//! accepts (`values`, with the generated field table in `fields`), a draft, a create and an
//! update (`session`), and when a draft has expired (`expiry`). Plain types and functions, no AWS.

/// The wizard has four steps; `currentStep` and `completedSteps` stay within them.
pub const FIRST_STEP: u8 = 1;
pub const LAST_STEP: u8 = 4;

mod expiry;
mod fields;
mod ids;
mod session;
mod values;

pub use expiry::*;
pub use fields::{Field, MAX_NUMBER, MIN_POSITIVE_NUMBER, SCHEMA_VERSION};
pub use ids::*;
pub use session::*;
pub use values::*;

#[cfg(test)]
mod tests;
