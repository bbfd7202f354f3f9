"""Mail, for signed-in users: gmail-sync's status, the team's mailboxes (enrol, pause, remove,
opt out), per-user OAuth, "sync now", re-matching, the matched mail of a contact, organization
or canonical entity, a message's text, and marking a message private.

Each route asks gmail-sync over NATS (`gmail.*`, crm_common.contracts.gmail); with gmail-sync
down it answers 503, and gmail-sync's own refusals (404, 409, 422) pass through as they came.
gmail-sync trusts its callers on the bus, so crm-api authorizes here: reads need read access;
a user enrols, pauses, resumes, opts out or removes their own mailbox; another's, enrolling
every user, syncing every mailbox and re-matching need admin. A message is marked private by a
user whose mailbox holds it, or an admin.

Mail is outside text: its subjects, addresses and words mark an agent's session untrusted
(crm_api.security), and clients render it as text, never as HTML. gmail-sync serves only
matched, live, non-private mail. Every write is a touch in the interaction log.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from crm_api.auth.dependencies import Admin, McpSession, Public, Reader, Writer
from crm_api.auth.errors import NotAllowed
from crm_api.auth.principal import Principal
from crm_api.canonical import service as canonical
from crm_api.database import ReadSession
from crm_api.email import service
from crm_api.email.schemas import AccountAction, EnrollBody, MessagesQuery, SyncRunBody
from crm_api.remote import Remote, RemoteError, RemoteUnavailable, unavailable
from crm_api.security.dependencies import UntrustedContent
from crm_common.contracts import gmail as contract
from crm_common.errors import PROBLEM_JSON, NotFound

router = APIRouter(prefix="/api/email", tags=["email"])

UNAVAILABLE = unavailable("gmail-sync")

AccountId = Annotated[str, Path(min_length=1, max_length=64)]
MessageId = Annotated[str, Path(min_length=1, max_length=128)]
RecordId = Annotated[str, Path(min_length=1, max_length=64)]

# Where the browser lands after Google's consent screen: the web app's Account screen.
ACCOUNT_SCREEN = "/account"


class AccountNotFound(NotFound):
    title = "Mail account not found"
    slug = "not-found"


def _own_or_admin(principal: Principal, user_id: str, what: str) -> None:
    if principal.user_id != user_id and not principal.is_admin:
        raise NotAllowed(f"only its owner or an admin may {what}")


async def _account(services: Remote, account_id: str) -> contract.AccountRead:
    found = await services.call(
        contract.SUBJECT_STATUS, contract.StatusRequest(runs=0), contract.StatusResponse
    )
    for account in found.accounts:
        if account.id == account_id:
            return account
    raise AccountNotFound(f"no mail account {account_id}")


async def _log(
    request: Request,
    principal: Principal,
    *,
    action: str,
    channel: str,
    targets: list[tuple[str, str]],
    summary: str,
    payload: Any = None,
    mcp_session: str | None = None,
) -> None:
    await run_in_threadpool(
        service.log,
        request.app.state.db,
        actor=principal.actor,
        action=action,
        channel=channel,
        targets=targets,
        summary=summary,
        payload=payload,
        session_id=mcp_session,
    )


# -- status and accounts --------------------------------------------------------------------------


def _visible(principal: Principal, found: contract.StatusResponse) -> contract.StatusResponse:
    """An admin sees every mailbox; anyone else only their own (a colleague's address, status
    and sync history are theirs), with only those mailboxes' runs."""
    if principal.is_admin:
        return found
    mine = [a for a in found.accounts if a.user_id == principal.user_id]
    ids = {a.id for a in mine}
    runs = [r for r in found.recent_runs if r.account_id in ids]
    return found.model_copy(update={"accounts": mine, "recent_runs": runs})


@router.get("/status", response_model=contract.StatusResponse, responses=UNAVAILABLE)
async def mail_status(
    principal: Reader,
    services: Remote,
    runs: Annotated[int, Query(ge=0, le=200, description="How many recent runs")] = 20,
) -> contract.StatusResponse:
    """gmail-sync's state: the mailboxes with their status and last sync (every one for an
    admin, your own otherwise), their recent sync runs, how many messages it holds and how many
    matched the CRM, and whether the service account and per-user OAuth are configured."""
    found = await services.call(
        contract.SUBJECT_STATUS, contract.StatusRequest(runs=runs), contract.StatusResponse
    )
    return _visible(principal, found)


@router.get("/accounts", response_model=contract.AccountsResponse, responses=UNAVAILABLE)
async def accounts(principal: Reader, services: Remote) -> contract.AccountsResponse:
    """The team's mailboxes for an admin; your own otherwise."""
    found = await services.call(
        contract.SUBJECT_STATUS, contract.StatusRequest(runs=0), contract.StatusResponse
    )
    return contract.AccountsResponse(accounts=_visible(principal, found).accounts)


@router.post(
    "/accounts",
    response_model=contract.AccountRead,
    status_code=status.HTTP_201_CREATED,
    responses=UNAVAILABLE,
)
async def enroll(
    principal: Writer, body: EnrollBody, request: Request, services: Remote
) -> contract.AccountRead:
    """Enrol a user's mailbox (yours by default; another user's needs admin) at the address of
    their CRM account. Enrolling an enrolled mailbox again changes nothing."""
    user_id = body.user_id or principal.user_id
    _own_or_admin(principal, user_id, "enrol a mailbox")
    member = await run_in_threadpool(service.team_member, request.app.state.db, user_id=user_id)
    account = await services.call(
        contract.SUBJECT_ACCOUNTS_ENROLL,
        contract.EnrollRequest(
            user_id=member.user_id, email=member.email, auth_kind=body.auth_kind
        ),
        contract.AccountRead,
    )
    await _log(
        request,
        principal,
        action="email.account.enroll",
        channel="POST /api/email/accounts",
        targets=[("email_account", account.id), ("user", user_id)],
        summary=f"enrolled {account.email} ({account.auth_kind})",
        payload=body.model_dump(mode="json"),
    )
    return account


@router.post(
    "/accounts/enroll-all", response_model=contract.AccountsResponse, responses=UNAVAILABLE
)
async def enroll_all(
    principal: Admin, request: Request, services: Remote
) -> contract.AccountsResponse:
    """Enrol every active user with an email address through the service account. A mailbox
    someone removed, or one in error, is left as it is."""
    team = await run_in_threadpool(service.team, request.app.state.db)
    enrolled = await services.call(
        contract.SUBJECT_ACCOUNTS_ENROLL_ALL,
        contract.EnrollAllRequest(users=team),
        contract.AccountsResponse,
        timeout=30.0,
    )
    await _log(
        request,
        principal,
        action="email.account.enroll_all",
        channel="POST /api/email/accounts/enroll-all",
        targets=[("email_account", a.id) for a in enrolled.accounts],
        summary=f"enrolled {len(enrolled.accounts)} mailboxes",
    )
    return enrolled


@router.post(
    "/accounts/{account_id}/{action}", response_model=contract.AccountRead, responses=UNAVAILABLE
)
async def change_account(
    principal: Writer,
    account_id: AccountId,
    action: AccountAction,
    request: Request,
    services: Remote,
) -> contract.AccountRead:
    """Pause or resume a mailbox's sync, remove it, or opt it out of (or back into) the CRM:
    opting out also withdraws the mail only that mailbox held. Your own mailbox, or any as an
    admin."""
    account = await _account(services, account_id)
    _own_or_admin(principal, account.user_id, f"{action} a mailbox")
    changed = await services.call(
        contract.SUBJECT_ACCOUNTS_CHANGE,
        contract.AccountChangeRequest(
            account_id=account_id,
            action="opt_out" if action == "opt-out" else "opt_in" if action == "opt-in" else action,
        ),
        contract.AccountRead,
    )
    await _log(
        request,
        principal,
        action=f"email.account.{action.replace('-', '_')}",
        channel=f"POST /api/email/accounts/{{id}}/{action}",
        targets=[("email_account", account_id), ("user", account.user_id)],
        summary=f"{action} {account.email}",
    )
    return changed


# -- per-user OAuth -------------------------------------------------------------------------------


@router.post("/oauth/start", response_model=contract.OAuthStartResponse, responses=UNAVAILABLE)
async def oauth_start(
    principal: Writer, request: Request, services: Remote
) -> contract.OAuthStartResponse:
    """Start authorizing your own mailbox: send the browser to `url` (Google's consent screen);
    Google sends it back to `/api/email/oauth/callback`."""
    member = await run_in_threadpool(
        service.team_member, request.app.state.db, user_id=principal.user_id
    )
    return await services.call(
        contract.SUBJECT_OAUTH_START,
        contract.OAuthStartRequest(user_id=member.user_id, email=member.email),
        contract.OAuthStartResponse,
    )


@router.get(
    "/oauth/callback",
    response_class=RedirectResponse,
    status_code=status.HTTP_303_SEE_OTHER,
    responses={303: {"description": "Back to the app's Account screen, `?mail=` the outcome"}},
)
async def oauth_callback(
    _: Public,
    request: Request,
    services: Remote,
    state: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    code: Annotated[str | None, Query(min_length=1, max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Where Google sends the browser after consent. No session is needed: the state token
    (good once, short-lived, checked by gmail-sync) names the user who started it. The browser
    goes back to the Account screen with `?mail=connected`, `denied`, `failed` or
    `unavailable`."""
    if error is not None or state is None or code is None:
        return _back("denied" if error is not None else "failed")
    try:
        account = await services.call(
            contract.SUBJECT_OAUTH_FINISH,
            contract.OAuthFinishRequest(state=state, code=code),
            contract.AccountRead,
            timeout=15.0,
        )
    except RemoteUnavailable:
        return _back("unavailable")
    except RemoteError:
        return _back("failed")
    actor = await run_in_threadpool(
        service.user_actor, request.app.state.db, user_id=account.user_id
    )
    await run_in_threadpool(
        service.log,
        request.app.state.db,
        actor=actor,
        action="email.account.authorize",
        channel="GET /api/email/oauth/callback",
        targets=[("email_account", account.id), ("user", account.user_id)],
        summary=f"authorized {account.email}",
    )
    return _back("connected")


def _back(outcome: str) -> RedirectResponse:
    return RedirectResponse(f"{ACCOUNT_SCREEN}?mail={outcome}", status_code=303)


# -- sync and matching ----------------------------------------------------------------------------


@router.post("/sync/run", response_model=contract.SyncRunResponse, responses=UNAVAILABLE)
async def sync_now(
    principal: Writer, body: SyncRunBody, request: Request, services: Remote
) -> contract.SyncRunResponse:
    """Sync now: your own mailbox (its account id), or every active one (admin)."""
    if body.account_id is None:
        if not principal.is_admin:
            raise NotAllowed("only an admin may sync every mailbox")
        owner = None
    else:
        owner = (await _account(services, body.account_id)).user_id
        _own_or_admin(principal, owner, "sync a mailbox")
    queued = await services.call(
        contract.SUBJECT_SYNC_RUN,
        contract.SyncRunRequest(account_id=body.account_id),
        contract.SyncRunResponse,
    )
    await _log(
        request,
        principal,
        action="email.sync.run",
        channel="POST /api/email/sync/run",
        targets=[("email_account", a) for a in queued.queued],
        summary=f"sync queued for {len(queued.queued)} mailboxes",
        payload=body.model_dump(mode="json"),
    )
    return queued


@router.post("/rematch", response_model=contract.RematchResponse, responses=UNAVAILABLE)
async def rematch(principal: Admin, request: Request, services: Remote) -> contract.RematchResponse:
    """Match every live message against the CRM afresh, on each mailbox's next sync."""
    flagged = await services.call(
        contract.SUBJECT_REMATCH, contract.RematchRequest(), contract.RematchResponse, timeout=30.0
    )
    await _log(
        request,
        principal,
        action="email.rematch",
        channel="POST /api/email/rematch",
        targets=[],
        summary=f"{flagged.flagged} messages flagged to match again",
    )
    return flagged


# -- messages -------------------------------------------------------------------------------------


async def _page(
    services: Remote, entity_id: str | None, query: MessagesQuery, trust: Any
) -> contract.MessagesPage:
    if entity_id is None:  # the resolver has not placed the record yet: no mail can match it
        trust.served(has_outside_text=False)
        return contract.MessagesPage(items=[])
    page = await services.call(
        contract.SUBJECT_MESSAGES_OF_ENTITY,
        contract.MessagesOfEntityRequest(
            entity_id=entity_id, limit=query.limit, cursor=query.cursor
        ),
        contract.MessagesPage,
    )
    trust.served(has_outside_text=bool(page.items))
    return page


@router.get(
    "/entities/{entity_id}/messages", response_model=contract.MessagesPage, responses=UNAVAILABLE
)
async def entity_messages(
    _: Reader,
    entity_id: RecordId,
    query: Annotated[MessagesQuery, Query()],
    services: Remote,
    trust: UntrustedContent,
) -> contract.MessagesPage:
    """The matched mail of a canonical entity (the resolver's id), newest first, a page at a
    time: headers, participants and links, no text (GET /api/email/messages/{id})."""
    return await _page(services, entity_id, query, trust)


@router.get(
    "/contacts/{record_id}/messages", response_model=contract.MessagesPage, responses=UNAVAILABLE
)
async def contact_messages(
    _: Reader,
    record_id: RecordId,
    query: Annotated[MessagesQuery, Query()],
    session: ReadSession,
    services: Remote,
    trust: UntrustedContent,
) -> contract.MessagesPage:
    """The matched mail of a contact (through its canonical entity), newest first."""
    found = canonical.canonical_for(session, source_kind="contact", source_id=record_id)
    return await _page(services, found.entity_id if found else None, query, trust)


@router.get(
    "/organizations/{record_id}/messages",
    response_model=contract.MessagesPage,
    responses=UNAVAILABLE,
)
async def organization_messages(
    _: Reader,
    record_id: RecordId,
    query: Annotated[MessagesQuery, Query()],
    session: ReadSession,
    services: Remote,
    trust: UntrustedContent,
) -> contract.MessagesPage:
    """The matched mail of an organization (through its canonical entity), newest first."""
    found = canonical.canonical_for(session, source_kind="organization", source_id=record_id)
    return await _page(services, found.entity_id if found else None, query, trust)


@router.get("/messages/{message_id}", response_model=contract.MessageRead, responses=UNAVAILABLE)
async def message(
    _: Reader, message_id: MessageId, services: Remote, trust: UntrustedContent
) -> contract.MessageRead:
    """A matched message with its text (outside text: render it as text, never as HTML) and its
    attachments' names, types and sizes. Unmatched and private mail is a 404."""
    found = await services.call(
        contract.SUBJECT_MESSAGE_GET,
        contract.MessageGetRequest(id=message_id),
        contract.MessageRead,
    )
    trust.served(has_outside_text=True)
    return found


@router.get(
    "/messages/{message_id}/attachments/{sha256}",
    response_class=Response,
    responses={
        **UNAVAILABLE,
        200: {
            "description": "The file, as a download",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
        413: {
            "description": "Stored, but larger than gmail-sync serves",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
)
async def attachment(
    _: Reader,
    message_id: MessageId,
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    services: Remote,
    trust: UntrustedContent,
) -> Response:
    """A stored attachment of a matched message (by its SHA-256, listed on the message), as a
    download: outside content, never shown inline."""
    found = await services.call(
        contract.SUBJECT_ATTACHMENT_GET,
        contract.AttachmentGetRequest(id=message_id, sha256=sha256),
        contract.AttachmentContent,
        timeout=15.0,
    )
    trust.served(has_outside_text=True)
    name = found.filename or f"attachment-{sha256[:12]}"
    return Response(
        base64.b64decode(found.content_base64),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": _attachment_disposition(name),
            "X-Content-Type-Options": "nosniff",
        },
    )


def _attachment_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the RFC 5987 UTF-8 name."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post(
    "/messages/{message_id}/private",
    response_model=contract.GmailMessageData,
    responses=UNAVAILABLE,
)
async def mark_private(
    principal: Writer,
    message_id: MessageId,
    request: Request,
    services: Remote,
    mcp_session: McpSession = None,
) -> contract.GmailMessageData:
    """Mark a message private: its text and links are dropped everywhere and no sync brings it
    back. By a user whose mailbox holds it, or an admin."""
    if not principal.is_admin:
        held = await services.call(
            contract.SUBJECT_MESSAGE_GET,
            contract.MessageGetRequest(id=message_id),
            contract.MessageRead,
        )
        if principal.user_id not in held.message.mailbox_user_ids:
            raise NotAllowed("only a user whose mailbox holds it, or an admin, may mark it private")
    retracted = await services.call(
        contract.SUBJECT_MARK_PRIVATE,
        contract.MarkPrivateRequest(id=message_id, user_id=principal.user_id),
        contract.GmailMessageData,
    )
    await _log(
        request,
        principal,
        action="email.message.private",
        channel="POST /api/email/messages/{id}/private",
        targets=[("email_message", message_id)],
        summary="marked a message private",
        mcp_session=mcp_session,
    )
    return retracted
