//! Owned mode over HTTP: `AUTH_MODE=jwt ./scripts/dev.sh`, with the local token issuer and
//! API Gateway's JWT check (`scripts/local_gateway.py`) in front of `cargo lambda watch`. The
//! functions read the caller only from the claims in the event, as in AWS.

use serde_json::{json, Value};

use crate::stack::{agent, call, local_token, Stack};

#[test]
fn owned_mode_checks_tokens_before_any_function_and_keeps_each_draft_to_its_owner() {
    let stack = Stack::start_owned("owned", 2);
    let agent = agent();
    let base = &stack.base;
    let send = |method: &str, path: &str, body: Option<Value>, token: Option<&str>| {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = bearer
            .iter()
            .map(|b| ("Authorization", b.as_str()))
            .collect();
        call(&agent, method, &format!("{base}{path}"), body, &headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", stack.log_text()))
    };
    let token = |sub: &str, seconds: u64| local_token(&agent, base, sub, seconds);
    let ada = token("ada", 3600);
    let bob = token("bob", 3600);

    // Health answers a monitor without a token.
    assert_eq!(send("GET", "/health", None, None).0, 200);

    // No token, a forged one, an expired one: the gateway's 401, not a function's answer.
    let unauthorized = json!({"message": "Unauthorized"});
    assert_eq!(
        send("POST", "/project-session", Some(json!({})), None),
        (401, None, unauthorized.clone())
    );
    // Ada's token with Bob's name in it, keeping her signature: refused.
    let mut parts = ada.split('.');
    let (head, claims, signature) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let claims = String::from_utf8(base64_url_decode(claims))
        .unwrap()
        .replace("\"ada\"", "\"bob\"");
    assert!(claims.contains("\"bob\""), "{claims}");
    let forged = format!("{head}.{}.{signature}", base64_url(&claims));
    assert_eq!(
        send("GET", "/project-sessions", None, Some(&forged)).2,
        unauthorized
    );
    let short = token("ada", 1);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(send("GET", "/project-sessions", None, Some(&short)).0, 401);

    // Ada's draft is hers: Bob gets the 404 of a draft that does not exist.
    let (status, _, created) = send(
        "POST",
        "/project-session",
        Some(json!({"projectData": {"projectName": "Ada's depot"}})),
        Some(&ada),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["sessionId"].as_str().unwrap();
    let path = format!("/project-session/{id}");
    assert_eq!(send("GET", &path, None, Some(&bob)).0, 404);
    assert_eq!(
        send(
            "PUT",
            &path,
            Some(json!({"projectData": {"projectName": "Bob's"}})),
            Some(&bob)
        )
        .0,
        404
    );
    assert_eq!(send("DELETE", &path, None, Some(&bob)).0, 404);
    let (status, _, draft) = send("GET", &path, None, Some(&ada));
    assert_eq!(
        (status, draft["projectData"].clone()),
        (200, json!({"projectName": "Ada's depot"}))
    );

    // Her list, on any device: her draft only.
    let (status, _, list) = send("GET", "/project-sessions", None, Some(&ada));
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["drafts"].as_array().unwrap().len(), 1);
    assert_eq!(list["drafts"][0]["sessionId"], json!(id));
    assert_eq!(list["drafts"][0]["projectName"], json!("Ada's depot"));
    assert_eq!(
        send("GET", "/project-sessions", None, Some(&bob)).2,
        json!({"drafts": []})
    );

    // The cap (2 here): the third is refused with 409, which says how many.
    assert_eq!(
        send("POST", "/project-session", Some(json!({})), Some(&ada)).0,
        201
    );
    let (status, _, refused) = send("POST", "/project-session", Some(json!({})), Some(&ada));
    assert_eq!(
        (status, refused["maxDrafts"].clone()),
        (409, json!(2)),
        "{refused}"
    );
}

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn base64_url_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let values: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|a| *a == c).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in values.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, v)| n | v << (18 - 6 * i));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
