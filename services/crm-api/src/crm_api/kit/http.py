"""Answers that carry the record's version as its ETag."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel


def with_etag(body: BaseModel | dict[str, Any], status_code: int = 200) -> JSONResponse:
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return JSONResponse(data, status_code=status_code, headers={"ETag": f'"{data["version"]}"'})
