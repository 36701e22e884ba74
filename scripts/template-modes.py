#!/usr/bin/env python3
"""Writes template.yaml as CloudFormation deploys it under a few sets of parameters, for the linters.

SAM cannot take `Auth`, `Domain` and the like from an intrinsic, so template.yaml puts
AWS::LanguageExtensions first, which resolves `Fn::If` in Resources and Outputs once the
parameters are known (not in Globals or Rules, which reach SAM and CloudFormation as written).
Neither `sam validate` nor `cfn-lint` does that offline: this evaluates the template's
Conditions for each parameter set, resolves `Fn::If` where the transform does, and sets the
parameters' defaults to the set's values, so that SAM's translation and both linters check what
each set deploys.

Usage: template-modes.py OUT_DIR  -> OUT_DIR/template-<set>.json, one path per line
"""

import json
import sys
from pathlib import Path

from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parent.parent
NO_VALUE = {"Ref": "AWS::NoValue"}
DROP = object()

OWNED = {
    "AuthMode": "jwt",
    "JwtIssuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
    "JwtAudience": "example-client-id",
}
SETS = {
    # The defaults: anonymous drafts, every option that costs money off.
    "defaults": {},
    "owned": OWNED,
    # The stack on a table restored from a backup (README, "Restoring the table").
    "restored-table": {"ExistingTableName": "project-session-restored"},
    # Every option on, as a production stack may have it.
    "all-on": {
        **OWNED,
        "Stage": "prod",
        "AllowedOrigins": "https://app.example.com",
        "DeploymentStrategy": "Canary10Percent5Minutes",
        "AlarmEmail": "ops@example.com",
        "DetailedRouteMetrics": "true",
        "AccessLogSourceIp": "true",
        "Tracing": "Active",
        "Dashboard": "true",
        "DomainName": "api.example.com",
        "CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        "ReservedConcurrency": "5",
    },
}


def value(node, params):
    if isinstance(node, dict) and list(node) == ["Ref"]:
        return str(params[node["Ref"]])
    return str(node)


def evaluate(node, params, conditions):
    (name, args), = node.items()
    if name == "Fn::Equals":
        return value(args[0], params) == value(args[1], params)
    if name == "Fn::Not":
        return not evaluate(args[0], params, conditions)
    if name == "Fn::Or":
        return any(evaluate(a, params, conditions) for a in args)
    if name == "Fn::And":
        return all(evaluate(a, params, conditions) for a in args)
    if name == "Condition":
        return evaluate(conditions[args], params, conditions)
    raise ValueError(f"condition function {name} is not handled here")


def resolve(node, truth):
    if isinstance(node, dict):
        if list(node) == ["Fn::If"]:
            name, yes, no = node["Fn::If"]
            return resolve(yes if truth[name] else no, truth)
        if node == NO_VALUE:
            return DROP
        out = {}
        for key, item in node.items():
            item = resolve(item, truth)
            if item is not DROP:
                out[key] = item
        return out
    if isinstance(node, list):
        return [v for v in (resolve(item, truth) for item in node) if v is not DROP]
    return node


def referenced(node) -> set:
    """The conditions `node` names: a resource's `Condition`, `Fn::If`'s first argument, and
    `{"Condition": name}` inside other conditions."""
    found = set()
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "Condition" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::If" and isinstance(item, list) and item:
                found.add(item[0])
            found |= referenced(item)
    elif isinstance(node, list):
        for item in node:
            found |= referenced(item)
    return found


def for_set(template, overrides):
    """What AWS::LanguageExtensions hands SAM: `Fn::If` resolved in Resources and Outputs (where
    it resolves intrinsics), Globals, Rules and Conditions as written, the parameters' defaults
    set to the set's values."""
    params = {name: p.get("Default", "") for name, p in template["Parameters"].items()}
    params.update(overrides)
    conditions = template["Conditions"]
    truth = {name: evaluate(cond, params, conditions) for name, cond in conditions.items()}
    out = dict(template)
    for section in ("Resources", "Outputs"):
        out[section] = resolve(template[section], truth)
    out["Transform"] = [t for t in out["Transform"] if t != "AWS::LanguageExtensions"]
    # A resource whose condition holds is there as surely as one without: said so, for the
    # linters' reference checks. One whose condition fails keeps it (Globals may name it).
    out["Resources"] = {
        name: {k: v for k, v in res.items() if not (k == "Condition" and truth[v])}
        for name, res in out["Resources"].items()
    }
    # Conditions used only by the `Fn::If`s resolved away are gone from what CloudFormation sees.
    used = referenced({k: v for k, v in out.items() if k != "Conditions"})
    while True:
        more = used | referenced({name: conditions[name] for name in used})
        if more == used:
            break
        used = more
    out["Conditions"] = {name: c for name, c in conditions.items() if name in used}
    if not out["Conditions"]:
        del out["Conditions"]
    out["Parameters"] = json.loads(json.dumps(template["Parameters"]))
    for name, given in overrides.items():
        out["Parameters"][name]["Default"] = given
    return out


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    template = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))
    for name, overrides in SETS.items():
        path = out_dir / f"template-{name}.json"
        path.write_text(json.dumps(for_set(template, overrides), indent=2))
        print(path)


if __name__ == "__main__":
    main()
