"""Synthetic GLEIF golden-copy files, in the published column layout, for tests and benchmarks.

The three CSV files GLEIF publishes (level 1 LEI-CDF 3.1: 338 columns; RR-CDF relationship records: 55;
reporting exceptions: 13), with every column of the published header in its order, so the importer
reads these exactly as it reads a real download. Column names follow GLEIF's golden copy CSV as
captured in public fixtures (a LEI-CDF 3.1 delta of 2026-09-07); only the columns exportkg reads are
filled, the rest left empty as in sparse real rows. The entities are invented: names say so.

`generate(n, seed, folder)` writes ownership forests 1-4 levels deep with chains into China, Hong Kong
and Macau, reporting exceptions of every reason, lapsed and retired records, a few cycles and parent
LEIs with no level 1 record. Deterministic for a seed.

CLI: `.venv/bin/python bench/gleif_synth.py 100000 --seed 1 --out /tmp/gleif [--zip]`.
"""

from __future__ import annotations

import argparse
import csv
import random
import zipfile
from collections.abc import Iterable
from pathlib import Path

NUMBERED = range(1, 6)
ADDRESS = ["FirstAddressLine", "AddressNumber", "AddressNumberWithinBuilding", "MailRouting",
           "AdditionalAddressLine.1", "AdditionalAddressLine.2", "AdditionalAddressLine.3", "City", "Region",
           "Country", "PostalCode"]
REASONS = ["NATURAL_PERSONS", "NON_CONSOLIDATING", "NO_KNOWN_PERSON", "NO_LEI", "BINDING_LEGAL_COMMITMENTS",
           "LEGAL_OBSTACLES", "DISCLOSURE_DETRIMENTAL", "DETRIMENT_NOT_EXCLUDED", "CONSENT_NOT_OBTAINED",
           "NON_PUBLIC"]
COUNTRIES = ["CN"] * 20 + ["HK"] * 8 + ["MO"] + ["US"] * 20 + ["SG"] * 6 + ["MY"] * 4 + ["AE"] * 3 + \
    ["NL"] * 4 + ["DE"] * 5 + ["GB"] * 5 + ["JP"] * 5 + ["KY"] * 3 + ["VN"] * 3 + ["IN"] * 3 + ["FR"] * 3 + \
    ["BR", "MX", "IL", "SA", "KR", "TW", "CH", "IE", "LU", "RU", "IR"]


def level1_header() -> list[str]:
    names = ["LEI", "Entity.LegalName", "Entity.LegalName.xmllang"]
    for group, item in (("OtherEntityNames", "OtherEntityName"),
                        ("TransliteratedOtherEntityNames", "TransliteratedOtherEntityName")):
        for n in NUMBERED:
            base = f"Entity.{group}.{item}.{n}"
            names += [base, f"{base}.xmllang", f"{base}.type"]
    for kind in ("LegalAddress", "HeadquartersAddress"):
        names += [f"Entity.{kind}.{a}" for a in ["xmllang", *ADDRESS]]
    for group, item in (("OtherAddresses", "OtherAddress"),
                        ("TransliteratedOtherAddresses", "TransliteratedOtherAddress")):
        for n in NUMBERED:
            names += [f"Entity.{group}.{item}.{n}.{a}" for a in ["xmllang", "type", *ADDRESS]]
    names += [f"Entity.RegistrationAuthority.{a}" for a in
              ("RegistrationAuthorityID", "OtherRegistrationAuthorityID", "RegistrationAuthorityEntityID")]
    names += ["Entity.LegalJurisdiction", "Entity.EntityCategory", "Entity.EntitySubCategory",
              "Entity.LegalForm.EntityLegalFormCode", "Entity.LegalForm.OtherLegalForm",
              "Entity.AssociatedEntity.type", "Entity.AssociatedEntity.AssociatedLEI",
              "Entity.AssociatedEntity.AssociatedEntityName", "Entity.AssociatedEntity.AssociatedEntityName.xmllang",
              "Entity.EntityStatus", "Entity.EntityCreationDate", "Entity.EntityExpirationDate",
              "Entity.EntityExpirationReason"]
    for n in NUMBERED:
        names += [f"Entity.SuccessorEntity.{n}.{a}" for a in
                  ("SuccessorLEI", "SuccessorEntityName", "SuccessorEntity.xmllang")]
    for n in NUMBERED:
        base = f"Entity.LegalEntityEvents.LegalEntityEvent.{n}"
        names += [f"{base}.{a}" for a in ("group_type", "event_status", "group_id", "group_sequence_no",
                                          "LegalEntityEventType", "LegalEntityEventEffectiveDate",
                                          "LegalEntityEventRecordedDate", "ValidationDocuments", "ValidationReference")]
        for m in NUMBERED:
            names += [f"{base}.AffectedFields.{m}.AffectedField", f"{base}.AffectedFields.{m}.field_xpath"]
    names += [f"Registration.{a}" for a in ("InitialRegistrationDate", "LastUpdateDate", "RegistrationStatus",
                                            "NextRenewalDate", "ManagingLOU", "ValidationSources")]
    names += [f"Registration.ValidationAuthority.{a}" for a in
              ("ValidationAuthorityID", "OtherValidationAuthorityID", "ValidationAuthorityEntityID")]
    for n in NUMBERED:
        names += [f"Registration.OtherValidationAuthorities.OtherValidationAuthority.{n}.{a}" for a in
                  ("ValidationAuthorityID", "OtherValidationAuthorityID", "ValidationAuthorityEntityID")]
    return [*names, "ConformityFlag"]


def rr_header() -> list[str]:
    names = [f"Relationship.{a}" for a in ("StartNode.NodeID", "StartNode.NodeIDType", "EndNode.NodeID",
                                           "EndNode.NodeIDType", "RelationshipType", "RelationshipStatus")]
    for n in NUMBERED:
        names += [f"Relationship.Period.{n}.{a}" for a in ("startDate", "endDate", "periodType")]
    for n in NUMBERED:
        names += [f"Relationship.Qualifiers.{n}.{a}" for a in ("QualifierDimension", "QualifierCategory")]
    for n in NUMBERED:
        names += [f"Relationship.Quantifiers.{n}.{a}" for a in ("MeasurementMethod", "QuantifierAmount",
                                                                 "QuantifierUnits")]
    names += [f"Registration.{a}" for a in ("InitialRegistrationDate", "LastUpdateDate", "RegistrationStatus",
                                            "NextRenewalDate", "ManagingLOU", "ValidationSources",
                                            "ValidationDocuments", "ValidationReference")]
    return [*names, "DeletedAt"]


def repex_header() -> list[str]:
    return ["LEI", "Exception.Category", *(f"Exception.Reason.{n}" for n in NUMBERED),
            *(f"Exception.Reference.{n}" for n in NUMBERED), "DeletedAt"]


def lei(number: int, lou: str = "5493") -> str:
    """A valid LEI: a LOU prefix, 14 characters from the number, ISO 7064 MOD 97-10 check digits."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    body, rest = "", number
    for _ in range(14):
        rest, digit = divmod(rest, 36)
        body = alphabet[digit] + body
    base = f"{lou}{body}"
    check = 98 - int("".join(str(int(c, 36)) for c in base + "00")) % 97
    return f"{base}{check:02d}"


def entity(code: str, name: str, country: str, hq: str | None = None, status: str = "ISSUED",
           entity_status: str = "ACTIVE") -> dict[str, str]:
    return {"LEI": code, "Entity.LegalName": name, "Entity.LegalName.xmllang": "en",
            "Entity.LegalAddress.Country": country, "Entity.HeadquartersAddress.Country": hq or country,
            "Entity.LegalJurisdiction": country, "Entity.EntityCategory": "GENERAL",
            "Entity.EntityStatus": entity_status, "Registration.RegistrationStatus": status,
            "Registration.ManagingLOU": "5493001KJTIIGC8Y1R12", "Registration.ValidationSources": "FULLY_CORROBORATED",
            "ConformityFlag": "CONFORMING"}


def relationship(child: str, parent: str, kind: str = "IS_DIRECTLY_CONSOLIDATED_BY", status: str = "ACTIVE",
                 registration: str = "PUBLISHED") -> dict[str, str]:
    return {"Relationship.StartNode.NodeID": child, "Relationship.StartNode.NodeIDType": "LEI",
            "Relationship.EndNode.NodeID": parent, "Relationship.EndNode.NodeIDType": "LEI",
            "Relationship.RelationshipType": kind, "Relationship.RelationshipStatus": status,
            "Relationship.Period.1.startDate": "2019-01-01T00:00:00Z", "Relationship.Period.1.periodType":
            "RELATIONSHIP_PERIOD", "Relationship.Qualifiers.1.QualifierDimension": "ACCOUNTING_STANDARD",
            "Relationship.Qualifiers.1.QualifierCategory": "IFRS", "Registration.RegistrationStatus": registration,
            "Registration.ValidationSources": "FULLY_CORROBORATED"}


def exception(code: str, category: str, *reasons: str) -> dict[str, str]:
    row = {"LEI": code, "Exception.Category": f"{category}_ACCOUNTING_CONSOLIDATION_PARENT"}
    row.update({f"Exception.Reason.{n}": r for n, r in enumerate(reasons, 1)})
    return row


HEADERS = {"lei2": level1_header, "rr": rr_header, "repex": repex_header}


class Files:
    """The three files (lei2, rr, repex) with their full headers, written row by row (a golden copy's
    size does not fit in memory as dicts); zipped like GLEIF's downloads if asked."""

    def __init__(self, folder: Path, *, zipped: bool = False):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.zipped = folder, zipped
        self.handles = {kind: (folder / f"{kind}.csv").open("w", newline="", encoding="utf-8") for kind in HEADERS}
        self.writers = {kind: csv.DictWriter(handle, fieldnames=HEADERS[kind](), quoting=csv.QUOTE_ALL)
                        for kind, handle in self.handles.items()}
        for writer in self.writers.values():
            writer.writeheader()

    def add(self, kind: str, row: dict[str, str]) -> None:
        self.writers[kind].writerow(row)

    def close(self) -> dict[str, Path]:
        out = {}
        for kind, handle in self.handles.items():
            handle.close()
            path = self.folder / f"{kind}.csv"
            if self.zipped:
                packed = self.folder / f"{kind}.zip"
                with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.write(path, f"20261201-0800-gleif-goldencopy-{kind}-golden-copy.csv")
                path.unlink()
                path = packed
            out[kind] = path
        return out


def write(folder: Path, entities: Iterable[dict[str, str]], relationships: Iterable[dict[str, str]],
          exceptions: Iterable[dict[str, str]], *, zipped: bool = False) -> dict[str, Path]:
    files = Files(folder, zipped=zipped)
    for kind, rows in (("lei2", entities), ("rr", relationships), ("repex", exceptions)):
        for row in rows:
            files.add(kind, row)
    return files.close()


def generate(n: int, seed: int, folder: Path, *, zipped: bool = False, links: float = 0.55) -> dict[str, Path]:
    """n entities in ownership forests, with every kind of case the importer must handle; `links` is the
    share with a parent among the earlier entities (GLEIF: about 0.5M relationships for 3.1M entities)."""
    rng = random.Random(seed)
    files = Files(folder, zipped=zipped)
    code = [lei(i + 1) for i in range(n)].__getitem__
    for i in range(n):
        country = rng.choice(COUNTRIES)
        status = rng.choices(["ISSUED", "LAPSED", "RETIRED", "ANNULLED"], [90, 7, 2, 1])[0]
        files.add("lei2", entity(code(i), f"Synthetic Entity {i + 1} (invented)", country,
                                 hq=country if rng.random() < 0.9 else rng.choice(COUNTRIES), status=status))
        roll = rng.random()
        if i and roll < links:  # a parent among the earlier entities: forests, no cycles
            parent = code(rng.randrange(max(0, i - 50), i))
            files.add("rr", relationship(code(i), parent, registration=rng.choice(["PUBLISHED"] * 9 + ["LAPSED"])))
        elif roll < 0.85:
            reason = rng.choice(REASONS)
            files.add("repex", exception(code(i), "DIRECT", reason))
            files.add("repex", exception(code(i), "ULTIMATE", reason))
        elif roll < 0.86:  # a parent LEI with no level 1 record
            files.add("rr", relationship(code(i), lei(n + 1 + i, lou="9845")))
    for i in range(0, max(0, n - 1), 997):  # a few two-entity cycles
        files.add("rr", relationship(code(i), code(i + 1), kind="IS_ULTIMATELY_CONSOLIDATED_BY"))
        files.add("rr", relationship(code(i + 1), code(i), kind="IS_ULTIMATELY_CONSOLIDATED_BY"))
    return files.close()


def sample(folder: Path) -> dict[str, Path]:
    """The small sample shipped with the tests (tests/data/gleif): one case per rule of the importer.
    Its LEIs are numbered from 1 (lei(k)); tests/test_gleif.py states each expected answer."""
    e = {k: lei(k) for k in range(1, 17)}
    entities = [
        entity(e[1], "Lion City Compute Pte. Ltd. (invented)", "SG"),         # three levels up to Hong Kong
        entity(e[2], "Orchard Holdings Pte. Ltd. (invented)", "SG"),
        entity(e[3], "Harbour Capital B.V. (invented)", "NL"),
        entity(e[4], "Victoria Peak Group Limited (invented)", "HK"),         # top: natural persons
        entity(e[5], "Fjord Analytics AS (invented)", "NO"),                  # parent withheld: unknown
        entity(e[6], "Lapsed Systems GmbH (invented)", "DE", status="LAPSED"),  # kept, as the code list says
        entity(e[7], "Retired Trading Ltd (invented)", "GB", status="RETIRED", entity_status="INACTIVE"),
        entity(e[8], "Annulled Record Ltd (invented)", "GB", status="ANNULLED"),  # not a valid record
        entity(e[9], "Dangling Parent Sdn. Bhd. (invented)", "MY"),           # parent LEI without a record
        entity(e[10], "Loop One Ltd (invented)", "AE"),                       # a cycle
        entity(e[11], "Loop Two Ltd (invented)", "AE"),
        entity(e[12], "Lotus Data Sdn. Bhd. (invented)", "MY"),               # parent in Macau
        entity(e[13], "Lotus Holdings Limited (invented)", "MO"),
        entity(e[14], "Quiet Parent Inc. (invented)", "US"),                  # no level 2 data at all
        entity(e[15], "Former Subsidiary K.K. (invented)", "JP"),            # inactive link to China
        entity(e[16], "Dragon Semiconductor Co., Ltd. (invented)", "CN"),
    ]
    relationships = [
        relationship(e[1], e[2]), relationship(e[2], e[3]), relationship(e[3], e[4]),
        relationship(e[1], e[4], kind="IS_ULTIMATELY_CONSOLIDATED_BY"),
        relationship(e[9], lei(9999, lou="9845")),
        relationship(e[10], e[11]), relationship(e[11], e[10]),
        relationship(e[12], e[13], registration="LAPSED"),
        relationship(e[15], e[16], status="INACTIVE"),
        relationship(e[14], e[16], kind="IS_FUND-MANAGED_BY"),
    ]
    exceptions = [
        exception(e[4], "DIRECT", "NATURAL_PERSONS"), exception(e[4], "ULTIMATE", "NATURAL_PERSONS"),
        exception(e[5], "DIRECT", "NON_PUBLIC", "LEGAL_OBSTACLES"), exception(e[5], "ULTIMATE", "NON_PUBLIC"),
        exception(e[6], "DIRECT", "NATURAL_PERSONS"),
        exception(e[13], "ULTIMATE", "NO_KNOWN_PERSON"),
        exception(e[15], "DIRECT", "NATURAL_PERSONS"), exception(e[16], "DIRECT", "NATURAL_PERSONS"),
    ]
    return write(folder, entities, relationships, exceptions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--zip", action="store_true")
    parser.add_argument("--links", type=float, default=0.55, help="share of entities with a parent")
    args = parser.parse_args()
    for kind, path in generate(args.n, args.seed, args.out, zipped=args.zip, links=args.links).items():
        print(f"{kind}: {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
