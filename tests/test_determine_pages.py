"""The determination form (/determine) and its printable memo (/determine/memo): over real HTTP, the
answer is the one /api/determine gives, in words, with every citation linked to the Federal Register
or eCFR; bad input answers the form again with a 4xx; markup in a party's name stays text. Two runs in
headless Chromium fill the form, open the memo and keep screenshots (tests/artifacts/determine-*.png).
The link function itself is checked without a server.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse

import pytest
from browsing import assert_all_local, shot
from playwright.sync_api import Page
from test_words import unreadable

from exportkg.graph.answers.model import NEEDS, named
from exportkg.server.views.citations import Segment, segments

from golden_cases import load_cases
from helpers import XSS_NAME, http

FR_OR_ECFR = re.compile(r"^https://www\.(federalregister\.gov/citation/|ecfr\.gov/current/title-)")


@pytest.mark.parametrize(("text", "links"), [
    ("90 FR 4544", [("90 FR 4544", "https://www.federalregister.gov/citation/90-FR-4544")]),
    ("15 CFR 744.11", [("15 CFR 744.11", "https://www.ecfr.gov/current/title-15/section-744.11")]),
    ("15 CFR part 744", [("15 CFR part 744", "https://www.ecfr.gov/current/title-15/part-744")]),
    ("Supplement No. 1 to part 740", [("Supplement No. 1 to part 740", "https://www.ecfr.gov/current/title-15/"
                                       "part-740/appendix-Supplement%20No.%201%20to%20Part%20740")]),
    # the list citations of the ontology and the rules' headers, as the determinations carry them
    ("15 CFR part 744, Supplement No. 4; 84 FR 22961 (Entity List)",
     [("15 CFR part 744, Supplement No. 4", "https://www.ecfr.gov/current/title-15/part-744/"
                                            "appendix-Supplement%20No.%204%20to%20Part%20744"),
      ("84 FR 22961", "https://www.federalregister.gov/citation/84-FR-22961")]),
    ("15 CFR 742.6(a)(6)(iii)(A); 15 CFR 740.27-740.29, 748.15",
     [("15 CFR 742.6(a)(6)(iii)(A)", "https://www.ecfr.gov/current/title-15/section-742.6"),
      ("15 CFR 740.27", "https://www.ecfr.gov/current/title-15/section-740.27"),
      ("740.29", "https://www.ecfr.gov/current/title-15/section-740.29"),
      ("748.15", "https://www.ecfr.gov/current/title-15/section-748.15")]),
    ("15 CFR part 774 supplement no. 1 (87 FR 62186)",
     [("15 CFR part 774 supplement no. 1", "https://www.ecfr.gov/current/title-15/part-774/"
                                           "appendix-Supplement%20No.%201%20to%20Part%20774"),
      ("87 FR 62186", "https://www.federalregister.gov/citation/87-FR-62186")]),
    ("22 CFR 120.60.", [("22 CFR 120.60", "https://www.ecfr.gov/current/title-22/section-120.60")]),
    ("affiliates rule, 90 FR 47201 (FR Doc. 2025-19001); see §§ 734.9(e)(2) and 744.11 of the EAR",
     [("90 FR 47201", "https://www.federalregister.gov/citation/90-FR-47201"),
      ("FR Doc. 2025-19001", "https://www.federalregister.gov/d/2025-19001"),
      ("§§ 734.9(e)(2)", "https://www.ecfr.gov/current/title-15/section-734.9"),
      ("744.11", "https://www.ecfr.gov/current/title-15/section-744.11")]),
    # not certain, so not linked: an ECCN, an executive order's section, plural parts, a bare number
    # with nothing saying it is the CFR, a law firm's note
    ("ECCN 3A090.c; EO 14110 section 4.2(b); 22 CFR parts 120 through 130", []),
    ("742.6 and part 744 alone; License Exception HBM (740.25); FR is in Tier 1", []),
    ("BIS guidance of May 13, 2025 (Alston & Bird; Crowell)", []),
    ("", []),
])
def test_citations_link_only_what_they_can_name(text: str, links: list[tuple[str, str]]) -> None:
    parts = segments(text)
    assert "".join(p.text for p in parts) == text
    assert [tuple(p) for p in parts if p.href] == links
    assert all(isinstance(p, Segment) for p in parts)


def case(name: str) -> dict[str, str]:
    """A golden case's query, as the form's parameters."""
    query = next(c for c in load_cases() if c["name"] == name)["query"]
    return {"party": query["party"], "item": query["item"], "destination": query["destination"], "date": query["on"]}


#: real data: Huawei's Entity List entry outweighs the H200 rule's case-by-case review
HUAWEI = "huawei-h200-cn-entity-list-denial-on-2026-03-01"
#: real data: SenseTime's headquarters is not known, so whether an H100 to Singapore needs a license is not
SENSETIME = "sensetime-sg-undetermined-on-2025-06-01"


def shown(body: str) -> str:
    """A page's text as a reader sees it: links inline, other tags as spaces, entities decoded, spaces
    collapsed."""
    inline = re.sub(r"</?a\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def api(base: str, asked: dict[str, str]) -> dict[str, object]:
    params = {"party": asked["party"], "item": asked["item"], "destination": asked["destination"], "on": asked["date"]}
    reply = http(base, path="/api/determine", params=list(params.items()))
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def citation_links(body: str) -> set[str]:
    return {html.unescape(h) for h in re.findall(r'<a class="cite" href="([^"]+)"', body)}


def expected_links(found: dict[str, object]) -> set[str]:
    """Every link the answer's texts make: its reasons, its unknowns, and the requirements of the text
    not enforced that day (what `exportkg determine` prints)."""
    shown_requirements = [r for r in found["requirements"] if r["status"] not in ("enforced", "as_written")]  # type: ignore[attr-defined]
    texts = [r[k] for r in [*found["reasons"], *shown_requirements] for k in ("because", "citation")]  # type: ignore[misc]
    texts += [u[k] for u in found["unknowns"] for k in ("fact", "effect")]  # type: ignore[attr-defined]
    return {s.href for t in texts for s in segments(t) if s.href}


@pytest.mark.parametrize("path", ["/determine", "/determine/memo"])
def test_the_answer_is_the_apis_in_words_with_its_citations_linked(live_server: str, path: str) -> None:
    asked = case(HUAWEI)
    found = api(live_server, asked)
    assert (found["license_required"], found["review_policy"]) == (True, "presumption_of_denial")  # the golden case
    reply = http(live_server, path=path, params=list(asked.items()), timeout=120)
    assert reply.status == 200, reply.text
    text = shown(reply.text)
    assert f"{NEEDS[True]}; review policy: presumption of denial." in text
    assert found["party_name"] and f"{found['party_name']} {found['party']}" in text  # the name, then its IRI
    assert "China (CN)" in text and f"the law in force on {asked['date']}" in text
    for reason in found["reasons"]:  # type: ignore[attr-defined]  # the API's text, the destination named
        assert shown(html.escape(named(reason["because"], "CN", "China"))) in text, reason["rule"]
    assert any("destination CN" in r["because"] for r in found["reasons"])  # type: ignore[attr-defined]
    assert "destination China (CN)" in text and " destination CN" not in text  # (the CLI line says --destination CN)
    links = citation_links(reply.text)
    assert links == expected_links(found) and len(links) >= 3
    assert all(FR_OR_ECFR.match(link) for link in links), links
    assert any("federalregister.gov" in link for link in links) and any("ecfr.gov" in link for link in links)
    assert not unreadable(text), unreadable(text)[:5]
    assert "<script" not in reply.text and "style=" not in reply.text
    assert "style-src 'self';" in reply.header("Content-Security-Policy")  # type: ignore[operator]
    if path.endswith("memo"):
        assert "Question" in text and "determine.css" in reply.text


def test_an_undetermined_answer_says_so_and_why(live_server: str) -> None:
    asked = case(SENSETIME)
    assert api(live_server, asked)["license_required"] is None
    reply = http(live_server, path="/determine/memo", params=list(asked.items()), timeout=120)
    assert reply.status == 200, reply.text
    text = shown(reply.text)
    assert "The answer is undetermined" in text and NEEDS[None] in text
    unknowns = re.search(r"Depends on facts not known (.*?) How this was answered", text)
    assert unknowns and "SenseTime" in unknowns.group(1) and "headquartered" in unknowns.group(1)
    assert not unreadable(text), unreadable(text)[:5]


def test_a_party_is_found_by_name_or_chosen_among_several(live_server: str) -> None:
    base = {"item": "3A090.a", "destination": "SG", "date": "2025-06-01"}
    by_id = api(live_server, {"party": "alibaba-cloud-sg", **base})
    reply = http(live_server, path="/determine", params=[("party", "Alibaba Cloud (Singapore)"), *base.items()])
    assert reply.status == 200 and by_id["party"] in reply.text  # part of the name: the one party
    assert f"{NEEDS[by_id['license_required']]}; review policy:" in shown(reply.text)  # type: ignore[index]
    reply = http(live_server, path="/determine", params=[("party", "alibaba"), *base.items()])
    assert reply.status == 200
    choices = [html.unescape(c) for c in re.findall(r'<a class="candidate" href="([^"]+)"', reply.text)]
    assert len(choices) >= 2 and "<h2>The answer</h2>" not in reply.text
    assert all(urllib.parse.parse_qs(urllib.parse.urlsplit(c).query)["date"] == ["2025-06-01"] for c in choices)
    assert any(by_id["party"] in urllib.parse.unquote(c) for c in choices)  # type: ignore[operator]
    # more than 50 list entries name Huawei: the party search is of parties only, so it is still found
    reply = http(live_server, path="/determine", params=[("party", "Huawei"), *base.items()])
    links = re.findall(r'<a class="candidate" href="([^"]+)"', reply.text)
    choices = [urllib.parse.unquote(html.unescape(c)) for c in links]
    assert reply.status == 200 and any(re.search(r"/org/huawei(&|$)", c) for c in choices), choices


@pytest.mark.parametrize(("path", "params", "status", "says"), [
    ("/determine", {"party": "no-such-party-at-all", "item": "3A090.a"}, 404, "no organization or data center"),
    ("/determine", {"party": "alibaba-cloud-sg", "item": "3A090.a", "destination": "ZZ"}, 400,
     "unknown destination country 'ZZ'"),
    ("/determine", {"party": "alibaba-cloud-sg", "item": "3A090.a", "date": "2025-13-01"}, 400, "not an ISO date"),
    ("/determine", {"party": "alibaba-cloud-sg", "item": "9Z999"}, 400, "unknown item '9Z999'"),
    ("/determine/memo", {}, 400, "give a party and an item"),
    ("/determine/memo", {"party": "<script>alert(1)</script>", "item": "3A090.a"}, 404, "<script>alert(1)</script>"),
])
def test_bad_input_answers_the_form_again_with_a_4xx(live_server: str, path: str, params: dict[str, str],
                                                      status: int, says: str) -> None:
    reply = http(live_server, path=path, params=list(params.items()))
    assert reply.status == status, reply.text
    assert '<form class="determine"' in reply.text and 'role="alert"' in reply.text
    assert says in shown(reply.text)
    assert "<script>" not in reply.text and "Traceback" not in reply.text


def test_markup_in_a_party_name_stays_text(xss_server: str) -> None:
    escaped = html.escape(XSS_NAME, quote=False)
    for path, party in (("/determine", "onerror"), ("/determine/memo", "xss-party")):
        reply = http(xss_server, path=path, params=[("party", party), ("item", "3A090.a")], timeout=120)
        assert reply.status == 200, (path, reply.text)
        assert escaped in reply.text and XSS_NAME not in reply.text and "<img" not in reply.text, path
        assert "presumption of denial" in reply.text, path  # the Alibaba subsidiary is HQ-D5M: an answer, not an error




def test_the_form_answers_and_the_memo_prints(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.click("header.site nav a[href='/determine']")
    page.fill("input[name=party]", "Huawei Technologies Co")
    page.select_option("select[name=item]", "3A090.a")
    page.select_option("select[name=destination]", label="China")
    page.fill("input[name=date]", "2026-03-01")
    page.click("form.determine button[type=submit]")
    page.wait_for_selector("#answer")
    assert "presumption of denial" in page.locator(".verdict").inner_text()
    assert page.locator("#answer a.cite[href^='https://www.ecfr.gov/']").count() >= 1
    shot(page, "determine-form")
    page.click("a.memo")
    page.wait_for_selector("article.memo #answer")
    assert "China (CN)" in page.locator("article.memo h1").inner_text()
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible() and not page.locator(".no-print").is_visible()
    page.emulate_media(media="screen")
    shot(page, "determine-memo")
    assert page.problems == []  # type: ignore[attr-defined]
    assert_all_local(page)
