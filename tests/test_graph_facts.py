"""The built graph against values from the sources: NATO, D:5, tiers, chips, provenance."""

from __future__ import annotations

from exportkg.graph import namespaces as ns

from helpers import select

PREFIXES = ns.sparql_prefixes()
D5_JAN_2025 = {"AF", "BY", "MM", "KH", "CF", "CN", "CD", "CU", "ER", "HT", "IR", "IQ", "KP", "LB",
               "LY", "NI", "RU", "SO", "SS", "SD", "SY", "VE", "ZW"}
TIER1_IFR = {"AU", "BE", "CA", "DK", "FI", "FR", "DE", "IE", "IT", "JP", "NL", "NZ", "NO", "KR",
             "ES", "SE", "TW", "GB", "US"}


def test_every_fact_node_in_the_facts_graph_has_a_source_and_confidence(store) -> None:
    rows = select(store, PREFIXES + f"""
        SELECT DISTINCT ?s WHERE {{ GRAPH <{ns.FACTS_GRAPH}> {{ ?s ?p ?o }}
          FILTER NOT EXISTS {{ ?s a ekg:Source }}
          FILTER NOT EXISTS {{ GRAPH <{ns.FACTS_GRAPH}> {{ ?s dcterms:source ?src .
                                                           ?s ekg:confidence ?c }} }} }}""")
    assert rows == [], f"{len(rows)} fact nodes without source or confidence, e.g. {rows[:5]}"


def test_every_cited_source_is_defined(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT DISTINCT ?src WHERE { ?s dcterms:source ?src FILTER NOT EXISTS { ?src a ekg:Source } }""")
    assert rows == []


def test_nato_has_32_members(store) -> None:
    rows = select(store, PREFIXES + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?m a ekg:NatoMembership ; ekg:member ?c }")
    assert rows[0]["n"] == "32"


def test_d5_members_on_15_january_2025(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?code WHERE { ?m ekg:group <https://w3id.org/exportkg/id/group/D5> ; ekg:member/skos:notation ?code ;
          ekg:membershipStatus ekg:Asserted .
          OPTIONAL { ?m ekg:validFrom ?f } OPTIONAL { ?m ekg:validTo ?t }
          FILTER ((!BOUND(?f) || ?f <= "2025-01-15"^^xsd:date) && (!BOUND(?t) || ?t > "2025-01-15"^^xsd:date)) }""")
    assert {r["code"] for r in rows} == D5_JAN_2025


def test_cambodia_leaves_d5_with_states_removal_and_the_ear_table_reading_is_kept(store) -> None:
    """State's removal from ITAR 126.1 (2025-11-07) governs, per the D:5 note; the EAR table's own
    conforming change (effective 2026-02-03) stays beside it as a claim."""
    def ends(status: str) -> list[str]:
        return [r["to"] for r in select(store, PREFIXES + f"""
            SELECT ?to WHERE {{ ?m ekg:group <https://w3id.org/exportkg/id/group/D5> ;
              ekg:member <https://w3id.org/exportkg/id/country/KH> ;
              ekg:membershipStatus ekg:{status} ; ekg:validTo ?to }}""")]
    assert ends("Asserted") == ["2025-11-07"]
    assert "2026-02-03" in ends("Claim")


def test_macau_is_d1_not_d5(store) -> None:
    groups = {r["g"] for r in select(store, PREFIXES + """
        SELECT ?g WHERE { ?m ekg:member <https://w3id.org/exportkg/id/country/MO> ; ekg:membershipStatus ekg:Asserted ;
                          ekg:group/skos:notation ?g }""")}
    assert "D:1" in groups and "D:5" not in groups


def test_tier1_of_the_january_2025_rule(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?code WHERE { <https://w3id.org/exportkg/id/regime/ifr-jan2025> ekg:hasTier ?t . ?t ekg:tierNumber 1 .
                             ?c ekg:inTier ?t ; skos:notation ?code }""")
    # the territories the EAR treats as the United States (15 CFR 701.2) sit where the US sits
    us_parts = {r["code"] for r in select(store, PREFIXES + """
        SELECT ?code WHERE { ?c ekg:earDestination <https://w3id.org/exportkg/id/country/US> ; skos:notation ?code .
                             FILTER (?code != "US") }""")}
    assert us_parts == {"PR", "GU", "VI", "AS", "MP", "UM"}
    assert {r["code"] for r in rows} == TIER1_IFR | us_parts


def test_tier3_is_d5_plus_macau_and_hong_kong(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?code WHERE { <https://w3id.org/exportkg/id/regime/ifr-jan2025> ekg:hasTier ?t . ?t ekg:tierNumber 3 .
                             ?c ekg:inTier ?t ; skos:notation ?code }""")
    assert {r["code"] for r in rows} == D5_JAN_2025 | {"MO", "HK"}


def test_every_country_has_exactly_one_tier_per_tiered_regime(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?r ?c (COUNT(?t) AS ?n) WHERE { ?r ekg:hasTier ?t . ?c ekg:inTier ?t }
        GROUP BY ?r ?c HAVING (COUNT(?t) != 1)""")
    assert rows == []
    counts = select(store, PREFIXES + """
        SELECT ?r (COUNT(DISTINCT ?c) AS ?n) WHERE { ?r ekg:hasTier ?t . ?c ekg:inTier ?t } GROUP BY ?r""")
    assert {r["n"] for r in counts} == {str(len(select(store, PREFIXES + "SELECT ?c { ?c a ekg:Country }")))}


def test_h100_tpp_and_density_are_computed(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?tpp ?pd WHERE { <https://w3id.org/exportkg/id/chip/nvidia-h100-sxm> ekg:tpp ?tpp ;
                                                                              ekg:performanceDensity ?pd }""")
    assert float(rows[0]["tpp"]) == 15832
    assert abs(float(rows[0]["pd"]) - 15832 / 814) < 1e-3


def test_chip_without_die_area_has_unknown_density(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?pd ?u WHERE { OPTIONAL { <https://w3id.org/exportkg/id/chip/intel-gaudi2> ekg:performanceDensity ?pd }
                              <https://w3id.org/exportkg/id/chip/intel-gaudi2> ekg:valueUnknown ?u }""")
    assert {r["u"] for r in rows} >= {"dieAreaMm2", "performanceDensity"}
    assert all(r["pd"] is None for r in rows)


def test_epoch_models_keep_open_and_closed_weights(store) -> None:
    rows = select(store, PREFIXES + """
        SELECT ?w (COUNT(?m) AS ?n) WHERE { ?m a ekg:AIModel ; ekg:weightsAccess ?w } GROUP BY ?w""")
    counts = {r["w"].rsplit("#", 1)[1]: int(r["n"]) for r in rows}
    # Epoch large-scale models 2025-04: 134 open-weights rows, 131 API/hosted/unreleased rows
    assert counts == {"OpenWeights": 134, "ClosedWeights": 131}
