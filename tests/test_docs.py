"""Docs match code: every CLI command and named query is in the users' guide, every relative link of the
README and docs/ resolves, the README stays short, its example commands are ones the CLI accepts and
print what the README shows, its figures are the built graph's, and the console script runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.queries.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
README_FILE = ROOT / "README.md"
DOCS = ROOT / "docs"
README = README_FILE.read_text(encoding="utf-8")
GUIDE = (DOCS / "users-guide.md").read_text(encoding="utf-8")
DATA_SOURCES = (DOCS / "data-sources.md").read_text(encoding="utf-8")
#: a newcomer reads the README in five minutes; the rest belongs in docs/
README_LINE_BUDGET = 120
#: a line of pasted output standing for lines left out
ELIDED = "…"


def test_every_named_query_is_documented() -> None:
    missing = [n for n in load_catalog(Settings().queries_dir) if f"| {n} |" not in GUIDE]
    assert not missing, f"named queries missing from the table of docs/users-guide.md: {missing}"


def test_every_cli_command_is_documented() -> None:
    missing = [c for c in main.commands if f"exportkg {c}" not in GUIDE]
    assert not missing, f"commands missing from docs/users-guide.md: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[0:2] for line in first_block.strip().splitlines()] == [["make", "run"],
                                                                                  ["make", "test"]]


def test_the_readme_stays_within_its_line_budget() -> None:
    lines = len(README.splitlines())
    assert lines <= README_LINE_BUDGET, f"README.md: {lines} lines, budget {README_LINE_BUDGET}: move detail to docs/"


# --- links --------------------------------------------------------------------------------------------

DOC_FILES = [README_FILE, *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^()\s]+)\)")


def unfenced(text: str) -> str:
    """The text without fenced code blocks (where `#` starts a comment, not a heading)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def prose(text: str) -> str:
    """The text without code blocks or inline code, where brackets are not links."""
    return re.sub(r"`[^`\n]*`", "", unfenced(text))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as -."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", unfenced(path.read_text(encoding="utf-8")), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-") for heading in headings}


def test_the_docs_are_the_four_files_the_readme_promises() -> None:
    assert {p.name for p in DOCS.glob("*.md")} >= {"users-guide.md", "api.md", "data-sources.md", "internals.md"}


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(doc: Path) -> None:
    broken: list[str] = []
    for target in LINK.findall(prose(doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check offline
            continue
        file_part, _, anchor = target.partition("#")
        destination = (doc.parent / file_part).resolve() if file_part else doc
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert not broken, f"{doc.name}: {broken}"


def test_anchors_follow_githubs_rules() -> None:
    assert anchors(DOCS / "users-guide.md") >= {"listed-parties-the-bis-lists",
                                                 "rule-change-impact-scenarios-and-timelines"}
    assert "endpoint-benchmark-endpointpy" in anchors(ROOT / "bench" / "README.md")


def test_every_shipped_data_file_is_in_the_data_sources_page() -> None:
    """By name, in code (`file.csv` or `graph/data/dir/file.csv`)."""
    data_dir = Settings().data_dir
    files = [p for p in data_dir.rglob("*") if p.is_file() and p.suffix in (".csv", ".json", ".yaml")]
    missing = sorted(p.relative_to(data_dir).as_posix() for p in files
                     if not re.search(rf"`([^`\s]*/)?{re.escape(p.name)}`", DATA_SOURCES))
    assert not missing, f"data files not named in docs/data-sources.md: {missing}"


# --- the README's examples ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    command: str
    output: list[str]

    @property
    def args(self) -> list[str]:
        return shlex.split(self.command)[1:]


def readme_examples() -> list[Example]:
    """The README's ```console blocks: `$ exportkg ...` and the output pasted under it."""
    examples = []
    for block in re.findall(r"^```console\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL):
        first, *output = block.rstrip("\n").splitlines()
        assert first.startswith("$ exportkg "), first
        examples.append(Example(first[2:], [line.rstrip() for line in output]))
    return examples


EXAMPLES = readme_examples()


def check_pasted(pasted: list[str], actual: list[str]) -> None:
    """The pasted output up to its first `…` is how the output starts; each run of lines after a `…` comes
    later, in order; and unless it ends with `…`, the pasted output ends where the output ends."""
    actual = [line.rstrip() for line in actual]
    runs: list[list[str]] = [[]]
    for line in pasted:
        if line == ELIDED:
            runs.append([])
        else:
            runs[-1].append(line)
    head, *rest = runs
    assert actual[:len(head)] == head, f"the output starts differently:\n{chr(10).join(actual[:len(head) + 3])}"
    at = len(head)
    for run in rest:
        found = next((i for i in range(at, len(actual) - len(run) + 1) if actual[i:i + len(run)] == run), None)
        assert found is not None, f"not in the output after line {at}: {run}"
        at = found + len(run)
    if pasted and pasted[-1] != ELIDED:
        assert at == len(actual), f"the output goes on: {actual[at:at + 3]}"


def test_the_readme_has_five_examples_with_output() -> None:
    assert len(EXAMPLES) == 5 and all(example.output for example in EXAMPLES)


def test_the_paste_check_catches_a_wrong_paste() -> None:
    actual = ["a", "b", "c", "d"]
    check_pasted(["a", ELIDED, "c", "d"], actual)
    check_pasted(["a", "b", ELIDED], actual)
    for wrong in (["b", ELIDED], ["a", ELIDED, "d", "c"], ["a", "b"], ["a", ELIDED, "x"]):
        with pytest.raises(AssertionError):
            check_pasted(wrong, actual)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.args[0] + ":" + (e.args[1] if len(e.args) > 1 else ""))
def test_readme_example_is_a_command_the_cli_accepts(example: Example) -> None:
    """Parsed by click as `exportkg` would parse it (command names, options, choices), without running it."""
    context = click.Context(main, info_name="exportkg", obj=Settings())
    group: click.Group = main
    name, *rest = example.args
    while True:
        command = group.get_command(context, name)
        assert command is not None, f"{example.command}: no command {name!r}"
        if not isinstance(command, click.Group):
            break
        context = click.Context(command, info_name=name, parent=context)
        group, (name, *rest) = command, rest
    with command.make_context(name, list(rest), parent=context):
        pass


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.args[0] + ":" + (e.args[1] if len(e.args) > 1 else ""))
def test_readme_example_prints_what_the_readme_shows(built: Settings, example: Example) -> None:
    result = CliRunner().invoke(main, ["--home", str(built.home), *example.args])
    assert result.exit_code == 0, result.output
    check_pasted(example.output, result.output.splitlines())


def readme_figure(pattern: str) -> int:
    found = re.search(pattern, " ".join(README.split()))
    assert found, f"the README no longer says {pattern!r}"
    return int(found.group(1).replace(",", ""))


def test_the_readme_counts_the_named_queries() -> None:
    assert readme_figure(r"(\d+) named queries") == len(load_catalog(Settings().queries_dir))


def test_the_readme_figures_are_the_built_graphs(built: Settings) -> None:
    """The figures of the README's graph paragraph, against `exportkg summary` of a fresh build."""
    result = CliRunner().invoke(main, ["--home", str(built.home), "summary"])
    assert result.exit_code == 0, result.output
    summary = {parts[1]: int(parts[0]) for parts in (line.split() for line in result.output.splitlines())
               if len(parts) == 2 and parts[0].isdigit()}
    graphs = [name for name in summary if name.startswith("https://w3id.org/exportkg/graph/")]
    assert readme_figure(r"(\d[\d,]*) triples in") == summary["total"]
    assert readme_figure(r"triples in (\d+) named graphs") == len(graphs)
    for words, cls in [("countries", "Country"), ("organizations", "Organization"), ("data centers", "DataCenter"),
                       ("AI models", "AIModel"), ("screening-list entries", "ListEntry"), ("sources", "Source"),
                       ("license determinations", "LicenseDetermination")]:
        assert readme_figure(rf"(\d[\d,]*) {words}") == summary[f"ekg:{cls}"], words


# --- the console script and the prerequisites -----------------------------------------------------------

def test_console_script_entry_point_runs() -> None:
    script = Path(sys.executable).parent / "exportkg"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "build" in result.stdout and "query" in result.stdout


PREREQUISITES = ROOT / "tools" / "prerequisites"


def bare_path(tmp_path: Path, *commands: str) -> str:
    """A PATH holding only these commands (links to the real ones): a machine that lacks the rest."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in commands:
        (bin_dir / command).symlink_to(shutil.which(command))  # type: ignore[arg-type]
    return str(bin_dir)


def test_a_missing_prerequisite_stops_make_at_once_with_the_command_to_run(tmp_path: Path) -> None:
    """Without a package manager to install from, `tools/prerequisites` (run by `make run` and `make
    test`) names what is missing and exits non-zero; with everything present it says nothing."""
    path = bare_path(tmp_path, "bash", "id", "head")
    missing = subprocess.run(["bash", str(PREREQUISITES), "java", "chromium"], capture_output=True,
                             text=True, env={"PATH": path})
    assert missing.returncode == 1
    assert missing.stderr.startswith("missing: default-jre-headless chromium"), missing.stderr
    assert missing.stderr.count("\n") == 1
    python = subprocess.run(["bash", str(PREREQUISITES), "venv"], capture_output=True, text=True,
                            env={"PATH": path, "PYTHON": sys.executable})
    assert (python.returncode, python.stderr) == (0, "")
    old = subprocess.run(["bash", str(PREREQUISITES), "venv"], capture_output=True, text=True,
                         env={"PATH": path, "PYTHON": "/bin/false"})
    assert old.returncode == 1 and "needs Python 3.11 or newer" in old.stderr
