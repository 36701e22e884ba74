"""template.yaml as CloudFormation receives it: for every parameter set of template_modes.py
(the defaults, owned mode, a restored table, every option on, `dev`, and `prod` exactly as
docs/operations.md's command and the deploy workflow give it), SAM's translation must be a graph that
CloudFormation can order (no cycle, nothing named that the set does not create), pass cfn-lint
without an error, and give gradual deploys alarms that exist and can fire in time.

cfn-lint and `sam validate` read the template before SAM's translation, and cfn-lint's cycle
rule skips SAM's resources: a cycle through the aliases, deployment groups and alarms SAM makes
is invisible to both. This reads what SAM makes.

Run by the test command: python3 -m unittest -v test_template_modes (in scripts/).
"""

import json
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import deploy
import template_modes

ROOT = Path(__file__).resolve().parent.parent
PSEUDO = {
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "project-session",
    "AWS::StackId": "stack-id",
    "AWS::NotificationARNs": "",
    "AWS::NoValue": "",
}
SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")
# What CloudFormation orders resources by: everything a resource says but its type, its own
# condition and its deletion policies (Metadata is not evaluated).
NOT_DEPENDENCIES = {"Type", "Condition", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"}


def names_in(node) -> set:
    """Every logical name `node` refers to: Ref, Fn::GetAtt, Fn::Sub's ${...} (not ${!...},
    nor its own variables), DependsOn."""
    found = set()
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add((item.split(".")[0] if isinstance(item, str) else item[0]))
            elif key == "Fn::Sub":
                text, variables = (item, {}) if isinstance(item, str) else (item[0], item[1])
                found |= {m.split(".")[0] for m in SUB_NAME.findall(text)} - set(variables)
                found |= names_in(variables)
            elif key == "DependsOn":
                found |= {item} if isinstance(item, str) else set(item)
            else:
                found |= names_in(item)
    elif isinstance(node, list):
        for item in node:
            found |= names_in(item)
    return found


class Stack:
    """A translated template with its conditions decided: what CloudFormation creates, and
    what each of those resources waits for."""

    def __init__(self, template: dict):
        self.template = template
        params = {n: str(p.get("Default", "")) for n, p in template.get("Parameters", {}).items()}
        self.parameters = {**PSEUDO, **params}
        conditions = template.get("Conditions", {})
        self.truth = {n: template_modes.evaluate(c, self.parameters, conditions) for n, c in conditions.items()}
        all_resources = template["Resources"]
        self.resources = {
            name: template_modes.resolve(r, self.truth)
            for name, r in all_resources.items()
            if "Condition" not in r or self.truth[r["Condition"]]
        }
        self.missing = {}
        self.edges = {}
        for name, r in self.resources.items():
            named = names_in({k: v for k, v in r.items() if k not in NOT_DEPENDENCIES})
            self.edges[name] = {n for n in named if n in self.resources}
            unknown = named - set(self.resources) - set(self.parameters)
            if unknown:
                self.missing[name] = unknown
        outputs = template_modes.resolve(template.get("Outputs", {}), self.truth)
        unknown = names_in(outputs) - set(self.resources) - set(self.parameters)
        if unknown:
            self.missing["Outputs"] = unknown

    def of_type(self, kind: str) -> dict:
        return {n: r for n, r in self.resources.items() if r["Type"] == kind}

    def cycles(self) -> list:
        """Each strongly connected group of two or more resources (or one that waits for
        itself), by Tarjan's algorithm."""
        index, low, stack, on_stack, out = {}, {}, [], set(), []

        def visit(v):
            index[v] = low[v] = len(index)
            stack.append(v)
            on_stack.add(v)
            for w in sorted(self.edges[v]):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1 or v in self.edges[v]:
                    out.append(sorted(group))

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 10 * len(self.edges) + 100))
        try:
            for v in sorted(self.edges):
                if v not in index:
                    visit(v)
        finally:
            sys.setrecursionlimit(limit)
        return out


def shortest_bake_seconds(template: dict) -> int:
    """How long the quickest gradual DeploymentStrategy the template offers keeps a new version
    under watch: a canary's wait, or a linear shift's steps times their interval."""
    times = []
    for name in template["Parameters"]["DeploymentStrategy"]["AllowedValues"]:
        if m := re.fullmatch(r"Canary(\d+)Percent(\d+)Minutes?", name):
            times.append(int(m[2]) * 60)
        elif m := re.fullmatch(r"Linear(\d+)PercentEvery(\d+)Minutes?", name):
            times.append(100 // int(m[1]) * int(m[2]) * 60)
    return min(times)


class TranslatedTemplates(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        out = Path(cls.dir.name)
        source = template_modes.load()
        cls.source = source
        cls.sets = template_modes.all_sets()
        cls.translated = {}
        for name, overrides in cls.sets.items():
            translated = template_modes.translate(template_modes.for_set(source, overrides))
            (out / f"translated-{name}.json").write_text(json.dumps(translated, indent=2))
            cls.translated[name] = translated
        cls.stacks = {name: Stack(t) for name, t in cls.translated.items()}

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_every_set_is_checked_including_dev_and_prod_as_they_deploy(self):
        self.assertLessEqual({"defaults", "owned", "restored-table", "all-on", "dev", "prod"}, set(self.sets))
        self.assertEqual(self.sets["prod"]["Stage"], "prod")
        self.assertNotEqual(self.sets["prod"]["DeploymentStrategy"], "AllAtOnce")
        self.assertIn("AllowedOrigins", self.sets["prod"])

    def test_every_set_translates_to_a_graph_without_a_cycle(self):
        for name, stack in self.stacks.items():
            with self.subTest(set=name):
                self.assertGreater(len(stack.resources), 20)
                self.assertEqual(stack.cycles(), [], f"{name}: CloudFormation refuses a circular dependency")

    def test_every_set_names_only_resources_it_creates(self):
        for name, stack in self.stacks.items():
            with self.subTest(set=name):
                self.assertEqual(stack.missing, {}, f"{name}: refers to resources it does not create")

    def test_cfn_lint_finds_no_error_in_any_translation(self):
        paths = sorted(str(p) for p in Path(self.dir.name).glob("translated-*.json"))
        self.assertEqual(len(paths), len(self.sets))
        run = subprocess.run(
            ["cfn-lint", "--format", "parseable", "--", *paths], capture_output=True, text=True
        )
        # path:line:column:end-line:end-column:rule:message; warnings (W) are SAM's own style.
        errors = [line for line in run.stdout.splitlines() if re.match(r"[^:]+(:\d+){4}:E", line)]
        self.assertEqual(errors, [])
        self.assertNotIn(run.returncode & ~(4 | 8), (1, 2, 3), run.stderr[-2000:])

    def test_every_alarm_a_deployment_preference_names_exists_and_watches_only_its_function(self):
        for name, stack in self.stacks.items():
            gradual = self.sets[name].get("DeploymentStrategy", "AllAtOnce") != "AllAtOnce"
            alarms = stack.of_type("AWS::CloudWatch::Alarm")
            functions = stack.of_type("AWS::Lambda::Function")
            groups = stack.of_type("AWS::CodeDeploy::DeploymentGroup")
            with self.subTest(set=name):
                self.assertEqual(len(groups), len(functions))
                for group_name, group in groups.items():
                    function = group_name.removesuffix("DeploymentGroup")
                    self.assertIn(function, functions)
                    config = group["Properties"].get("AlarmConfiguration", {})
                    named = [a["Name"]["Ref"] for a in config.get("Alarms", [])]
                    if gradual:
                        self.assertEqual(len(named), 3, f"{group_name}: errors, 5xx and duration")
                        self.assertTrue(config.get("Enabled"))
                    for alarm in named:
                        self.assertIn(alarm, alarms, f"{group_name} names {alarm}")
                        self.assertLessEqual(stack.edges[alarm], {function}, f"{alarm} watches {function} alone")

    def test_guard_alarms_can_fire_inside_the_shortest_bake(self):
        bake = shortest_bake_seconds(self.source)
        self.assertEqual(bake, 300)
        stack = self.stacks["all-on"]
        named = {
            a["Name"]["Ref"]
            for g in stack.of_type("AWS::CodeDeploy::DeploymentGroup").values()
            for a in g["Properties"]["AlarmConfiguration"]["Alarms"]
        }
        self.assertEqual(len(named), 3 * len(stack.of_type("AWS::Lambda::Function")))
        for alarm in sorted(named):
            p = stack.resources[alarm]["Properties"]
            breaching = p.get("DatapointsToAlarm", p["EvaluationPeriods"])
            # Lambda's metrics reach CloudWatch within about a minute.
            with self.subTest(alarm=alarm):
                self.assertLessEqual(p["Period"] * breaching + 60, bake)

    def test_a_change_of_tracing_alone_publishes_a_new_version_of_every_function(self):
        def versions(name):
            return {
                n.split("Version")[0]: n
                for n in self.stacks[name].of_type("AWS::Lambda::Version")
            }

        plain, traced = versions("defaults"), versions("tracing-active")
        self.assertEqual(set(plain), set(traced))
        self.assertGreaterEqual(len(plain), 5)
        for function in plain:
            self.assertNotEqual(plain[function], traced[function], function)
        self.assertEqual(self.sets["tracing-active"], {"Tracing": "Active"})

    def test_only_active_tracing_gives_a_role_the_x_ray_write_policy(self):
        for name, stack in self.stacks.items():
            active = self.sets[name].get("Tracing") == "Active"
            for role_name, role in stack.of_type("AWS::IAM::Role").items():
                if role_name.endswith("FunctionRole"):
                    arns = json.dumps(role["Properties"].get("ManagedPolicyArns", []))
                    with self.subTest(set=name, role=role_name):
                        self.assertEqual("AWSXrayWriteOnlyAccess" in arns, active)

    def test_an_empty_alarm_email_leaves_the_parameter_and_the_topic_out(self):
        given = deploy.parameters("prod", {"ALLOWED_ORIGINS": "https://a.example", "ALARM_EMAIL": " "})
        self.assertNotIn("AlarmEmail", given)
        self.assertEqual(given["AllowedOrigins"], "https://a.example")
        self.assertFalse(self.stacks["prod-without-alarm-email"].of_type("AWS::SNS::Topic"))
        self.assertTrue(self.stacks["prod"].of_type("AWS::SNS::Topic"))

    def test_origins_with_spaces_reach_sam_as_one_comma_separated_value(self):
        given = deploy.parameters("prod", {"ALLOWED_ORIGINS": " https://a.example, https://b.example,"})
        self.assertEqual(given["AllowedOrigins"], "https://a.example,https://b.example")

    def test_the_docs_and_the_workflow_deploy_prod_through_deploy_py(self):
        env = template_modes.documented_deploy_environment("prod")
        self.assertEqual(set(env), set(deploy.FROM_ENVIRONMENT))
        self.assertEqual(self.sets["prod"], deploy.parameters("prod", env))
        workflow = (ROOT / ".github/workflows/deploy.yml").read_text()
        self.assertIn("./scripts/deploy.py prod", workflow)

    def test_the_dashboard_is_json_naming_every_function(self):
        stack = self.stacks["all-on"]
        (dashboard,) = stack.of_type("AWS::CloudWatch::Dashboard").values()
        text, variables = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
        for key, value in variables.items():
            inner = value["Fn::Sub"] if isinstance(value, dict) and "Fn::Sub" in value else value
            text = text.replace("${%s}" % key, inner if isinstance(inner, str) else "x")
        body = json.loads(SUB_NAME.sub("x", text))
        self.assertTrue(body["widgets"])
        named = set(SUB_NAME.findall(json.dumps(dashboard)))
        for function in stack.of_type("AWS::Lambda::Function"):
            self.assertIn(function, named)


class TheGraphCheck(unittest.TestCase):
    """The checker itself finds what CloudFormation refuses."""

    def stack(self, resources, conditions=None):
        return Stack({"Parameters": {"P": {"Type": "String", "Default": "a"}}, "Conditions": conditions or {}, "Resources": resources})

    def test_it_finds_a_cycle_through_ref_getatt_sub_dependson_and_updatepolicy(self):
        links = {
            "Ref": lambda to: {"Properties": {"X": {"Ref": to}}},
            "GetAtt": lambda to: {"Properties": {"X": {"Fn::GetAtt": [to, "Arn"]}}},
            "GetAtt string": lambda to: {"Properties": {"X": {"Fn::GetAtt": f"{to}.Arn"}}},
            "Sub": lambda to: {"Properties": {"X": {"Fn::Sub": "arn:${%s.Arn}/x" % to}}},
            "DependsOn": lambda to: {"DependsOn": [to]},
            "UpdatePolicy": lambda to: {"UpdatePolicy": {"U": {"Name": {"Ref": to}}}},
        }
        for kind, link in links.items():
            with self.subTest(kind=kind):
                a = {"Type": "T", **link("B")}
                b = {"Type": "T", "Properties": {"Y": {"Ref": "A"}}}
                self.assertEqual(self.stack({"A": a, "B": b}).cycles(), [["A", "B"]])
                b = {"Type": "T", "Properties": {"Y": {"Ref": "P"}}}
                self.assertEqual(self.stack({"A": a, "B": b}).cycles(), [])

    def test_it_ignores_escaped_sub_names_and_sub_variables(self):
        a = {"Type": "T", "Properties": {"X": {"Fn::Sub": ["${!B} ${B}", {"B": "literal"}]}}}
        b = {"Type": "T", "Properties": {"Y": {"Ref": "A"}}}
        self.assertEqual(self.stack({"A": a, "B": b}).cycles(), [])

    def test_it_decides_conditions_first(self):
        conditions = {"On": {"Fn::Equals": [{"Ref": "P"}, "b"]}}
        a = {"Type": "T", "Properties": {"X": {"Fn::If": ["On", {"Ref": "B"}, "none"]}}}
        b = {"Type": "T", "Properties": {"Y": {"Ref": "A"}}}
        self.assertEqual(self.stack({"A": a, "B": b}, conditions).cycles(), [])
        conditions = {"On": {"Fn::Equals": [{"Ref": "P"}, "a"]}}
        self.assertEqual(self.stack({"A": a, "B": b}, conditions).cycles(), [["A", "B"]])
        # A resource whose condition fails is not created: naming it is an error.
        b["Condition"] = "Off"
        stack = self.stack({"A": a, "B": b}, {**conditions, "Off": {"Fn::Not": [{"Condition": "On"}]}})
        self.assertEqual(stack.missing, {"A": {"B"}})


if __name__ == "__main__":
    unittest.main()
