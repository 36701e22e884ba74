//! The functions are the crates, each routed as `Verb` says; in owned mode every route but
//! health needs a token.

use super::*;

#[test]
fn every_template_function_is_a_crate_and_every_crate_a_function() {
    let declared: BTreeSet<String> = declared_functions(&template_in(Mode::Owned))
        .into_keys()
        .collect();
    assert_eq!(declared, function_crates());
    let verbs: BTreeSet<String> = Verb::ALL.iter().map(|v| v.function().to_string()).collect();
    assert_eq!(
        verbs,
        function_crates(),
        "Verb::ALL names every function crate"
    );
    // Anonymous drafts have no owner to list.
    let anonymous: BTreeSet<String> = declared_functions(&template()).into_keys().collect();
    let mut expected = function_crates();
    expected.remove("list-sessions");
    assert_eq!(anonymous, expected);
}

#[test]
fn api_gateway_routes_each_request_to_the_function_its_verb_names() {
    // Owned mode has every route; anonymous mode all but the list.
    for mode in MODES {
        let in_template: BTreeSet<(String, String, String)> =
            declared_functions(&template_in(mode))
                .values()
                .flat_map(|f| {
                    assert!(!f.routes.is_empty(), "{} has no route", f.binary);
                    f.routes
                        .iter()
                        .map(|(m, p)| (m.clone(), p.clone(), f.binary.clone()))
                })
                .collect();
        let named: BTreeSet<(String, String, String)> = Verb::ALL
            .iter()
            .filter(|v| mode == Mode::Owned || **v != Verb::ListSessions)
            .flat_map(|v| {
                v.routes().iter().map(move |r| {
                    (
                        r.method.to_string(),
                        r.path.to_string(),
                        v.function().to_string(),
                    )
                })
            })
            .collect();
        assert_eq!(
            in_template, named,
            "{mode:?}: template.yaml's routes are Verb's"
        );
    }
}

#[test]
fn in_owned_mode_every_route_but_health_needs_a_token_from_the_issuer() {
    let t = template_in(Mode::Owned);
    let auth = &t["Resources"]["HttpApi"]["Properties"]["Auth"];
    let default = auth["DefaultAuthorizer"]
        .as_str()
        .expect("a default authorizer");
    let jwt = &auth["Authorizers"][default];
    assert_eq!(
        jwt["IdentitySource"].as_str(),
        Some("$request.header.Authorization")
    );
    assert_eq!(
        named(&jwt["JwtConfiguration"]["issuer"]).as_deref(),
        Some("JwtIssuer")
    );
    assert_eq!(
        named(&jwt["JwtConfiguration"]["audience"]).as_deref(),
        Some("JwtAudience")
    );
    for (name, r) in t["Resources"].as_hash().unwrap() {
        for (_, e) in r["Properties"]["Events"].as_hash().into_iter().flatten() {
            let open = e["Properties"]["Auth"]["Authorizer"].as_str() == Some("NONE");
            let health = e["Properties"]["Path"].as_str() == Some("/health");
            assert_eq!(open, health, "{:?}: only /health is open", name.as_str());
        }
    }
    // Anonymous mode has no authorizer at all.
    assert!(template()["Resources"]["HttpApi"]["Properties"]["Auth"].is_badvalue());
    let env = environment(&t);
    assert_eq!(named(&env["AUTH_MODE"]).as_deref(), Some("AuthMode"));
    assert_eq!(
        named(&env["MAX_DRAFTS_PER_OWNER"]).as_deref(),
        Some("MaxDraftsPerOwner")
    );
}
