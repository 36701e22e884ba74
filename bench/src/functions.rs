//! The functions as Lambda runs them: the binary, the environment Lambda gives a
//! `provided.al2023` function, and API Gateway v2 events from `events/`.

use std::path::{Path, PathBuf};

use project_session::Verb;
use serde_json::{json, Value};

use crate::runtime_api::{Outcome, RuntimeApi};
use crate::Error;

/// The functions measured: every verb's but the list's, which answers only in owned mode
/// (the benchmark runs the anonymous API).
pub const FUNCTIONS: [&str; 5] = [
    Verb::CreateSession.function(),
    Verb::GetSession.function(),
    Verb::UpdateSession.function(),
    Verb::DeleteSession.function(),
    Verb::Health.function(),
];
pub const FIXTURE_ID: &str = "2b7d3f4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";

pub struct Function {
    pub name: &'static str,
    pub binary: PathBuf,
    pub api: RuntimeApi,
}

/// Where the functions find DynamoDB, and the CA file that makes its certificate trusted.
pub struct Endpoint<'a> {
    pub url: &'a str,
    pub extra_ca_file: Option<&'a Path>,
}

impl Function {
    /// The environment Lambda gives a `provided.al2023` function of `memory_mb`.
    pub fn env(
        &self,
        dynamodb: &Endpoint<'_>,
        memory_mb: u32,
    ) -> Result<Vec<(String, String)>, Error> {
        let table = std::env::var("TABLE_NAME")?;
        let mut env: Vec<(String, String)> = [
            ("PATH", "/usr/local/bin:/usr/bin:/bin".to_string()),
            ("AWS_LAMBDA_RUNTIME_API", self.api.addr.to_string()),
            ("AWS_LAMBDA_FUNCTION_NAME", self.name.to_string()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", self.name),
            ),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/11/30/[$LATEST]bench".to_string(),
            ),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON".to_string()),
            // BENCH_LOG_LEVEL=OFF prices the per-request log lines.
            (
                "AWS_LAMBDA_LOG_LEVEL",
                std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| "INFO".into()),
            ),
            (
                "AWS_EXECUTION_ENV",
                "AWS_Lambda_provided.al2023".to_string(),
            ),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_DEFAULT_REGION", "us-east-1".to_string()),
            ("AWS_ACCESS_KEY_ID", "local".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "local".to_string()),
            ("AWS_SESSION_TOKEN", "local".to_string()),
            ("_HANDLER", "bootstrap".to_string()),
            ("LAMBDA_TASK_ROOT", "/var/task".to_string()),
            ("LAMBDA_RUNTIME_DIR", "/var/runtime".to_string()),
            ("TZ", ":UTC".to_string()),
            ("TABLE_NAME", table),
            ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb.url.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(file) = dynamodb.extra_ca_file {
            env.push((
                project_session::config::EXTRA_CA_FILE.to_string(),
                file.display().to_string(),
            ));
        }
        Ok(env)
    }
}

// ---------------------------------------------------------------- events

pub struct Events {
    pub dir: PathBuf,
}

impl Events {
    pub fn load(&self, name: &str, id: &str) -> Result<Value, Error> {
        let text = std::fs::read_to_string(self.dir.join(name))?.replace(FIXTURE_ID, id);
        Ok(serde_json::from_str(&text)?)
    }

    pub fn create(&self) -> Result<String, Error> {
        Ok(self.load("create-session.json", FIXTURE_ID)?.to_string())
    }

    pub fn get(&self, id: &str) -> Result<String, Error> {
        Ok(self.load("get-session.json", id)?.to_string())
    }

    pub fn delete(&self, id: &str) -> Result<String, Error> {
        Ok(self.load("delete-session.json", id)?.to_string())
    }

    pub fn health(&self) -> Result<String, Error> {
        Ok(self.load("health.json", FIXTURE_ID)?.to_string())
    }

    /// An autosave of one field, as the frontend sends it after a keystroke pause.
    pub fn autosave(&self, id: &str, field: &str, value: Value) -> Result<String, Error> {
        let mut event = self.load("update-session.json", id)?;
        let body = json!({ "projectData": { field: value } }).to_string();
        event["headers"]
            .as_object_mut()
            .ok_or("headers")?
            .remove("if-match");
        event["headers"]["content-length"] = json!(body.len().to_string());
        event["body"] = json!(body);
        Ok(event.to_string())
    }
}

pub const AUTOSAVES: [(&str, &str); 5] = [
    ("projectName", "Riverside Clinic"),
    ("buildingType", "healthcare"),
    ("clientName", "Ada Lovelace"),
    ("clientEmail", "ada@example.com"),
    ("projectLocation", "Leeds"),
];

pub fn status_of(outcome: &Outcome) -> Result<u16, Error> {
    match outcome {
        Outcome::Response(v) => v["statusCode"]
            .as_u64()
            .map(|s| s as u16)
            .ok_or_else(|| format!("no status in {v}").into()),
        Outcome::Error(e) => Err(format!("function error: {e}").into()),
    }
}

pub fn session_id(outcome: &Outcome) -> Result<String, Error> {
    let Outcome::Response(v) = outcome else {
        return Err("create failed".into());
    };
    let body: Value = serde_json::from_str(v["body"].as_str().ok_or("no body")?)?;
    Ok(body["sessionId"]
        .as_str()
        .ok_or("no sessionId")?
        .to_string())
}
