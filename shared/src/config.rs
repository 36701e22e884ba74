//! Configuration read once per cold start from the environment.

use chrono::Duration;

use crate::domain::ExpiryPolicy;

/// Names a PEM file of root certificates trusted beside Amazon's, never instead of them: a
/// private endpoint's CA, or the local CA of the benchmark's HTTPS endpoint. Unset in AWS.
pub const EXTRA_CA_FILE: &str = "DYNAMODB_EXTRA_CA_FILE";

/// Who a draft belongs to (`AUTH_MODE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// The original design: a draft is whoever holds its id.
    #[default]
    Anonymous,
    /// Owned drafts: API Gateway's JWT authorizer verifies the caller's token and every verb
    /// reaches only the drafts of its `sub`.
    Jwt,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub auth: AuthMode,
    /// Owned mode: live drafts one owner may have (`MAX_DRAFTS_PER_OWNER`); a create past it is
    /// refused with 409.
    pub max_drafts_per_owner: u32,
    pub table_name: String,
    pub policy: ExpiryPolicy,
    /// SDK attempts per DynamoDB request, first try included (the original design's
    /// `SESSION_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// Roots trusted beside Amazon's for DynamoDB's endpoint (`DYNAMODB_EXTRA_CA_FILE`): a
    /// private endpoint's CA, or the benchmark's local one. Unset in AWS.
    pub extra_ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{0} must be a whole number from {1} (seconds at most ten years)")]
    Invalid(&'static str, u64),
    #[error("{0} must be one of: {1}")]
    NotAChoice(&'static str, &'static str),
}

impl Config {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    pub const DEFAULT_MAX_DRAFTS_PER_OWNER: u32 = 20;
    /// Ten years: longer lifetimes are a typo.
    pub const MAX_DURATION_SECS: i64 = 10 * 365 * 86_400;

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = lookup("TABLE_NAME")
            .filter(|t| !t.is_empty())
            .ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let number = |name: &'static str, default: u64, min: u64| match lookup(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= min)
                .ok_or(ConfigError::Invalid(name, min)),
        };
        // Bounded so that no date arithmetic on them can overflow.
        let seconds = |name: &'static str, default: i64| {
            number(name, default as u64, 1).and_then(|n| {
                i64::try_from(n)
                    .ok()
                    .filter(|n| *n <= Self::MAX_DURATION_SECS)
                    .map(Duration::seconds)
                    .ok_or(ConfigError::Invalid(name, 1))
            })
        };
        let idle = seconds("SESSION_TTL", ExpiryPolicy::DEFAULT_IDLE_SECS)?;
        let max_lifetime = seconds(
            "SESSION_MAX_LIFETIME",
            ExpiryPolicy::DEFAULT_MAX_LIFETIME_SECS,
        )?;
        let attempts = number(
            "SESSION_MAX_ATTEMPTS",
            u64::from(Self::DEFAULT_MAX_ATTEMPTS),
            1,
        )?;
        let auth = match lookup("AUTH_MODE").as_deref().map(str::trim) {
            None | Some("" | "none") => AuthMode::Anonymous,
            Some("jwt") => AuthMode::Jwt,
            Some(_) => return Err(ConfigError::NotAChoice("AUTH_MODE", "none, jwt")),
        };
        let max_drafts = number(
            "MAX_DRAFTS_PER_OWNER",
            u64::from(Self::DEFAULT_MAX_DRAFTS_PER_OWNER),
            1,
        )?;
        Ok(Config {
            auth,
            max_drafts_per_owner: u32::try_from(max_drafts)
                .map_err(|_| ConfigError::Invalid("MAX_DRAFTS_PER_OWNER", 1))?,
            table_name,
            policy: ExpiryPolicy::new(idle, max_lifetime),
            max_attempts: u32::try_from(attempts)
                .map_err(|_| ConfigError::Invalid("SESSION_MAX_ATTEMPTS", 1))?,
            extra_ca_file: lookup(EXTRA_CA_FILE)
                .filter(|p| !p.trim().is_empty())
                .map(Into::into),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_are_a_day_idle_a_week_at_most_and_three_attempts() {
        let config = Config::from_lookup(lookup(&[("TABLE_NAME", "t")])).unwrap();
        assert_eq!(config.policy.idle, Duration::seconds(86_400));
        assert_eq!(config.policy.max_lifetime, Duration::seconds(7 * 86_400));
        assert_eq!(config.max_attempts, 3);
    }

    #[test]
    fn drafts_are_anonymous_unless_auth_mode_says_jwt() {
        let config =
            |mode: &str| Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("AUTH_MODE", mode)]));
        assert_eq!(
            Config::from_lookup(lookup(&[("TABLE_NAME", "t")]))
                .unwrap()
                .auth,
            AuthMode::Anonymous
        );
        assert_eq!(config("none").unwrap().auth, AuthMode::Anonymous);
        assert_eq!(config("jwt").unwrap().auth, AuthMode::Jwt);
        assert!(config("JWT ").is_err() && config("cognito").is_err());
    }

    #[test]
    fn a_missing_table_or_a_bad_ttl_stops_the_cold_start() {
        assert!(Config::from_lookup(lookup(&[])).is_err());
        assert!(Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("SESSION_TTL", "0")])).is_err());
        assert!(
            Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("SESSION_TTL", "soon")])).is_err()
        );
        let short =
            Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("SESSION_TTL", "5")])).unwrap();
        assert_eq!(short.policy.idle, Duration::seconds(5));
    }
}
