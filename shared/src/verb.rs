//! The API's verbs, written once: each verb's Lambda function, the routes API Gateway sends it
//! and the DynamoDB actions its IAM policy grants. A function's `main.rs` serves its verb;
//! `template.yaml` (whose routes the local API Gateway serves), the tests' routers and the
//! benchmark are derived from `Verb::ALL` or checked against it.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    CreateSession,
    GetSession,
    UpdateSession,
    DeleteSession,
    ListSessions,
    Health,
}

/// A route API Gateway sends to a verb's function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
}

const DRAFT: &str = "/project-session/{sessionId}";

impl Verb {
    pub const ALL: [Verb; 6] = [
        Verb::CreateSession,
        Verb::GetSession,
        Verb::UpdateSession,
        Verb::DeleteSession,
        Verb::ListSessions,
        Verb::Health,
    ];

    /// The function's name: its crate under `functions/`, its binary, its log's `function`.
    pub const fn function(self) -> &'static str {
        match self {
            Verb::CreateSession => "create-session",
            Verb::GetSession => "get-session",
            Verb::UpdateSession => "update-session",
            Verb::DeleteSession => "delete-session",
            Verb::ListSessions => "list-sessions",
            Verb::Health => "health",
        }
    }

    /// The verb whose function is named `name`.
    pub fn of_function(name: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|verb| verb.function() == name)
    }

    /// The verb API Gateway sends `method` on the route `path` (as the template spells it, with
    /// `{sessionId}`) to.
    pub fn of_route(method: &str, path: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|verb| {
            verb.routes()
                .iter()
                .any(|r| r.method == method && r.path == path)
        })
    }

    /// The routes API Gateway sends to it (`list-sessions` only in owned mode).
    pub const fn routes(self) -> &'static [Route] {
        match self {
            Verb::CreateSession => &[Route {
                method: "POST",
                path: "/project-session",
            }],
            Verb::GetSession => &[Route {
                method: "GET",
                path: DRAFT,
            }],
            // The original design's form sends the id in the body.
            Verb::UpdateSession => &[
                Route {
                    method: "PUT",
                    path: "/project-session",
                },
                Route {
                    method: "PUT",
                    path: DRAFT,
                },
            ],
            Verb::DeleteSession => &[Route {
                method: "DELETE",
                path: DRAFT,
            }],
            Verb::ListSessions => &[Route {
                method: "GET",
                path: "/project-sessions",
            }],
            Verb::Health => &[Route {
                method: "GET",
                path: "/health",
            }],
        }
    }

    /// The DynamoDB actions its IAM policy grants: exactly those its code calls. A delete
    /// empties the draft and marks it for the TTL sweep (an update). Owned mode adds the
    /// index's `Query`: the list, and a create's per-owner cap.
    pub const fn dynamodb_actions(self, owned: bool) -> &'static [&'static str] {
        match (self, owned) {
            (Verb::CreateSession, false) => &["dynamodb:PutItem"],
            (Verb::CreateSession, true) => &["dynamodb:PutItem", "dynamodb:Query"],
            (Verb::GetSession, _) => &["dynamodb:GetItem"],
            (Verb::UpdateSession | Verb::DeleteSession, _) => &["dynamodb:UpdateItem"],
            (Verb::ListSessions, _) => &["dynamodb:Query"],
            (Verb::Health, _) => &["dynamodb:DescribeTable"],
        }
    }
}

/// The `main` of `verb`'s Lambda: logging, the configuration and the DynamoDB client once per
/// cold start, then the handler for every request inside a `RequestReport` (its log and metrics
/// line). A macro, so that each function links its own handler alone and its future stays `Send`.
///
/// ```ignore
/// project_session::serve!(Verb::GetSession, |store, config, req| handlers::get_session(store, config, req));
/// ```
#[macro_export]
macro_rules! serve {
    ($verb:expr, |$store:ident, $config:ident, $req:ident| $handle:expr) => {{
        $crate::logging::init();
        let config = $crate::Config::from_env()?;
        let store = $crate::DynamoStore::from_config(&config)?;
        let report = $crate::observe::RequestReport::from_env($crate::Verb::function($verb));
        lambda_http::run(lambda_http::service_fn(|req| {
            report.observe(req, |$req| {
                let ($store, $config) = (&store, &config);
                $handle
            })
        }))
        .await
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_leads_back_to_its_verb_and_no_two_verbs_share_one() {
        for verb in Verb::ALL {
            for route in verb.routes() {
                assert_eq!(Verb::of_route(route.method, route.path), Some(verb));
            }
            assert_eq!(Verb::of_function(verb.function()), Some(verb));
        }
        assert_eq!(Verb::of_route("GET", "/project-session"), None);
        assert_eq!(
            Verb::of_route("PATCH", "/project-session/{sessionId}"),
            None
        );
    }
}
