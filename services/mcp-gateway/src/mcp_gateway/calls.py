"""One wrapper around every tool: who calls, may it, how fast, and the interaction log.

`agent_tool` turns `async def tool(call: Call, **arguments) -> SomeAnswer` into the function the
MCP server registers: the key and session are found (stdio: the process's key; HTTP: the
request's `X-API-Key` or bearer token), the key's rate and scope are checked, the tool runs, and
one entry goes to crm-api's interaction log with the tool's name, the digest of its arguments,
the records it touched, its outcome and its duration. The answer goes back as structured content
plus a text rendering in which untrusted text is fenced and labelled.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar, cast

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from crm_common.contracts.interactions import digest
from mcp_gateway.crm import CrmApi
from mcp_gateway.errors import Denied, GatewayError, Outcome
from mcp_gateway.identity import READ_SENSITIVE, Caller, KeyDirectory, KeyInfo
from mcp_gateway.ratelimit import RateLimiter
from mcp_gateway.schemas import Answer, Ref, WriteResult
from mcp_gateway.settings import Settings
from mcp_gateway.untrusted import Quoter, render

logger = logging.getLogger(__name__)

AnswerT = TypeVar("AnswerT", bound=BaseModel)


def key_from_headers(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


@dataclass
class Gateway:
    """What the tools share: settings, the crm-api client, the key directory, the limiter."""

    settings: Settings
    crm: CrmApi
    keys: KeyDirectory
    limiter: RateLimiter = field(default_factory=RateLimiter)
    # stdio serves one agent per process: its key from the settings, one session id per process.
    stdio_key: str | None = None
    stdio_session_id: str = field(default_factory=lambda: f"stdio-{uuid.uuid4()}")

    def credentials(self, headers: Mapping[str, str] | None) -> tuple[str, str]:
        """The key and the MCP session id of the message these headers came with.

        Raises:
            Denied: no key.
        """
        key = key_from_headers(headers)
        if key is None:
            if headers is None and self.stdio_key:
                return self.stdio_key, self.stdio_session_id
            raise Denied("no API key: send X-API-Key or Authorization: Bearer <key>")
        session = (headers or {}).get("mcp-session-id")
        if not session:
            # Stateless HTTP has no session; one per key over-counts what the agent has read,
            # which is the safe side of crm-api's untrusted-session rule.
            session = "key-" + hashlib.sha256(key.encode()).hexdigest()[:32]
        return key, session

    async def caller(self, headers: Mapping[str, str] | None) -> Caller:
        key, session = self.credentials(headers)
        info = await self.keys.lookup(key, session_id=session)
        return Caller(key=key, session_id=session, info=info)

    def rate_limit_for(self, info: KeyInfo) -> int:
        return info.rate_limit_per_minute or self.settings.default_rate_limit_per_minute


class GatewayServer(MCPServer):
    """The MCP server, holding the gateway its tools use."""

    def __init__(self, gateway: Gateway, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gateway = gateway


@dataclass(frozen=True)
class Call:
    """One tool call, as a tool body sees it."""

    gateway: Gateway
    caller: Caller
    tool: str
    arguments: Mapping[str, Any]

    @property
    def settings(self) -> Settings:
        return self.gateway.settings

    async def get(self, path: str, **params: Any) -> Any:
        return await self.gateway.crm.get(
            path, key=self.caller.key, session_id=self.caller.session_id, params=params
        )

    @property
    def quoter(self) -> Quoter:
        return Quoter(
            limit=self.settings.max_text_chars,
            redact=not self.caller.info.may(READ_SENSITIVE),
        )

    def idempotency_key(self, given: str | None) -> str:
        """The caller's key, else one derived from the session and the arguments, so a retried
        identical call in the same session is the same request to crm-api."""
        if given:
            return given
        arguments = {k: v for k, v in self.arguments.items() if k != "idempotency_key"}
        seed = f"{self.caller.session_id}\n{self.tool}\n{digest(arguments)}"
        return "mcp-" + hashlib.sha256(seed.encode()).hexdigest()[:48]


def _outcome_of(answer: BaseModel) -> Outcome:
    if isinstance(answer, WriteResult):
        return {"applied": "ok", "proposed": "proposed", "dry_run": "dry_run"}[answer.outcome]  # type: ignore[return-value]
    return "ok"


def _targets(answer: BaseModel | None, arguments: Mapping[str, Any]) -> list[Ref]:
    refs: list[Ref] = []
    if isinstance(answer, Answer):
        refs = list(answer.evidence)
    elif isinstance(answer, WriteResult):
        refs = list(answer.records)
    else:
        for name, kind in (
            ("entity_id", "entity"),
            ("contact_id", "contact"),
            ("organization_id", "organization"),
            ("opportunity_id", "opportunity"),
            ("follow_up_id", "follow_up"),
        ):
            value = arguments.get(name)
            if isinstance(value, str) and value:
                refs.append(Ref(type=kind, id=value))
    seen: dict[tuple[str, str], Ref] = {}
    for ref in refs:
        seen.setdefault((ref.type, ref.id), ref)
    return list(seen.values())[:100]


async def record(
    call: Call,
    *,
    outcome: Outcome,
    started: float,
    answer: BaseModel | None,
    summary: str,
) -> None:
    """Append the call to crm-api's interaction log, as the agent."""
    flags: list[str] = []
    if isinstance(answer, Answer) and answer.untrusted_content:
        flags.append("untrusted_content")
    if isinstance(answer, WriteResult) and answer.untrusted_session:
        flags.append("untrusted_session")
    entry = {
        "action": f"tool.{call.tool}",
        "channel": "mcp",
        "summary": summary[:2000],
        "targets": [r.model_dump() for r in _targets(answer, call.arguments)],
        "payload_digest": digest(dict(call.arguments)),
        "outcome": outcome,
        "duration_ms": max(0, round((time.perf_counter() - started) * 1000)),
        "flags": flags,
    }
    await call.gateway.crm.request(
        "POST",
        "/api/interactions",
        key=call.caller.key,
        session_id=call.caller.session_id,
        body=entry,
    )


async def record_or_note(call: Call, **kwargs: Any) -> None:
    """`record`, where a refusal of the append itself is noted rather than raised (crm-api takes
    a `tool.*` entry from any key that may read, so this is a key revoked mid-call)."""
    try:
        await record(call, **kwargs)
    except Denied:
        logger.warning(
            "crm-api refused the interaction-log entry of tool %s (key %s)",
            call.tool,
            call.caller.info.id or "?",
        )


def _summary(tool: str, answer: BaseModel | None, error: Exception | None) -> str:
    if error is not None:
        return f"{tool}: {type(error).__name__}: {error}"
    if isinstance(answer, WriteResult):
        return f"{tool}: {answer.outcome} ({len(answer.changes)} change(s))"
    if isinstance(answer, Answer):
        return f"{tool}: {len(answer.evidence)} record(s) read"
    return tool


def result_of(answer: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=render(answer))],
        structured_content=answer.model_dump(mode="json"),
    )


ToolBody = Callable[..., Awaitable[AnswerT]]


async def invoke(
    ctx: Context,
    *,
    name: str,
    scope: str,
    body: ToolBody[AnswerT],
    arguments: dict[str, Any],
) -> AnswerT:
    """Run one tool body for the caller of this MCP message, rate-limited, scope-checked and
    written to the interaction log whatever its outcome."""
    started = time.perf_counter()
    gateway = cast(GatewayServer, ctx.mcp_server).gateway
    caller = await gateway.caller(ctx.headers)
    call = Call(gateway=gateway, caller=caller, tool=name, arguments=arguments)
    try:
        gateway.limiter.take(caller.key_digest, per_minute=gateway.rate_limit_for(caller.info))
        if not caller.info.may(scope):
            raise Denied(f"this key lacks the `{scope}` scope that `{name}` needs")
        answer = await body(call, **arguments)
    except GatewayError as exc:
        await record_or_note(
            call,
            outcome=exc.outcome,
            started=started,
            answer=None,
            summary=_summary(name, None, exc),
        )
        raise
    await record_or_note(
        call,
        outcome=_outcome_of(answer),
        started=started,
        answer=answer,
        summary=_summary(name, answer, None),
    )
    return answer


def agent_tool(*, scope: str) -> Callable[[ToolBody[AnswerT]], Callable[..., Awaitable[Any]]]:
    """Make a tool body an MCP tool that is scope-checked, rate-limited and logged.

    The body's first parameter is the `Call`; the others are the tool's arguments, typed and
    described, and its return annotation is its answer's model (the output schema).
    """

    def decorate(body: ToolBody[AnswerT]) -> Callable[..., Awaitable[Any]]:
        name = body.__name__
        signature = inspect.signature(body, eval_str=True)
        answer_model = signature.return_annotation
        params = list(signature.parameters.values())[1:]
        ctx_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)

        @functools.wraps(body)
        async def tool(ctx: Context, **arguments: Any) -> CallToolResult:
            answer = await invoke(ctx, name=name, scope=scope, body=body, arguments=arguments)
            return result_of(answer)

        del tool.__wrapped__
        tool.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*params, ctx_param],
            return_annotation=Annotated[CallToolResult, answer_model],
        )
        tool.__annotations__ = {p.name: p.annotation for p in params} | {
            "ctx": Context,
            "return": Annotated[CallToolResult, answer_model],
        }
        tool.required_scope = scope  # type: ignore[attr-defined]
        tool.body = body  # type: ignore[attr-defined]
        return tool

    return decorate
