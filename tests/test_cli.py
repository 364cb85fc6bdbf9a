"""The CLI in-process with click's CliRunner; failures show the command's output."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest
import yaml

from exportkg.graph.cli.main import main


@pytest.mark.parametrize("command", [[], ["build"], ["query"], ["queries"], ["summary"]])
def test_help(runner, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_queries_lists_the_catalog(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["queries"])
    assert result.exit_code == 0, result.output
    assert "nato-outside-tier1" in result.output and "regime=ifr-jan2025" in result.output


def test_query_formats(runner, built) -> None:  # type: ignore[no-untyped-def]
    home = ["--home", str(built.home)]
    csv_out = runner.invoke(main, [*home, "query", "tier-differences", "--format", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.output.splitlines()[0] == "code,country,tierA,tierB"
    tsv_out = runner.invoke(main, [*home, "query", "tier-differences", "--format", "tsv"])
    assert tsv_out.output.splitlines()[0] == "code\tcountry\ttierA\ttierB"
    js = runner.invoke(main, [*home, "query", "tier-differences", "--format", "json"])
    data = json.loads(js.output)
    assert {b["code"]["value"] for b in data["results"]["bindings"]} == {"CH", "CY", "NI", "PL"}
    table = runner.invoke(main, [*home, "query", "regime-tiers", "--param", "regime=draft-dec2024"])
    assert table.exit_code == 0 and "Switzerland" in table.output
    ledger = runner.invoke(main, [*home, "query", "tier2-ledger"]).output  # H100e: two decimals at most
    assert re.search(r"\b\d{1,3}(,\d{3})*(\.\d{1,2})? ", ledger) and not re.search(r"\.\d{3,}", ledger), ledger
    models = runner.invoke(main, [*home, "query", "closed-models-above"]).output  # FLOP: exponent notation
    assert re.search(r"\d\.\d{1,2}e\+2\d", models) and "0000000" not in models, models


def test_inline_and_file_queries(runner, built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = ["--home", str(built.home)]
    inline = runner.invoke(main, [*home, "query", "--sparql",
                                  "ASK { ?s a <https://w3id.org/exportkg/ontology#Country> }"])
    assert inline.exit_code == 0, inline.output
    assert inline.output.strip() == "true"
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a <https://w3id.org/exportkg/ontology#Regime> "
                    "FILTER (!CONTAINS(STR(?s), '/regime/law-')) }")
    from_file = runner.invoke(main, [*home, "query", "--file", str(path), "--format", "csv"])
    versions = [r for r in yaml.safe_load((built.data_dir / "regimes.yaml").read_text(encoding="utf-8"))
                if r.get("kind") != "reference_threshold"]
    assert from_file.output.splitlines()[1] == str(len(versions)) and len(versions) > 10


def test_query_errors_are_messages_not_tracebacks(runner, built) -> None:  # type: ignore[no-untyped-def]
    home = ["--home", str(built.home)]
    bad_param = runner.invoke(main, [*home, "query", "regime-tiers", "--param", "regime=Not An Id"])
    assert bad_param.exit_code != 0 and "not a valid regime" in bad_param.output
    absent = runner.invoke(main, [*home, "query", "regime-tiers", "--param", "regime=bogus"])
    assert absent.exit_code != 0 and "parameter regime: no regime 'bogus' in the graph" in absent.output
    unknown = runner.invoke(main, [*home, "query", "no-such-query"])
    assert unknown.exit_code != 0 and "no named query" in unknown.output
    syntax = runner.invoke(main, [*home, "query", "--sparql", "SELEC nothing"])
    assert syntax.exit_code != 0 and "syntax" in syntax.output.lower()


def test_query_without_a_store_says_build_first(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["--home", str(tmp_path), "query", "regimes"])
    assert result.exit_code != 0 and "exportkg build" in result.output


@pytest.mark.slow
def test_build_prints_summary(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["--home", str(tmp_path), "build"], env={"EXPORTKG_REASON_REGIMES": "ifr-jan2025"})
    assert result.exit_code == 0, result.output
    assert "graph/facts" in result.output and "ekg:Country" in result.output
    assert "Epoch AI" in result.output


def test_a_busy_port_is_one_line_not_a_traceback(built) -> None:  # type: ignore[no-untyped-def]
    """A real `exportkg serve` on a port another socket holds: it says so in one line and exits non-zero,
    without first claiming to serve."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "exportkg.graph.cli", "--home", str(built.home), "serve",
                               "--host", "127.0.0.1", "--port", str(port)], capture_output=True, text=True,
                              timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in output and "--port" in output, output
    assert "Traceback" not in output and "serving at" not in output, output
