#!/usr/bin/env python3
"""Writes template.yaml as CloudFormation deploys it in each AuthMode, for the linters.

SAM cannot take `Auth` from an intrinsic, so template.yaml puts AWS::LanguageExtensions first,
which resolves `Fn::If` on the `Owned` condition once the parameters are known. Neither
`sam validate` nor `cfn-lint` resolves it offline: this does the same resolution (the `Owned`
branches, and resources whose `Condition` is `Owned`) for AuthMode=none and AuthMode=jwt, so
that both linters check what each mode deploys.

Usage: template-modes.py OUT_DIR  -> OUT_DIR/template-none.json, OUT_DIR/template-jwt.json
"""

import json
import sys
from pathlib import Path

from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parent.parent
NO_VALUE = {"Ref": "AWS::NoValue"}
DROP = object()


def resolve(node, owned):
    if isinstance(node, dict):
        if list(node) == ["Fn::If"] and node["Fn::If"][0] == "Owned":
            _, yes, no = node["Fn::If"]
            return resolve(yes if owned else no, owned)
        if node == NO_VALUE:
            return DROP
        out = {}
        for key, value in node.items():
            value = resolve(value, owned)
            if value is not DROP:
                out[key] = value
        return out
    if isinstance(node, list):
        return [v for v in (resolve(item, owned) for item in node) if v is not DROP]
    return node


def for_mode(template, mode):
    owned = mode == "jwt"
    out = resolve(template, owned)
    out["Transform"] = [t for t in out["Transform"] if t != "AWS::LanguageExtensions"]
    out["Resources"] = {
        name: res
        for name, res in out["Resources"].items()
        if res.get("Condition") != "Owned" or owned
    }
    if not owned:
        # Resolved away: nothing refers to it any more.
        del out["Conditions"]["Owned"]
        if not out["Conditions"]:
            del out["Conditions"]
    params = out["Parameters"]
    params["AuthMode"]["Default"] = mode
    if owned:
        params["JwtIssuer"]["Default"] = "https://issuer.example.com"
        params["JwtAudience"]["Default"] = "example-client"
    return out


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    template = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))
    for mode in ("none", "jwt"):
        path = out_dir / f"template-{mode}.json"
        path.write_text(json.dumps(for_mode(template, mode), indent=2))
        print(path)


if __name__ == "__main__":
    main()
