"""The OpenAPI document: every route's error answers declared as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from crm_api.auth.dependencies import declared_routes
from crm_api.auth.principal import Access
from crm_common.errors import PROBLEM_JSON, Problem

_DESCRIPTIONS = {
    "401": "Not authenticated: no, invalid, expired or revoked credentials",
    "403": "Authenticated, but not allowed",
    "404": "No such record",
    "409": "Conflict with the current state",
    "413": "Request body too large",
    "422": "Invalid request: malformed JSON, wrong types, unknown fields, refused values",
    "429": "Rate limited; see Retry-After",
}


def _problem_schema() -> dict[str, Any]:
    schema = Problem.model_json_schema()
    schema["additionalProperties"] = True
    return schema


def install(app: FastAPI) -> None:
    """Replace `app.openapi` with one that declares the problem answers of every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
            _problem_schema()
        )
        public = {
            (method.lower(), route.path)
            for route in declared_routes(app)
            if route.access is Access.PUBLIC
            for method in route.methods
        }
        ref = {"$ref": "#/components/schemas/Problem"}
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                codes = ["404", "409", "422", "429"]
                # Public routes refuse too: a wrong password (401), a closed registration (403).
                if (method, path) not in public or method != "get":
                    codes += ["401", "403"]
                if "requestBody" in operation:
                    codes.append("413")
                responses = operation.setdefault("responses", {})
                for code in codes:
                    responses[code] = {
                        "description": _DESCRIPTIONS[code],
                        "content": {PROBLEM_JSON: {"schema": ref}},
                    }
        schemas = document["components"]["schemas"]
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
