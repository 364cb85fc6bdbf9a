"""Synthetic facts for the reasoner benchmark: companies in ownership forests, data centers, models.

`generate(n_companies, seed, out)` streams N-Triples (one line per triple, no rdflib graph in memory) in
the exportkg vocabulary, so that the rules in queries/rules/*.rq see data shaped like the curated facts:

- companies in every ISO 3166-1 country (pycountry, as the graph loads them), skewed: about 30 % China
  and Hong Kong, 20 % the US, the rest spread (a few hubs heavier);
- ownership forests 1-5 levels deep, ~60 % of companies with a parent; each stake is an ekg:Ownership
  node (owner, owned, share, control basis); majority and stated control also give the direct
  `ekg:controlledBy` triple, a minority stake does not (as graph/loaders/companies.py does);
- headquarters mostly where the company is located; foreign subsidiaries are common (Chinese groups in
  SG, MY, AE, VN, ...), some headquartered with their group, some offshore holding companies (KY, BM);
- n/10 data centers owned by companies, with inventories of real chip ids and H100 equivalents;
- n/100 models with training compute 1e22..5e26 and open or closed weights.

Every subject has rdf:type, rdfs:label, dcterms:source <id/source/synthetic> and ekg:confidence
ekg:Dataset; the source node itself is emitted too. Deterministic for a seed.

CLI: `.venv/bin/python bench/synthetic.py 10000 --seed 1 --out /tmp/synthetic.nt`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from itertools import accumulate
from pathlib import Path

import pycountry

ID = "https://w3id.org/exportkg/id/"
EKG = "https://w3id.org/exportkg/ontology#"
SOURCE_ID = "synthetic"
SOURCE = f"<{ID}source/{SOURCE_ID}>"

A = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DCT_SOURCE = "<http://purl.org/dc/terms/source>"
DCT_TITLE = "<http://purl.org/dc/terms/title>"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _e(local: str) -> str:
    return f"<{EKG}{local}>"


CONFIDENCE = _e("confidence")
DATASET = _e("Dataset")
#: the four triples every fact node carries after its type and label
CITE = f" {DCT_SOURCE} {SOURCE} .\n", f" {CONFIDENCE} {DATASET} .\n"

#: (share of all companies, countries): the skew the issue asks for; the remainder is spread
SKEW = {"CN": 0.27, "HK": 0.06, "US": 0.23}  # at the roots: foreign subsidiaries dilute it
HUBS = {"GB": 3, "DE": 3, "JP": 3, "KR": 3, "TW": 3, "SG": 3, "IN": 3, "FR": 2, "CA": 2, "NL": 2,
        "IL": 2, "AE": 2, "SA": 2, "MY": 2, "VN": 1, "IE": 1, "CH": 1, "SE": 1, "AU": 1}
HUB_SHARE = 0.25
#: where Chinese groups put foreign subsidiaries, and where offshore holding companies sit
CN_ABROAD = {"SG": 6, "MY": 5, "AE": 4, "VN": 4, "TH": 3, "ID": 3, "KZ": 2, "SA": 2, "HK": 4, "MO": 1,
             "PK": 1, "BR": 1, "MX": 1, "HU": 1, "RS": 1, "EG": 1, "NG": 1, "KE": 1, "LA": 1, "KH": 1}
OFFSHORE = ["KY", "BM", "VG"]
CHINA = {"CN", "HK", "MO"}

#: depth of a subsidiary below its root (1..5) and how control is held
LEVEL_WEIGHTS = [45, 27, 15, 8, 5]
PARENT_SHARE = 0.6
CONTROL_WEIGHTS = [("majority", 65), ("stated", 15), ("minority", 20)]

#: real chip ids from graph/data/chips.csv, weighted, with H100 equivalents per chip
CHIPS_CN = {"nvidia-h20": 30, "huawei-ascend-910b": 25, "huawei-ascend-910c": 10, "nvidia-h800-sxm": 10,
            "nvidia-a800-sxm": 10, "nvidia-a100-sxm": 5, "nvidia-h100-sxm": 5, "nvidia-rtx-4090": 5}
CHIPS_OTHER = {"nvidia-h100-sxm": 30, "nvidia-b200": 15, "nvidia-h200-sxm": 15, "nvidia-a100-sxm": 10,
               "amd-mi300x": 10, "nvidia-h100-pcie": 5, "nvidia-l40s": 5, "intel-gaudi3": 5,
               "amd-mi250x": 3, "intel-gaudi2": 2}
H100E = {"nvidia-h100-sxm": 1.0, "nvidia-h100-pcie": 0.75, "nvidia-b200": 2.25, "nvidia-h200-sxm": 1.0,
         "nvidia-a100-sxm": 0.32, "nvidia-h20": 0.15, "nvidia-h800-sxm": 1.0, "nvidia-a800-sxm": 0.32,
         "huawei-ascend-910b": 0.32, "huawei-ascend-910c": 0.64, "amd-mi300x": 1.3, "amd-mi250x": 0.38,
         "nvidia-l40s": 0.37, "nvidia-rtx-4090": 0.17, "intel-gaudi2": 0.4, "intel-gaudi3": 0.9}
COMPUTE_RANGE = (1e22, 5e26)
OPEN_WEIGHTS_SHARE = 0.35


class _Picker:
    """Weighted choice with precomputed cumulative weights (random.choices without re-summing)."""

    def __init__(self, rng: random.Random, weights: dict[str, float]):
        self.rng = rng
        self.items = list(weights)
        self.cum = list(accumulate(weights.values()))

    def __call__(self) -> str:
        return self.rng.choices(self.items, cum_weights=self.cum)[0]


def iso_countries() -> list[str]:
    """Every ISO 3166-1 alpha-2 code, as graph/loaders/countries.py loads them (sorted: deterministic)."""
    return sorted(c.alpha_2 for c in pycountry.countries)


def country_weights(codes: list[str]) -> dict[str, float]:
    """The skew: CN/HK ~30 %, US ~20 %, hubs 25 %, every other ISO country an equal share of the rest."""
    weights = {c: SKEW[c] for c in SKEW if c in codes}
    hubs = {c: w for c, w in HUBS.items() if c in codes and c not in weights}
    hub_total = sum(hubs.values())
    weights.update({c: HUB_SHARE * w / hub_total for c, w in hubs.items()})
    rest = [c for c in codes if c not in weights]
    remaining = max(0.0, 1.0 - sum(weights.values()))
    weights.update({c: remaining / len(rest) for c in rest})
    return weights


def _lit(text: str) -> str:
    return f'"{text}"'


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _country(code: str) -> str:
    return f"<{ID}country/{code}>"


def _org(i: int) -> str:
    return f"<{ID}org/syn-{i}>"


def generate(n_companies: int, seed: int, out: Path) -> dict:
    """Write the synthetic facts to `out` as N-Triples; returns what was written (counts)."""
    start = time.perf_counter()
    rng = random.Random(seed)
    codes = iso_countries()
    any_country = _Picker(rng, country_weights(codes))
    cn_abroad = _Picker(rng, {c: w for c, w in CN_ABROAD.items() if c in codes})
    pick_level = _Picker(rng, {str(i + 1): w for i, w in enumerate(LEVEL_WEIGHTS)})
    pick_control = _Picker(rng, dict(CONTROL_WEIGHTS))
    chips_cn, chips_other = _Picker(rng, CHIPS_CN), _Picker(rng, CHIPS_OTHER)

    counts = {"companies": n_companies, "roots": 0, "ownerships": 0, "majority": 0, "stated": 0,
              "minority": 0, "foreign_subsidiaries": 0, "hq_differs": 0, "hq_unknown": 0,
              "depth": [0] * (len(LEVEL_WEIGHTS) + 1), "datacenters": 0, "chip_inventories": 0,
              "models": 0, "triples": 0}
    # per company: its location and headquarters (ISO codes) and its group's root headquarters
    loc: list[str] = []
    hq: list[str] = []
    root_hq: list[str] = []
    pools: list[list[int]] = [[] for _ in range(len(LEVEL_WEIGHTS))]  # companies by level that may parent
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    triples = 0

    with out.open("w", encoding="utf-8", buffering=1 << 20) as fh:

        def emit(subject: str, *pairs: str) -> None:
            nonlocal triples
            for pair in pairs:
                lines.append(f"{subject} {pair} .\n")
            triples += len(pairs)

        def cite(subject: str) -> None:
            nonlocal triples
            lines.append(subject + CITE[0])
            lines.append(subject + CITE[1])
            triples += 2

        def flush(force: bool = False) -> None:
            if force or len(lines) >= 50_000:
                fh.write("".join(lines))
                lines.clear()

        emit(SOURCE, f"{A} {_e('Source')}", f"{LABEL} {_lit('Synthetic benchmark data')}",
             f"{DCT_TITLE} {_lit('Synthetic benchmark data (bench/synthetic.py, seed ' + str(seed) + ')')}",
             f"{_e('sourceKind')} {DATASET}")

        company = _e("Company")
        for i in range(n_companies):
            subject = _org(i)
            level, parent = 0, -1
            if rng.random() < PARENT_SHARE:
                level = int(pick_level())
                while level > 0 and not pools[level - 1]:
                    level -= 1
                if level:
                    pool = pools[level - 1]
                    parent = pool[rng.randrange(len(pool))]
            if parent < 0:
                counts["roots"] += 1
                here = any_country()
                head = here
                if here in CHINA and rng.random() < 0.05:  # an offshore holding company run from China
                    here = OFFSHORE[rng.randrange(len(OFFSHORE))]
                elif rng.random() < 0.03:
                    head = any_country()
                group_hq = head
            else:
                group_hq = root_hq[parent]
                if rng.random() < 0.7:
                    here = loc[parent]
                else:
                    here = cn_abroad() if group_hq in CHINA else any_country()
                    counts["foreign_subsidiaries"] += here != loc[parent]
                # mostly headquartered where located; some foreign subsidiaries give the group's seat
                head = here if rng.random() < 0.85 else hq[parent] or group_hq
            loc.append(here)
            counts["depth"][level] += 1
            if level < len(LEVEL_WEIGHTS):
                pools[level].append(i)

            emit(subject, f"{A} {company}", f"{LABEL} {_lit(f'Synthetic company {i}')}",
                 f"{_e('locatedIn')} {_country(here)}")
            if rng.random() < 0.01:
                counts["hq_unknown"] += 1
                head = ""
                emit(subject, f"{_e('valueUnknown')} {_lit('headquarteredIn')}")
            else:
                counts["hq_differs"] += head != here
                emit(subject, f"{_e('headquarteredIn')} {_country(head)}")
            hq.append(head)
            root_hq.append(group_hq)
            cite(subject)

            if parent >= 0:
                control = pick_control()
                counts["ownerships"] += 1
                counts[control] += 1
                node = f"<{ID}ownership/syn-{i}/syn-{parent}>"
                emit(node, f"{A} {_e('Ownership')}", f"{LABEL} {_lit(f'syn-{parent} owns syn-{i}')}",
                     f"{_e('owner')} {_org(parent)}", f"{_e('owned')} {subject}")
                if control == "majority":
                    share = 100.0 if rng.random() < 0.5 else rng.uniform(50.01, 99.99)
                    basis = "MajorityControl"
                elif control == "stated":
                    share = rng.uniform(20, 50) if rng.random() < 0.5 else None
                    basis = "StatedControl"
                else:
                    share = rng.uniform(1, 49.99)
                    basis = "MinorityStake"
                if share is not None:
                    emit(node, f"{_e('sharePercent')} {_typed(f'{share:.2f}', 'decimal')}")
                emit(node, f"{_e('controlBasis')} {_e(basis)}")
                cite(node)
                if control != "minority":
                    emit(subject, f"{_e('controlledBy')} {_org(parent)}")
            flush()

        n_dc = n_companies // 10
        counts["datacenters"] = n_dc
        for d in range(n_dc):
            subject = f"<{ID}datacenter/syn-dc-{d}>"
            owner = rng.randrange(n_companies)
            chinese = loc[owner] in CHINA or root_hq[owner] in CHINA
            if rng.random() < 0.75:
                here = loc[owner]
            else:
                here = cn_abroad() if chinese else any_country()
            emit(subject, f"{A} {_e('DataCenter')}", f"{LABEL} {_lit(f'Synthetic data center {d}')}",
                 f"{_e('locatedIn')} {_country(here)}", f"{_e('ownedBy')} {_org(owner)}",
                 f"{_e('operationalStatus')} {_lit('Existing' if rng.random() < 0.8 else 'Planned')}")
            if rng.random() < 0.05:
                emit(subject, f"{_e('ownedBy')} {_org(rng.randrange(n_companies))}")
            h100e = 0.0
            for rank in ("primary", "secondary") if rng.random() < 0.3 else ("primary",):
                chip = chips_cn() if chinese else chips_other()
                quantity = 8 * max(1, round(math.exp(rng.uniform(math.log(64), math.log(200_000))) / 8))
                h100e += quantity * H100E[chip]
                inv = f"<{ID}datacenter/syn-dc-{d}/chips/{rank}>"
                counts["chip_inventories"] += 1
                emit(subject, f"{_e('hasChipInventory')} {inv}")
                emit(inv, f"{A} {_e('ChipInventory')}", f"{LABEL} {_lit(f'Synthetic data center {d}: {chip}')}",
                     f"{_e('chip')} <{ID}chip/{chip}>", f"{_e('chipName')} {_lit(chip)}",
                     f"{_e('quantity')} {_typed(str(quantity), 'decimal')}")
                cite(inv)
            emit(subject, f"{_e('h100Equivalents')} {_typed(f'{h100e:.2f}', 'decimal')}")
            cite(subject)
            flush()

        n_models = n_companies // 100
        counts["models"] = n_models
        lo, hi = math.log10(COMPUTE_RANGE[0]), math.log10(COMPUTE_RANGE[1])
        for m in range(n_models):
            subject = f"<{ID}model/syn-model-{m}>"
            developer = rng.randrange(n_companies)
            chinese = loc[developer] in CHINA or root_hq[developer] in CHINA
            open_weights = rng.random() < OPEN_WEIGHTS_SHARE
            compute = 10 ** rng.uniform(lo, hi)
            day = f"{rng.randint(2020, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            chip = chips_cn() if chinese else chips_other()
            emit(subject, f"{A} {_e('AIModel')}", f"{LABEL} {_lit(f'Synthetic model {m}')}",
                 f"{_e('developedBy')} {_org(developer)}", f"{_e('developerCountry')} {_country(loc[developer])}",
                 f"{_e('trainingCompute')} {_typed(f'{compute:.4e}', 'double')}",
                 f"{_e('weightsAccess')} {_e('OpenWeights' if open_weights else 'ClosedWeights')}",
                 f"{_e('modelAccessibility')} "
                 f"{_lit('Open weights (unrestricted)' if open_weights else 'API access')}",
                 f"{_e('trainedOn')} <{ID}chip/{chip}>", f"{_e('publicationDate')} {_typed(day, 'date')}")
            cite(subject)
            flush()
        flush(force=True)

    counts["triples"] = triples
    counts["countries"] = len(set(loc) | {h for h in hq if h})
    counts["iso_countries"] = len(codes)
    counts["bytes"] = out.stat().st_size
    counts["seconds"] = round(time.perf_counter() - start, 3)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Write synthetic exportkg facts as N-Triples.")
    parser.add_argument("n_companies", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("synthetic.nt"))
    args = parser.parse_args()
    print(json.dumps(generate(args.n_companies, args.seed, args.out), indent=2))


if __name__ == "__main__":
    main()
