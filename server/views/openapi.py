"""The OpenAPI 3.1 description of the JSON API (server/views/api.py), written by hand next to it so it says
what the code does; tests/test_api.py checks the running API against it."""

from __future__ import annotations

from typing import Any

#: the fields `exportkg determine --format json` takes, in its order
DETERMINE_FIELDS = ("party", "item", "destination", "regime", "on")

_PARAMS: dict[str, dict[str, Any]] = {
    "party": {"required": True, "example": "alibaba-cloud-sg",
              "description": "Organization or data center id (or full IRI)."},
    "item": {"required": True, "example": "3A090.a",
             "description": "3A090.a, 3A090.b, 4A090.a, 4A090.b, 4E091, a chip id or a model id."},
    "destination": {"required": False, "example": "SG",
                    "description": "ISO 3166 alpha-2 code or data center id (default: the party's location)."},
    "regime": {"required": False, "example": "ifr-jan2025",
               "description": "Regime id (GET /api/queries/regimes lists them); not with `on`."},
    "on": {"required": False, "example": "2025-06-01",
           "description": "A day (YYYY-MM-DD): the regime in force then (default: today); not with `regime`."},
}

_ERROR = {"description": "What is wrong",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Reason": {"type": "object", "required": ["rule", "citation", "confidence", "because"],
               "properties": {"rule": {"type": "string"}, "citation": {"type": "string"},
                              "confidence": {"type": "string", "description": "P, S, U, C or D"},
                              "because": {"type": "string"}}},
    "Determination": {
        "type": "object",
        "required": ["regime", "item", "eccn", "party", "destination", "license_required", "review_policy",
                     "exceptions", "reasons"],
        "properties": {
            "regime": {"type": "string"}, "item": {"type": "string"},
            "eccn": {"type": "string", "description": "An ECCN class, `not controlled` or `unknown`."},
            "party": {"type": "string", "format": "iri"},
            "destination": {"type": "string", "description": "ISO 3166 alpha-2 code."},
            "destination_name": {"type": "string", "description": "The country's name (empty when unknown)."},
            "party_name": {"type": "string"}, "item_name": {"type": "string"},
            "license_required": {"type": ["boolean", "null"]},
            "review_policy": {"type": "string", "examples": ["presumption_of_denial"]},
            "exceptions": {"type": "array", "items": {"type": "string"}},
            "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
        },
    },
    "QueryParam": {"type": "object", "required": ["name", "kind", "default", "required", "description"],
                   "properties": {"name": {"type": "string"}, "kind": {"type": "string"},
                                  "default": {"type": ["string", "null"]}, "required": {"type": "boolean"},
                                  "description": {"type": "string"}}},
    "NamedQuery": {"type": "object", "required": ["name", "title", "description", "citation", "params"],
                   "properties": {"name": {"type": "string"}, "title": {"type": "string"},
                                  "description": {"type": "string"}, "citation": {"type": "string"},
                                  "params": {"type": "array", "items": {"$ref": "#/components/schemas/QueryParam"}}}},
    "Catalog": {"type": "object", "required": ["queries"],
                "properties": {"queries": {"type": "array", "items": {"$ref": "#/components/schemas/NamedQuery"}}}},
    "ImpactReport": {
        "type": "object",
        "required": ["base", "against", "counts", "by_country", "tiers", "models", "ledgers", "listings",
                     "determinations", "parties"],
        "description": "What changes from `base` to `against`, as `exportkg impact --format json`.",
        "properties": {"base": {"type": "string"}, "against": {"type": "string"},
                       "counts": {"type": "object"}, "by_country": {"type": "object"},
                       "tiers": {"type": "array"}, "models": {"type": "array"}, "ledgers": {"type": "array"},
                       "listings": {"type": "array"}, "determinations": {"type": "array"},
                       "parties": {"type": "array"}}},
    "SparqlResults": {"type": "object", "required": ["head", "results"],
                      "description": "SPARQL 1.1 Query Results JSON (SELECT).",
                      "properties": {"head": {"type": "object", "required": ["vars"],
                                              "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
                                     "results": {"type": "object", "required": ["bindings"],
                                                 "properties": {"bindings": {"type": "array",
                                                                             "items": {"type": "object"}}}}}},
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _determine_operation(post: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": "Does exporting ITEM to PARTY need a license, under which policy, and why?",
        "responses": {"200": _json("Determination", "The determination, as `exportkg determine --format json`"),
                      "400": _ERROR, "404": {**_ERROR, "description": "Unknown party"},
                      "503": {**_ERROR, "description": "The store cannot answer"}},
    }
    if post:
        operation["operationId"] = "determinePost"
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["party", "item"],
            "properties": {n: {"type": "string", "description": p["description"]} for n, p in _PARAMS.items()},
            "additionalProperties": False}}}}
    else:
        operation["operationId"] = "determine"
        operation["parameters"] = [{"name": n, "in": "query", "required": p["required"],
                                    "description": p["description"], "example": p["example"],
                                    "schema": {"type": "string"}} for n, p in _PARAMS.items()]
    return operation


def _paths() -> dict[str, Any]:
    return {
        "/api/determine": {"get": _determine_operation(False), "post": _determine_operation(True)},
        "/api/queries": {"get": {"operationId": "listQueries", "summary": "The named query catalog",
                                 "responses": {"200": _json("Catalog", "Every named query and its parameters")}}},
        "/api/queries/{name}": {"get": {
            "operationId": "runQuery",
            "summary": "Run a named query; its parameters (see the catalog) go in the query string",
            "parameters": [{"name": "name", "in": "path", "required": True, "example": "nato-outside-tier1",
                            "schema": {"type": "string"}}],
            "responses": {"200": _json("SparqlResults", "The answer"), "400": _ERROR,
                          "404": {**_ERROR, "description": "No such named query"}}}},
        "/api/impact": {"get": {
            "operationId": "impact",
            "summary": "What changes between two regimes, or a regime and a scenario (rule-change impact)",
            "parameters": [
                {"name": "base", "in": "query", "required": True, "example": "draft-dec2024",
                 "description": "The regime compared from (a regime id or scenario name).",
                 "schema": {"type": "string"}},
                {"name": "against", "in": "query", "required": True, "example": "ifr-jan2025",
                 "description": "The regime or scenario compared to (queries/scenarios/ lists the shipped ones).",
                 "schema": {"type": "string"}}],
            "responses": {"200": _json("ImpactReport", "The changes"), "400": _ERROR,
                          "503": {**_ERROR, "description": "The store cannot answer in time"}}}},
        "/api/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3.1",
                                                            "content": {"application/json": {}}}}}},
        "/healthz": {"get": {"operationId": "healthz", "summary": "Liveness",
                             "responses": {"200": {"description": "The server answers", "content": {
                                 "application/json": {"schema": {"type": "object", "required": ["status"],
                                                                  "properties": {"status": {"const": "ok"}}}}}}}}},
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document served at /api/openapi.json."""
    return {"openapi": "3.1.0",
            "info": {"title": "exportkg API", "version": "0.1.0",
                     "description": "Export-control determinations and named queries over the exportkg graph.",
                     "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
            "paths": _paths(),
            "components": {"schemas": _SCHEMAS}}
