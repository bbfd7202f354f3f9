"""GET /api/export/{aggregate}: one route per aggregate, each taking that aggregate's list
filters as query parameters (without cursor and limit) and a format.

This module does not use postponed annotations: FastAPI reads the endpoints' annotations, which
must be the real (generated) query models.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from crm_api.auth.dependencies import Reader
from crm_api.database import utcnow
from crm_api.exports import service
from crm_api.exports.service import EXPORTS, MEDIA_TYPES, Export, ExportFormat
from crm_api.security.dependencies import untrusted_content

router = APIRouter(prefix="/api/export", tags=["exports"])


def query_model(export: Export) -> type[BaseModel]:
    """The export's query parameters: the domain's Filter fields but cursor and limit, and the
    format."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in export.filter_schema.model_fields.items()
        if name not in service.IGNORED
    }
    fields["format"] = (
        ExportFormat,
        Field(
            default=ExportFormat.CSV,
            description="csv (one header row), json (an array) or xlsx (one sheet, a header row)",
        ),
    )
    model: type[BaseModel] = create_model(
        f"{export.filter_schema.__name__}Export",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    return model


def _responses(export: Export) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": (
                f"The {export.name}, as an attachment: CSV with one header row (lists joined "
                "with '; '), a JSON array of records, or an XLSX workbook of one sheet with the "
                "CSV's header and cells (numbers as numbers)"
            ),
            "model": list[export.read_schema],  # type: ignore[name-defined]
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                MEDIA_TYPES[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }


def _add(export: Export) -> None:
    Params = query_model(export)

    def export_records(
        principal: Reader,
        request: Request,
        params: Annotated[Params, Query()],  # type: ignore[valid-type]
    ) -> StreamingResponse:
        db = request.app.state.db
        fmt: ExportFormat = params.format  # type: ignore[attr-defined]
        filters = service.filters_of(export, params)
        body = service.stream(db, export, filters, fmt)
        service.log(db, export=export, fmt=fmt, filters=filters, by=principal)
        name = service.filename(export, fmt, utcnow())
        return StreamingResponse(
            body,
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )

    router.add_api_route(
        f"/{export.name}",
        export_records,
        methods=["GET"],
        response_class=StreamingResponse,
        responses=_responses(export),
        # Communications' subjects and bodies are outside text (crm_api.agents.taint).
        dependencies=[untrusted_content] if export.name == "communications" else [],
        name=f"export_{export.name.replace('-', '_')}",
        summary=f"Export {export.name} (CSV, JSON or XLSX)",
        description=(
            f"Every {export.name} record matching the list filters, streamed. "
            "The export is recorded in the interaction log."
        ),
    )


for _export in EXPORTS:
    _add(_export)
