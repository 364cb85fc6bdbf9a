"""The JSON API over real HTTP (a running `exportkg serve`): determinations, the named queries, and the
OpenAPI document, which the running API is checked against."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.queries.catalog import load_catalog

SG_SUBSIDIARY = {"party": "alibaba-cloud-sg", "item": "nvidia-h100-sxm", "destination": "SG",
                 "regime": "ifr-jan2025"}


def call(url: str, body: object | None = None) -> tuple[int, Any]:
    """(status, parsed JSON) of a GET, or of a POST when a body is given."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.load(exc)


def get(base: str, path: str, **params: str) -> tuple[int, Any]:
    return call(f"{base}{path}?{urllib.parse.urlencode(params)}" if params else f"{base}{path}")


def test_healthz(live_server: str) -> None:
    assert get(live_server, "/healthz") == (200, {"status": "ok"})


def test_singapore_subsidiary_of_a_chinese_group_is_presumed_denied(live_server: str) -> None:
    status, body = get(live_server, "/api/determine", **SG_SUBSIDIARY)
    assert status == 200
    assert body["license_required"] is True and body["review_policy"] == "presumption_of_denial"
    assert body["party"].endswith("/org/alibaba-cloud-sg") and body["exceptions"] == []
    hq = [r for r in body["reasons"] if r["rule"] == "hq-d5m"]
    assert hq and "Alibaba Group" in hq[0]["because"] and hq[0]["citation"]


def test_same_json_as_the_cli(live_server: str, built: Settings, runner: CliRunner) -> None:
    args = {"party": "microsoft", "item": "nvidia-h100-sxm", "destination": "PL", "on": "2025-06-01"}
    cli = runner.invoke(main, ["--home", str(built.home), "determine", "--format", "json",
                               *[x for k, v in args.items() for x in (f"--{k}", v)]])
    assert cli.exit_code == 0, cli.output
    assert get(live_server, "/api/determine", **args) == (200, json.loads(cli.output))
    assert call(f"{live_server}/api/determine", args) == (200, json.loads(cli.output))


@pytest.mark.parametrize(("params", "says"), [
    ({"item": "3A090.a"}, "party"),
    ({"party": "alibaba-cloud-sg"}, "item"),
    ({**SG_SUBSIDIARY, "on": "2025-01-01"}, "not both"),
    ({"party": "alibaba-cloud-sg", "item": "3A090.a", "on": "June"}, "not an ISO date"),
    ({"party": "alibaba-cloud-sg", "item": "3A090.a", "regime": "no-such-rule"}, "unknown regime"),
    ({"party": "alibaba-cloud-sg", "item": "no-such-chip"}, "unknown item"),
    ({"party": "alibaba-cloud-sg", "item": "3A090.a", "destination": "XX"}, "unknown destination"),
    ({**SG_SUBSIDIARY, "colour": "red"}, "unknown parameter"),
])
def test_bad_input_is_a_400_saying_what_is_wrong(live_server: str, params: dict[str, str], says: str) -> None:
    status, body = get(live_server, "/api/determine", **params)
    assert status == 400 and says in body["error"]


def test_an_unknown_party_is_a_404(live_server: str) -> None:
    status, body = get(live_server, "/api/determine", party="no-such-party", item="3A090.a")
    assert status == 404 and "no-such-party" in body["error"]


def test_a_post_body_must_be_an_object_of_strings(live_server: str) -> None:
    assert call(f"{live_server}/api/determine", ["alibaba-cloud-sg"])[0] == 400
    assert call(f"{live_server}/api/determine", {"party": 1, "item": "3A090.a"})[0] == 400


def test_query_catalog_and_a_named_query(live_server: str) -> None:
    status, body = get(live_server, "/api/queries")
    assert status == 200
    assert {q["name"] for q in body["queries"]} == set(load_catalog(Settings().queries_dir))
    status, body = get(live_server, "/api/queries/tier-differences", a="draft-dec2024", b="ifr-jan2025")
    assert status == 200
    assert {b["code"]["value"] for b in body["results"]["bindings"]} == {"CH", "CY", "NI", "PL"}
    assert get(live_server, "/api/queries/tier-differences", a="Not A Regime")[0] == 400
    status, body = get(live_server, "/api/queries/regime-tiers", regime="bogus")
    assert status == 400 and "no regime 'bogus'" in body["error"], body
    assert get(live_server, "/api/queries/tier-differences", colour="red")[0] == 400
    assert get(live_server, "/api/queries/no-such-query")[0] == 404


# -- the OpenAPI document, and the running API against it -----------------------------------------


@pytest.fixture(scope="module")
def spec(live_server: str) -> dict[str, Any]:
    status, document = get(live_server, "/api/openapi.json")
    assert status == 200
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["get"]) for path, item in document["paths"].items() if "get" in item]


def check_body(document: dict[str, Any], operation: dict[str, Any], status: int, body: object) -> None:
    """The body matches the JSON schema the document gives for this answer."""
    schema = operation["responses"][str(status)]["content"]["application/json"].get("schema")
    if schema:
        Draft202012Validator({**schema, "components": document["components"]}).validate(body)


def example_url(base: str, path: str, operation: dict[str, Any], leave_out: str | None = None) -> str:
    params = operation.get("parameters", [])
    for p in params:
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", p["example"])
    query = {p["name"]: p["example"] for p in params if p["in"] == "query" and p["name"] != leave_out
             and (p["required"] or p["name"] != "on")}  # `on` and `regime` exclude each other
    return f"{base}{path}?{urllib.parse.urlencode(query)}"


def test_every_documented_path_answers_as_documented(live_server: str, spec: dict[str, Any]) -> None:
    assert set(spec["paths"]) >= {"/api/determine", "/api/queries", "/api/queries/{name}", "/api/impact",
                                  "/api/openapi.json"}
    for path, operation in operations(spec):
        status, body = call(example_url(live_server, path, operation))
        assert status == 200, path
        check_body(spec, operation, status, body)


def test_required_parameters_are_enforced(live_server: str, spec: dict[str, Any]) -> None:
    for path, operation in operations(spec):
        for param in operation.get("parameters", []):
            if param["in"] == "query" and param["required"]:
                status, body = call(example_url(live_server, path, operation, leave_out=param["name"]))
                assert status == 400 and param["name"] in body["error"], (path, param["name"])
                check_body(spec, operation, status, body)


def test_post_determine_matches_its_request_schema(live_server: str, spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/api/determine"]["post"]
    request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    Draft202012Validator(request_schema).validate(SG_SUBSIDIARY)
    status, body = call(f"{live_server}/api/determine", SG_SUBSIDIARY)
    assert status == 200
    check_body(spec, operation, status, body)
    status, body = call(f"{live_server}/api/determine", {"party": "no-such-party", "item": "3A090.a"})
    assert status == 404
    check_body(spec, operation, status, body)
