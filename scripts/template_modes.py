#!/usr/bin/env python3
"""Writes template.yaml as CloudFormation deploys it under a few sets of parameters: resolved as
AWS::LanguageExtensions resolves it, for the linters, and then translated by SAM, as
CloudFormation receives it (scripts/test_template_modes.py checks the translations).

SAM cannot take `Auth`, `Domain` and the like from an intrinsic, so template.yaml puts
AWS::LanguageExtensions first, which resolves `Fn::If` in Resources and Outputs once the
parameters are known (not in Globals or Rules, which reach SAM and CloudFormation as written).
Neither `sam validate` nor `cfn-lint` does that offline: this evaluates the template's
Conditions for each parameter set, resolves `Fn::If` where the transform does, and sets the
parameters' defaults to the set's values, so that SAM's translation and both linters check what
each set deploys.

Usage: template_modes.py OUT_DIR  -> OUT_DIR/template-<set>.json (resolved, one path per line)
                                     and OUT_DIR/translated-<set>.json (SAM's translation)
"""

import json
import logging
import os
import shlex
import sys
from pathlib import Path

import deploy

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
    # The stack on a table restored from a backup (docs/operations.md, "Restoring the table").
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
    # The defaults but for `Tracing`: the test compares the versions it publishes.
    "tracing-active": {"Tracing": "Active"},
}


def documented_deploy_environment(env: str) -> dict:
    """The environment variables docs/operations.md's `scripts/deploy.py ENV` command sets."""
    for line in (ROOT / "docs" / "operations.md").read_text().splitlines():
        words = shlex.split(line) if f"scripts/deploy.py {env}" in line else []
        if words:
            at = next(i for i, w in enumerate(words) if w.endswith("scripts/deploy.py"))
            pairs = [w.split("=", 1) for w in words[:at] if "=" in w]
            return {k: v for k, v in pairs if k in deploy.FROM_ENVIRONMENT}
    raise SystemExit(f"docs/operations.md has no `scripts/deploy.py {env}` command")


def deploy_sets() -> dict:
    """samconfig.toml's environments as scripts/deploy.py deploys them: `default` is the
    defaults, `dev` as it stands, `prod` with docs/operations.md's command's origins and e-mail, and once
    more as the workflow deploys it when its ALARM_EMAIL secret is empty."""
    prod = documented_deploy_environment("prod")
    return {
        "dev": deploy.parameters("dev", {}),
        "prod": deploy.parameters("prod", prod),
        "prod-without-alarm-email": deploy.parameters("prod", {**prod, "ALARM_EMAIL": ""}),
    }


def all_sets() -> dict:
    return {**SETS, **deploy_sets()}


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


def inline_parameters(node, params):
    """`Ref` to a parameter replaced by its value, as AWS::LanguageExtensions does in Resources
    and Outputs: SAM then hashes a function's published version over the values, not over
    `{"Ref": ...}` (so that a change of `Tracing` alone publishes a new version)."""
    if isinstance(node, dict):
        if list(node) == ["Ref"] and node["Ref"] in params:
            return params[node["Ref"]]
        return {k: inline_parameters(v, params) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_parameters(v, params) for v in node]
    return node


def parameter_values(template) -> dict:
    """Each parameter's value (its default, set to the set's value by `for_set`), typed as `Ref`
    returns it: a CommaDelimitedList is a list, everything else a string."""
    out = {}
    for name, p in template["Parameters"].items():
        given = str(p.get("Default", ""))
        out[name] = [v.strip() for v in given.split(",")] if p["Type"] == "CommaDelimitedList" else given
    return out


def translate(resolved) -> dict:
    """SAM's translation of a resolved template by the SAM CLI's own validator (the code behind
    `sam validate`, with its translator and its stand-in S3 address for local code): the
    template CloudFormation builds its change set from."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    os.environ.setdefault("SAM_CLI_TELEMETRY", "0")
    from samcli.lib.translate.sam_template_validator import SamTemplateValidator
    from samcli.yamlhelper import yaml_parse

    # The translator's own usage metrics, which `sam validate` never publishes either.
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)

    class NoManagedPolicies:
        # Offline: SAM asks IAM for managed policies' ARNs only to expand their names.
        def load(self):
            return {}

    template = json.loads(json.dumps(resolved))
    values = parameter_values(template)
    for section in ("Resources", "Outputs"):
        template[section] = inline_parameters(template[section], values)
    validator = SamTemplateValidator(template, NoManagedPolicies(), region=os.environ["AWS_DEFAULT_REGION"])
    return yaml_parse(validator.get_translated_template_if_valid())


def load() -> dict:
    """template.yaml as cfn-lint reads it (imported here: the local gateway reads the template
    with PyYAML alone, where cfn-lint is not installed)."""
    from cfnlint.decode import cfn_yaml

    return json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in [*out_dir.glob("template-*.json"), *out_dir.glob("translated-*.json")]:
        stale.unlink()
    template = load()
    for name, overrides in all_sets().items():
        resolved = for_set(template, overrides)
        path = out_dir / f"template-{name}.json"
        path.write_text(json.dumps(resolved, indent=2))
        (out_dir / f"translated-{name}.json").write_text(json.dumps(translate(resolved), indent=2))
        print(path)


if __name__ == "__main__":
    main()
