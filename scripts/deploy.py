#!/usr/bin/env python3
"""`sam deploy` of what `sam build` made, to one of samconfig.toml's environments, with the
parameters that environment names there plus the two only its operator knows, from the
environment: ALLOWED_ORIGINS (the frontend's origins, comma-separated) and ALARM_EMAIL (left
out when empty or unset). The README's deploy command and .github/workflows/deploy.yml both run
this, and scripts/test_template_modes.py checks the template under exactly these parameters.

A `--parameter-overrides` given to `sam deploy` replaces the environment's list rather than
adding to it; this adds to it.

Usage: ALLOWED_ORIGINS=https://app.example.com ALARM_EMAIL=ops@example.com \\
         scripts/deploy.py prod [more sam deploy options]
"""

import os
import shlex
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Environment variable -> template parameter, each left out when empty.
FROM_ENVIRONMENT = {"ALLOWED_ORIGINS": "AllowedOrigins", "ALARM_EMAIL": "AlarmEmail"}


def parameters(env: str, environ) -> dict:
    """The template parameters a deploy to samconfig.toml's `env` gives, in order."""
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    if env not in config:
        raise SystemExit(f"deploy.py: samconfig.toml has no environment {env!r}")
    listed = config[env].get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
    out = dict(pair.split("=", 1) for pair in shlex.split(listed))
    for variable, name in FROM_ENVIRONMENT.items():
        # SAM CLI splits the overrides at spaces: "https://a, https://b" would lose an origin.
        given = ",".join(v.strip() for v in environ.get(variable, "").split(",") if v.strip())
        if given:
            out[name] = given
    return out


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    env, rest = sys.argv[1], sys.argv[2:]
    given = parameters(env, os.environ)
    command = ["sam", "deploy", "--config-env", env]
    if given:
        command += ["--parameter-overrides", *(f"{k}={v}" for k, v in given.items())]
    command += rest
    print("+", shlex.join(command), file=sys.stderr)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
