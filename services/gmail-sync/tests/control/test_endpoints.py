"""The request-reply surface crm-api's /api/email routes call, on the running service: enrol
every user, status, sync now, opt out (its mail withdrawn), rematch, mark private, and the
problems a bad request gets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TypeVar

import anyio
import pytest
from gmail_sync_helpers import (
    KNOWN,
    TEAM_USERS,
    RunningResolver,
    by_message_id,
    events,
    known_contact,
)
from pydantic import BaseModel

from crm_common.bus.connection import Bus
from crm_common.bus.service import ServiceCallError, call
from crm_common.contracts import gmail as contract
from crm_common.db import Database
from crm_common.testing import eventually
from gmail_fake import GoogleFake
from gmail_fake.testing import make_message
from gmail_sync.app import Services, build_runtime
from gmail_sync.settings import Settings

pytestmark = pytest.mark.anyio

ANN = "ann@fund.example"
R = TypeVar("R", bound=BaseModel)


@pytest.fixture
async def service(gmail_db: Database, settings: Settings, bus: Bus) -> AsyncIterator[Services]:
    services = Services()
    runtime = build_runtime(
        settings.model_copy(update={"sync_interval_seconds": 3600}), gmail_db, services
    )
    await runtime.start()
    try:
        with anyio.fail_after(15):
            await runtime.ready.wait()

        async def serving() -> bool:
            try:
                await call(
                    bus.nc,
                    contract.SUBJECT_STATUS,
                    contract.StatusRequest(),
                    contract.StatusResponse,
                    timeout=1,
                )
            except Exception:  # not subscribed yet
                return False
            return True

        await eventually(serving, what="gmail-sync answering", within=15)
        yield services
    finally:
        await runtime.stop()


async def test_every_subject_is_served_and_none_falls_in_the_gmail_stream(
    bus: Bus, service: Services
) -> None:
    info = await bus.nc.request("$SRV.INFO.gmail", b"", timeout=5)
    subjects = {e["subject"] for e in json.loads(info.data)["endpoints"]}
    assert subjects == {*contract.SUBJECTS, *contract.ADMIN_SUBJECTS}
    assert not [s for s in subjects if s.startswith("gmail.message.")]
    refused = await bus.nc.request(contract.SUBJECT_MESSAGE_GET, b"not json", timeout=5)
    assert (refused.headers or {}).get("Nats-Service-Error-Code") == "422"


async def ask(bus: Bus, subject: str, request: BaseModel, response: type[R]) -> R:
    return await call(bus.nc, subject, request, response, timeout=10)


async def test_a_person_enrols_the_team_syncs_now_and_reads_the_status(
    gmail_db: Database,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
    service: Services,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, make_message(sender=KNOWN, to=ANN, message_id="<s@x.example>"))
    users = [contract.TeamMember(user_id=u, email=e) for e, u in TEAM_USERS.items()]

    enrolled = await ask(
        bus,
        contract.SUBJECT_ACCOUNTS_ENROLL_ALL,
        contract.EnrollAllRequest(users=users),
        contract.AccountsResponse,
    )
    assert sorted(a.email for a in enrolled.accounts) == sorted(TEAM_USERS)
    queued = await ask(
        bus, contract.SUBJECT_SYNC_RUN, contract.SyncRunRequest(), contract.SyncRunResponse
    )
    assert len(queued.queued) == 3

    async def synced() -> contract.StatusResponse:
        status = await ask(
            bus, contract.SUBJECT_STATUS, contract.StatusRequest(), contract.StatusResponse
        )
        assert all(a.last_sync_at is not None for a in status.accounts), status
        return status

    status = await eventually(synced, what="every account synced", within=30)
    assert status.messages == 1
    assert status.matched_messages == 1
    assert status.service_account_configured
    assert {a.phase for a in status.accounts} == {"incremental"}


async def test_opting_out_withdraws_the_mailbox_and_mark_private_retracts_a_message(
    gmail_db: Database,
    google_fake: GoogleFake,
    resolver: RunningResolver,
    bus: Bus,
    service: Services,
) -> None:
    await known_contact(resolver)
    google_fake.add_message(ANN, make_message(sender=KNOWN, to=ANN, message_id="<a@x.example>"))
    google_fake.add_message(
        "ben@fund.example",
        make_message(sender=KNOWN, to="ben@fund.example", message_id="<b@x.example>"),
    )
    accounts = {}
    for email, user_id in TEAM_USERS.items():
        read = await ask(
            bus,
            contract.SUBJECT_ACCOUNTS_ENROLL,
            contract.EnrollRequest(user_id=user_id, email=email),
            contract.AccountRead,
        )
        accounts[email] = read.id
    await eventually(
        lambda: (
            by_message_id(gmail_db, "<a@x.example>") is not None
            and by_message_id(gmail_db, "<b@x.example>") is not None
        ),
        what="both messages synced",
        within=30,
    )

    opted = await ask(
        bus,
        contract.SUBJECT_ACCOUNTS_CHANGE,
        contract.AccountChangeRequest(account_id=accounts[ANN], action="opt_out"),
        contract.AccountRead,
    )
    assert opted.is_opted_out
    withdrawn = by_message_id(gmail_db, "<a@x.example>")
    assert withdrawn is not None
    assert withdrawn.deleted_at is not None
    assert events(gmail_db)[-1].type == "gmail.message.deleted"

    kept = by_message_id(gmail_db, "<b@x.example>")
    assert kept is not None
    retracted = await ask(
        bus,
        contract.SUBJECT_MARK_PRIVATE,
        contract.MarkPrivateRequest(id=kept.id, user_id="u-ben"),
        contract.GmailMessageData,
    )
    assert retracted.is_private
    assert retracted.deleted_at is not None
    with pytest.raises(ServiceCallError) as hidden:
        await ask(
            bus,
            contract.SUBJECT_MESSAGE_GET,
            contract.MessageGetRequest(id=kept.id),
            contract.MessageRead,
        )
    assert hidden.value.status == 404

    flagged = await ask(
        bus, contract.SUBJECT_REMATCH, contract.RematchRequest(), contract.RematchResponse
    )
    assert flagged.flagged == 0  # nothing live is left to match again
    with pytest.raises(ServiceCallError) as missing:
        await ask(
            bus,
            contract.SUBJECT_ACCOUNTS_CHANGE,
            contract.AccountChangeRequest(account_id="nope", action="pause"),
            contract.AccountRead,
        )
    assert missing.value.status == 404
    with pytest.raises(ServiceCallError) as conflict:
        await ask(
            bus,
            contract.SUBJECT_ACCOUNTS_ENROLL,
            contract.EnrollRequest(user_id="u-other", email=ANN),
            contract.AccountRead,
        )
    assert conflict.value.status == 409
