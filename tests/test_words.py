"""Answers in words: no output of a command or a page shows an internal flag code, Python's `None` or a
float with a long tail of digits (exponent notation is for FLOP-sized values only)."""

from __future__ import annotations

import html
import re

import pytest

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.queries.catalog import load_catalog

from helpers import http

#: a headquarters flag code, Python's None, a float printed with 5+ decimals, or an exponent on a
#: value small enough to write out (below 1e15). Rule ids (`hq-d5m`) and IRIs are names, not codes.
UNREADABLE = re.compile(r"(?<![\w/-])(d5m|t1one)(?![\w-])|\bNone\b|\d\.\d{5,}|\b\d(\.\d+)?e[+-]?(0\d|1[0-4])\b")
#: not swept: the ontology page documents the flag codes as the values researchers query by, and the
#: impact-determinations query returns them as its key column (the impact report spells them out)
RAW_VALUES = {"impact-determinations"}
PAGES = ["/", "/search?q=alibaba", "/id/org/alibaba-cloud-sg", "/id/country/PL",
         "/id/regime/ifr-jan2025", "/impact?base=draft-dec2024&against=ifr-jan2025",
         "/graph?entity=alibaba-cloud-sg", "/map?regime=ifr-jan2025", "/map?base=draft-dec2024&against=ifr-jan2025"]


def unreadable(text: str) -> list[str]:
    return [m.group(0) for m in UNREADABLE.finditer(text)]


def commands() -> list[list[str]]:
    named = [["query", name] for name in sorted(load_catalog(Settings().queries_dir)) if name not in RAW_VALUES]
    return [["summary"], *named,
            ["determine", "--party", "alibaba-cloud-sg", "--item", "3A090.a", "--on", "2025-06-01"],
            ["determine", "--party", "tiktok-pte-ltd", "--item", "nvidia-h100-sxm", "--regime", "ifr-jan2025"],
            ["impact", "--base", "draft-dec2024", "--against", "ifr-jan2025"],
            ["impact", "--base", "draft-dec2024", "--against", "ifr-jan2025", "--format", "csv"],
            ["impact", "--timeline", "tiktok-pte-ltd"], ["impact", "--timeline", "PL"]]


@pytest.mark.parametrize("args", commands(), ids=lambda a: " ".join(a[:2]))
def test_command_output_is_in_words(built: Settings, runner, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["--home", str(built.home), *args])
    assert result.exit_code == 0, result.output
    assert not unreadable(result.output), unreadable(result.output)[:5]


def test_pages_are_in_words(live_server: str) -> None:
    for path in PAGES:
        reply = http(live_server, path=path.split("?")[0],
                     params=[tuple(p.split("=", 1)) for p in path.split("?")[1].split("&")] if "?" in path else None,
                     headers={"Accept": "text/html"}, timeout=120)
        assert reply.status == 200, path
        shown = html.unescape(re.sub(r"<script\b.*?</script>|<[^>]+>", " ", reply.text, flags=re.S))
        assert not unreadable(shown), (path, unreadable(shown)[:5])


def test_the_control_chain_names_each_headquarters(built: Settings, runner) -> None:  # type: ignore[no-untyped-def]
    """A chain link reads `headquartered in China (CN)`, not the bare code of a country the question
    did not name."""
    result = runner.invoke(main, ["--home", str(built.home), "determine", "--party", "alibaba-cloud-sg",
                                  "--item", "3A090.a", "--regime", "ifr-jan2025"])
    assert result.exit_code == 0, result.output
    assert "Control chain:" in result.output and "headquartered in China (CN)" in result.output
    assert not re.search(r"headquartered in [A-Z]{2}\b", result.output), result.output
