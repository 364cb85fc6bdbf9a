"""The rule files and the engine: headers complete, one stratified pass reaches the fixpoint."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDFS, Graph

from exportkg.graph import namespaces as ns
from exportkg.graph.build.pipeline import load_all, named_graphs, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.reasoning.engine import plan_steps, run_rules
from exportkg.graph.reasoning.partition import Partition, _results, by_regime
from exportkg.graph.reasoning.rules import (
    COMMON,
    RuleStep,
    as_construct,
    as_update,
    body_query,
    is_global,
    rules,
    strata,
)
from exportkg.graph.store.embedded import KnowledgeStore

RULES = rules(Settings())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_header(rule) -> None:  # type: ignore[no-untyped-def]
    for key in ("name", "title", "description", "citation", "confidence", "regimes"):
        assert rule.meta.get(key), f"{rule.path.name}: header lacks {key}"
    assert rule.meta["confidence"] in {"P", "S", "U", "C", "D"}
    assert rule.path.name[:2].isdigit(), "rule files start with their stratum number"
    assert "INSERT" in rule.text and "\nWHERE" in rule.text


def test_rule_ids_are_unique() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def test_documented_rule_ids_exist() -> None:
    readme = (Settings().queries_dir / "rules" / "README.md").read_text(encoding="utf-8")
    for name in ("hq-d5m", "destination", "tiers-2025", "aia", "lpp", "veu", "acm", "h200",
                 "model-weights", "draft-2024"):
        assert f"`{name}`" in readme
        assert name in {r.name for r in RULES}


def checked(regimes: dict[str, object]) -> set[str]:
    """The regimes a second pass is run for: every named version, and the first and last of the law at
    a date (law-YYYY-MM-DD: the same versions' rules on other days; all eight add half a minute to CI)."""
    dated = sorted(r for r in regimes if r.startswith("law-"))
    return {r for r in regimes if not r.startswith("law-")} | set(dated[:1] + dated[-1:])


def second_pass_adds(kg: KnowledgeStore, settings: Settings) -> dict[str, int]:
    """What one more pass of every rule over a built store would add, graph by graph, without
    writing to it: the global rules' CONSTRUCTs checked against the store, each regime's steps run
    on a store of its own seeded with its first-pass graph, as a build runs them (partition.py)."""
    shared, regimes = by_regime(plan_steps(kg, settings))
    added: dict[str, int] = {}
    for step in shared:
        derived = kg.ox.query(step.construct(), use_default_graph_as_union=True)
        target = ox.NamedNode(step.target)
        new = sum(1 for t in derived if ox.Quad(t.subject, t.predicate, t.object, target) not in kg.ox)
        added[str(step.target)] = added.get(str(step.target), 0) + new
    common = ns.inferred_graph(COMMON)
    base = kg.dump_graphs(g for g in kg.graph_names() if "/inferred/" not in str(g) or g == common)
    parts = [Partition(base, kg.dump_graphs([s[0].target]), tuple(x.construct() for x in s), str(s[0].target))
             for rid, s in regimes.items() if rid in checked(regimes)]
    for part, (data, _timings) in zip(parts, _results(parts, settings.reasoner_threads), strict=True):
        added[part.target] = data.count(b"\n") - part.prior.count(b"\n")
    return added


@pytest.mark.slow
def test_one_pass_is_the_fixpoint(built: Settings, store: KnowledgeStore) -> None:
    """Rules read only what earlier strata wrote: a second pass over the built store infers nothing new."""
    sizes = {str(g): store.graph_size(g) for g in store.graph_names() if "/inferred/" in str(g)}
    assert sum(sizes.values()) > 100_000 and len(sizes) > 20
    added = second_pass_adds(store, built)
    assert len(added) > 10 and set(added) <= set(sizes)
    assert added == dict.fromkeys(added, 0)
    step = plan_steps(store, built)[-1]
    assert "CONSTRUCT" in as_construct(step.rule, step.regime)
    assert "USING <" in as_update(step.rule, step.regime, store.graph_names())  # the portable form for remote stores
    assert int(next(iter(store.query(body_query(step.rule, step.regime))))[0]) > 0


EKG_NAME = re.compile(r"\bekg:([A-Za-z_]\w*)")


def _parts(rule) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A rule's INSERT template and its WHERE body (header comments dropped)."""
    text = re.sub(r"(?m)#.*$", "", rule.text)
    head, _, body = text.partition("\nWHERE")
    return head[head.index("INSERT"):], body


def _writes(rule, superclasses: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    template, _body = _parts(rule)
    names = set(EKG_NAME.findall(template))
    if re.search(r"\ba\s+\?", template):  # a type from a variable: any superclass (class-hierarchy)
        names |= superclasses
    return names


def _reads(rule) -> set[str]:  # type: ignore[no-untyped-def]
    return set(EKG_NAME.findall(_parts(rule)[1]))


@pytest.mark.slow
def test_steps_of_one_stratum_do_not_read_each_other() -> None:
    """The engine runs one stratum's steps at the same time: no rule may read a term that another
    rule of its stratum writes (a rule's own steps for other regimes write regime-keyed nodes)."""
    ontology = Graph().parse(Settings().ontology_file)
    superclasses = {str(o).rsplit("#", 1)[1] for o in ontology.objects(None, RDFS.subClassOf)
                    if str(o).startswith("https://w3id.org/exportkg/ontology#")}
    settings = Settings()
    store = KnowledgeStore.in_memory()
    for name, graph in named_graphs(load_all(settings), ontology_graph(settings)).items():
        store.load_graph(graph, name)
    layers = strata(plan_steps(store, settings))
    assert len(layers) < len(RULES), "some strata hold several rules"
    for layer in layers:
        rules_here = {step.rule.name: step.rule for step in layer}
        for a in rules_here.values():
            for b in rules_here.values():
                if a is not b:
                    clash = _writes(a, superclasses) & _reads(b)
                    assert not clash, f"{a.path.name} writes {sorted(clash)}, which {b.path.name} reads"
    store.close()


def test_global_rules_read_nothing_a_later_rule_writes() -> None:
    """An import updates the store stratum by stratum (reasoning/rederive.py): a global rule reading a
    term that a later stratum writes would see that term's triples from before the change (rule
    hq-profile-nodes once read the data centers' profiles, which a later stratum wrote)."""
    ontology = Graph().parse(Settings().ontology_file)
    superclasses = {str(o).rsplit("#", 1)[1] for o in ontology.objects(None, RDFS.subClassOf)
                    if str(o).startswith("https://w3id.org/exportkg/ontology#")}
    number = {rule.name: int(rule.path.name[:2]) for rule in RULES}
    for early in (r for r in RULES if is_global(r)):
        for late in (r for r in RULES if number[r.name] > number[early.name]):
            clash = _writes(late, superclasses) & _reads(early)
            assert not clash, f"{early.path.name} reads {sorted(clash)}, which {late.path.name} writes later"


@pytest.mark.slow
def test_partitioned_parallel_and_single_store_runs_infer_the_same(tmp_path: Path) -> None:
    """A regime's rules read no other regime's inferences, so running each regime on a store of its own
    (in worker processes or not) infers exactly what one pass over one store does - although each
    regime's store holds only what its rules can read (reasoning/reads.py): here not the GLEIF sample's
    organizations, whose profiles and parents the regimes still reach. The global steps run on threads,
    and rule ultimate-parent (`evaluation: projected`) on a store of its reads alone."""
    settings = Settings(home=tmp_path).with_(gleif_override=Path(__file__).parent / "data" / "gleif")
    ctx = load_all(settings)
    graphs = named_graphs(ctx, ontology_graph(settings))
    some = {"oct2023", "ifr-jan2025"}

    def inferred(workers: int, partitioned: bool) -> set[str]:
        store = KnowledgeStore.in_memory()
        if not partitioned:
            store.capabilities = replace(store.capabilities, quads=False)
        for name, graph in graphs.items():
            store.load_graph(graph, name)
        store.load_ntriples_file(ctx.bulk.path, ns.FACTS_GRAPH)  # type: ignore[union-attr]
        run_rules(store, settings.with_(reasoner_threads=workers), only=some)
        found = {str(q) for q in store.ox if "/inferred/" in str(q.graph_name)}
        store.close()
        return found

    ctx.bulk.close()  # type: ignore[union-attr]
    single = inferred(1, partitioned=False)
    assert len(single) > 100_000
    assert any("lei-" in quad for quad in single)  # the GLEIF parties have profiles
    # and ultimate parents, which the partitioned runs find on a store of the links alone (partition.py)
    assert any("lei-" in quad and "ultimateParent" in quad for quad in single)
    assert inferred(1, partitioned=True) == single
    assert inferred(2, partitioned=True) == single


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_says_what_its_inferences_are_keyed_by(rule) -> None:  # type: ignore[no-untyped-def]
    """A scenario recomputes only the keys its changes reach (graph/reasoning/reach.py): every regime rule says
    what its output is keyed by, and a rule keyed by country, profile or group can be focused on them."""
    if rule.meta["regimes"].strip() == "global":
        assert "reach" not in rule.meta, f"{rule.path.name}: global rules run whole"
        return
    reach = rule.meta.get("reach")
    assert reach in {"regime", "country", "profile", "group", "model"}, f"{rule.path.name}: reach {reach!r}"
    if reach in {"country", "profile", "group", "model"}:
        assert rule.focus_kinds == {reach}, f"{rule.path.name}: focus lines {rule.focus_kinds} for reach {reach}"
    else:
        assert not rule.focus_kinds, f"{rule.path.name}: a regime-wide rule runs whole"


@pytest.mark.slow
def test_a_focused_rule_infers_a_subset_of_its_whole_run() -> None:
    """Focusing only restricts: on the curated graph, the destination-keyed findings for two countries
    are exactly the whole run's findings with those destinations."""
    settings = Settings()
    store = KnowledgeStore.in_memory()
    for name, graph in named_graphs(load_all(settings), ontology_graph(settings)).items():
        store.load_graph(graph, name)
    run_rules(store, settings, only={"ifr-jan2025"})  # the regime whose step is focused below
    steps = {(step.rule.name, step.regime.id if step.regime else None): step
             for layer in strata(plan_steps(store, settings)) for step in layer}
    step = steps[("hq-d5m", "ifr-jan2025")]
    countries = ("https://w3id.org/exportkg/id/country/SG", "https://w3id.org/exportkg/id/country/MY")
    focused = {str(t) for t in store.ox.query(RuleStep(step.rule, step.regime, {"country": countries}).construct(),
                                              use_default_graph_as_union=True)}
    whole = {str(t) for t in store.ox.query(step.construct(), use_default_graph_as_union=True)}
    assert focused and focused < whole
    assert focused == {t for t in whole if "/SG/" in t.split(" ")[0] or "/MY/" in t.split(" ")[0]}
    store.close()


FOCUS = re.compile(r"^\s*# focus (\w+) \?(\w+)\s*$")
BARRIER = re.compile(r"^\s*(OPTIONAL|BIND|MINUS|FILTER NOT EXISTS|\{|SELECT)\b")


@pytest.mark.parametrize("rule", [r for r in RULES if r.focus_kinds], ids=lambda r: r.name)
def test_a_focus_line_comes_just_before_the_patterns_it_keys(rule) -> None:  # type: ignore[no-untyped-def]
    """Oxigraph evaluates an OPTIONAL, BIND or subquery between a focus's VALUES block and the patterns
    naming its variable without the keys: focused on one country, rule destination read every regime's
    determinations (0.47 s against 8 ms with the patterns first)."""
    lines = rule.text.splitlines()
    for number, line in enumerate(lines):
        match = FOCUS.match(line)
        if not match:
            continue
        var = re.compile(rf"\?{match.group(2)}\b")
        for later in (x for x in lines[number + 1:] if x.strip() and not x.strip().startswith("#")):
            if var.search(later) or later.strip().startswith("}"):  # named, or the group's end: a filter
                break
            assert not BARRIER.match(later), f"{rule.path.name}:{number + 1}: {later.strip()!r} comes first"


@pytest.mark.slow
def test_every_rule_derives_again_what_it_derived_in_its_pass() -> None:
    """Updates in place read what a rule derives on the published store as what it once wrote
    (reasoning/rederive.py, reach.complete): run again after the whole pass, every step derives all it
    derived in its turn (rule no-license once counted its own finding, written by then, and derived
    nothing the second time), and what else it derives is in its graph already (finding-status marks
    the no-license findings enforced, as no-license itself does)."""
    settings = Settings()
    store = KnowledgeStore.in_memory()
    for name, graph in named_graphs(load_all(settings), ontology_graph(settings)).items():
        store.load_graph(graph, name)
    steps = [s for layer in strata(plan_steps(store, settings, only={"ifr-jan2025", "law-2026-01-15"}))
             for s in layer]
    first = []
    for step in steps:
        first.append(store.derived(step.construct()))
        store.construct_into(step.construct(), step.target)
    assert sum(map(len, first)) > 50_000
    for step, derived in zip(steps, first, strict=True):
        regime = step.regime.id if step.regime else "global"
        again = store.derived(step.construct())
        assert derived <= again, f"{step.rule.name} ({regime}) lost {len(derived - again)} triples"
        graph = ox.NamedNode(step.target)
        assert all(ox.Quad(t.subject, t.predicate, t.object, graph) in store.ox for t in again - derived)
    # where another enforced finding has come since, no-license derives nothing for the determination,
    # so an update removes its old finding
    step = next(s for s in steps if s.rule.name == "no-license")
    finding = next(t.subject for t in first[steps.index(step)] if t.predicate.value.endswith("#findingOf"))
    determination = next(t.object for t in first[steps.index(step)]
                         if t.subject == finding and t.predicate.value.endswith("#findingOf"))
    other, graph = ox.NamedNode(f"{determination.value}/finding/test"), ox.NamedNode(step.target)
    ekg, integer = "https://w3id.org/exportkg/ontology#", ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    rule = ox.NamedNode(str(ns.ID["rule/destination"]))
    store.ox.extend([ox.Quad(other, ox.NamedNode(ekg + "findingOf"), determination, graph),
                     ox.Quad(other, ox.NamedNode(ekg + "enforcedPriority"), ox.Literal("50", datatype=integer), graph),
                     ox.Quad(other, ox.NamedNode(ekg + "firedRule"), rule, graph)])
    assert not any(t.subject == finding for t in store.derived(step.construct()))
    store.close()
