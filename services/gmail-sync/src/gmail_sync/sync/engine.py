"""One account's sync: backfill in pages, then incremental from the History API.

- Backfill: messages.list page by page (newest first), each page's messages fetched raw in
  batches, parsed, matched (the resolver, before the transaction), and stored in ONE transaction
  with the token of the next page. A crash loses at most the page in hand, which the restart
  fetches again from the saved token; upserts by Message-ID and by (mailbox, Gmail id) make the
  repeat (or a page Google serves twice) change nothing. The mailbox's historyId is saved when
  backfill begins, and incremental sync starts from it, so what changed during the backfill is
  picked up after.
- Incremental: history.list from the saved historyId: new messages fetched raw, relabelled ones
  re-read (format=minimal) for their labels, deleted ones' sightings deleted. The new historyId
  is saved with the last write.
- Expired history (404): a full re-list: every id listed, the unknown fetched, the vanished
  deleted, the rest re-read for labels.
- A credential Google refuses sets the account's status to error with the reason and ends only
  this account's run. The resolver or Google being unavailable ends the run with the error
  recorded; the next run resumes.

The engine is synchronous (the Google client is): the scheduler runs it in a worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from googleapiclient.errors import HttpError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from crm_common.db import Database
from gmail_sync.accounts import credentials as google_credentials
from gmail_sync.accounts import service as accounts
from gmail_sync.accounts.crypto import TokenCipher
from gmail_sync.accounts.errors import CredentialsNotConfigured, TokenUndecryptable
from gmail_sync.accounts.service import AccountRef
from gmail_sync.database import utcnow
from gmail_sync.mail import privacy
from gmail_sync.mail import repository as mail_repository
from gmail_sync.mail import service as mail
from gmail_sync.matching.service import Match, Matcher, MatchingUnavailable
from gmail_sync.messages import AttachmentStore, parse
from gmail_sync.settings import Settings
from gmail_sync.sync.google import (
    AccountAuthError,
    GmailApi,
    HistoryExpired,
    QuotaBudget,
    RawMessage,
    RetriesExhausted,
    history_changes,
)
from gmail_sync.sync.models import SyncRun, SyncState

logger = logging.getLogger(__name__)

_WRITE_ATTEMPTS = 3


@dataclass(frozen=True)
class RunResult:
    account_id: str
    kind: str
    counts: dict[str, int]
    error: str | None
    is_complete: bool


class _Stopped(Exception):
    pass


class SyncEngine:
    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        matcher: Matcher,
        cipher: TokenCipher | None = None,
        store: AttachmentStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.settings = settings
        self.matcher = matcher
        self.cipher = cipher or TokenCipher.from_settings(settings)
        if store is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.ctx = mail.MailContext(
            rules=privacy.PrivacyRules.from_settings(settings),
            store=store
            or AttachmentStore.for_data_dir(
                settings.data_dir, max_bytes=settings.max_attachment_bytes
            ),
        )
        self._sleep = sleep
        self._stopping = threading.Event()
        # One budget per account for the life of the process: Google's per-user limit holds
        # across runs, and a run that follows another at once starts from what is left.
        self._budgets: dict[str, QuotaBudget] = {}
        self._budgets_lock = threading.Lock()

    def _quota(self, account_id: str) -> QuotaBudget:
        with self._budgets_lock:
            budget = self._budgets.get(account_id)
            if budget is None:
                budget = QuotaBudget(self.settings.quota_units_per_second, sleep=self._sleep)
                self._budgets[account_id] = budget
            return budget

    def stop(self) -> None:
        """Finish the page in hand, then return from every run."""
        self._stopping.set()

    # -- a run ----------------------------------------------------------------------------------

    def sync_account(self, account_id: str, *, max_pages: int | None = None) -> RunResult:
        """Sync one account once: the rest of its backfill (at most `max_pages` pages), or its
        changes since the last run."""
        with self.db.session() as session:
            account = AccountRef.of(accounts.get(session, account_id=account_id))
            state = session.get(SyncState, account_id)
            kind = "backfill" if state is None or state.phase == "backfill" else "incremental"
        if account.status != "active" or account.is_opted_out:
            reason = "opted out" if account.is_opted_out else account.status
            return RunResult(account_id, "skipped", {}, reason, is_complete=True)
        with self.db.transaction() as session:
            run = SyncRun(account_id=account_id, kind=kind, started_at=utcnow())
            session.add(run)
        counts: Counter[str] = Counter()
        error: str | None = None
        is_complete = False
        api: GmailApi | None = None
        try:
            creds, stored_token = self._credentials(account)
            api = GmailApi(self.settings, creds, sleep=self._sleep, quota=self._quota(account.id))
            current = api.profile_history_id()
            self._keep_rotated_token(account, creds, stored_token)
            excluded = self.ctx.rules.excluded_label_ids(api.labels())
            if kind == "backfill":
                is_complete = self._backfill(api, account, current, excluded, counts, max_pages)
            else:
                try:
                    self._incremental(api, account, excluded, counts)
                except HistoryExpired:
                    logger.info("history of %s expired; listing the mailbox again", account.email)
                    kind = "relist"
                    self._relist(api, account, current, excluded, counts)
                is_complete = True
            if is_complete:
                self._rematch(api, account, excluded, counts)
        except AccountAuthError as exc:
            error = exc.detail
            self._fail_account(account_id, exc.detail)
        except (CredentialsNotConfigured, TokenUndecryptable) as exc:
            error = exc.detail or exc.title
            self._fail_account(account_id, error)
        except _Stopped:
            error = "stopped with the service; resumes on the next run"
        except (MatchingUnavailable, RetriesExhausted) as exc:
            error = str(exc)
            logger.warning("sync of %s ended early: %s", account.email, error)
        except HttpError as exc:
            error = f"Google answered {exc.resp.status}: {exc.reason}"
            logger.warning("sync of %s ended early: %s", account.email, error)
        except Exception as exc:  # the top of an account's run: record it, keep the others going
            logger.exception("sync of %s failed", account.email)
            error = f"unexpected {type(exc).__name__}; see the service log"
        finally:
            if api is not None:
                counts["retries"] += api.retries
                api.close()
        self._finish(run.id, account_id, kind, counts, error, is_complete)
        return RunResult(account_id, kind, dict(counts), error, is_complete)

    def _finish(
        self,
        run_id: str,
        account_id: str,
        kind: str,
        counts: Counter[str],
        error: str | None,
        is_complete: bool,
    ) -> None:
        now = utcnow()
        with self.db.transaction() as session:
            run = session.get(SyncRun, run_id)
            assert run is not None
            run.kind = kind
            run.finished_at = now
            for name in (
                "fetched",
                "created",
                "updated",
                "deleted",
                "withheld",
                "failed",
                "retries",
            ):
                setattr(run, name, counts[name])
            run.error = error[:2000] if error else None
            if error is None:
                accounts.mark_synced(
                    session,
                    account_id=account_id,
                    at=now,
                    seen=counts["created"],
                    withheld=counts["withheld"],
                )

    def _fail_account(self, account_id: str, detail: str) -> None:
        logger.warning("account %s: %s", account_id, detail)
        with self.db.transaction() as session:
            accounts.mark_error(session, account_id=account_id, detail=detail)

    # -- credentials ----------------------------------------------------------------------------

    def _credentials(self, account: AccountRef) -> tuple[Any, str | None]:
        if account.auth_kind == "service_account":
            return google_credentials.delegated(self.settings, subject=account.email), None
        with self.db.transaction() as session:
            token = accounts.load_refresh_token(session, self.cipher, account_id=account.id)
        return google_credentials.user_grant(self.settings, refresh_token=token), token

    def _keep_rotated_token(self, account: AccountRef, creds: Any, stored: str | None) -> None:
        fresh = getattr(creds, "refresh_token", None)
        if stored is None or not fresh or fresh == stored:
            return
        with self.db.transaction() as session:
            accounts.store_refresh_token(
                session,
                self.cipher,
                account_id=account.id,
                refresh_token=fresh,
                scopes=" ".join(getattr(creds, "scopes", None) or []),
            )

    # -- the phases -----------------------------------------------------------------------------

    def _backfill(
        self,
        api: GmailApi,
        account: AccountRef,
        current_history_id: int,
        excluded: frozenset[str],
        counts: Counter[str],
        max_pages: int | None,
    ) -> bool:
        with self.db.transaction() as session:
            state = session.get(SyncState, account.id)
            if state is None:
                state = SyncState(account_id=account.id, phase="backfill")
                session.add(state)
            if state.start_history_id is None:
                state.start_history_id = current_history_id
                state.backfill_started_at = utcnow()
            token = state.page_token
        pages = 0
        while True:
            self._check_stopping()
            ids, next_token = api.list_page(token, self.settings.backfill_page_size)

            def advance(
                session: Session, ids: list[str] = ids, next_token: str | None = next_token
            ) -> None:
                state = session.get(SyncState, account.id)
                assert state is not None
                state.page_token = next_token
                state.pages_done += 1
                state.messages_done += len(ids)
                state.updated_at = utcnow()
                if next_token is None:
                    state.phase = "incremental"
                    state.history_id = state.start_history_id
                    state.backfill_done_at = utcnow()

            self._store(api, account, ids, excluded, counts, after=advance)
            if next_token is None:
                return True
            token = next_token
            pages += 1
            if max_pages is not None and pages >= max_pages:
                return False

    def _incremental(
        self, api: GmailApi, account: AccountRef, excluded: frozenset[str], counts: Counter[str]
    ) -> None:
        with self.db.session() as session:
            state = session.get(SyncState, account.id)
            assert state is not None
            assert state.history_id is not None
            start = state.history_id
        records, latest = api.history(start)
        added, relabelled, deleted = history_changes(records)
        with self.db.session() as session:
            known = mail_repository.sightings_by_gmail_ids(session, account.id, added | relabelled)
        new = sorted(i for i in added if i not in known)
        reread = sorted((relabelled | added) - set(new))
        new += self._relabel(api, account, reread, excluded, counts)
        with self.db.transaction() as session:
            for gmail_id in sorted(deleted):
                if mail.remove_sighting(session, account=account, gmail_id=gmail_id):
                    counts["deleted"] += 1
        self._store_all(api, account, new, excluded, counts, history_id=latest)

    def _relist(
        self,
        api: GmailApi,
        account: AccountRef,
        current_history_id: int,
        excluded: frozenset[str],
        counts: Counter[str],
    ) -> None:
        listed: list[str] = []
        token: str | None = None
        while True:
            self._check_stopping()
            ids, token = api.list_page(token, 500)
            listed.extend(ids)
            if not token:
                break
        with self.db.session() as session:
            known = mail_repository.live_gmail_ids(session, account.id)
        seen = set(listed)
        new = [i for i in listed if i not in known]
        new += self._relabel(api, account, [i for i in listed if i in known], excluded, counts)
        with self.db.transaction() as session:
            for gmail_id in sorted(known - seen):
                if mail.remove_sighting(session, account=account, gmail_id=gmail_id):
                    counts["deleted"] += 1
        self._store_all(api, account, new, excluded, counts, history_id=current_history_id)

    def _rematch(
        self, api: GmailApi, account: AccountRef, excluded: frozenset[str], counts: Counter[str]
    ) -> None:
        """Fetch again, and match afresh, the flagged messages this mailbox holds."""
        done: set[str] = set()
        while True:
            self._check_stopping()
            with self.db.session() as session:
                ids = mail_repository.to_rematch(
                    session, account.id, limit=self.settings.backfill_page_size
                )
            ids = [i for i in ids if i not in done]
            if not ids:
                return
            done.update(ids)
            before = counts["updated"] + counts["unchanged"]
            self._store(api, account, ids, excluded, counts, after=None)
            counts["rematched"] += counts["updated"] + counts["unchanged"] - before

    def _relabel(
        self,
        api: GmailApi,
        account: AccountRef,
        ids: Sequence[str],
        excluded: frozenset[str],
        counts: Counter[str],
    ) -> list[str]:
        """Apply the current labels of messages already known; returns those to fetch whole."""
        whole: list[str] = []
        size = self.settings.backfill_page_size
        for start in range(0, len(ids), size):
            self._check_stopping()
            chunk = list(ids[start : start + size])
            found = api.get_many(chunk, fmt="minimal")
            with self.db.transaction() as session:
                for gmail_id in chunk:
                    item = found.get(gmail_id)
                    if item is None:
                        if mail.remove_sighting(session, account=account, gmail_id=gmail_id):
                            counts["deleted"] += 1
                        continue
                    if mail.relabel(
                        session,
                        account=account,
                        gmail_id=gmail_id,
                        label_ids=item.label_ids,
                        excluded_label_ids=excluded,
                    ):
                        whole.append(gmail_id)
        return whole

    def _store_all(
        self,
        api: GmailApi,
        account: AccountRef,
        ids: Sequence[str],
        excluded: frozenset[str],
        counts: Counter[str],
        *,
        history_id: int,
    ) -> None:
        """Fetch and store `ids` page by page; the last write saves `history_id`."""

        def save_history(session: Session) -> None:
            state = session.get(SyncState, account.id)
            assert state is not None
            state.phase = "incremental"
            state.history_id = history_id
            state.updated_at = utcnow()

        size = self.settings.backfill_page_size
        chunks = [list(ids[i : i + size]) for i in range(0, len(ids), size)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            self._check_stopping()
            last = number == len(chunks)
            self._store(api, account, chunk, excluded, counts, after=save_history if last else None)

    def _store(
        self,
        api: GmailApi,
        account: AccountRef,
        ids: Sequence[str],
        excluded: frozenset[str],
        counts: Counter[str],
        *,
        after: Callable[[Session], None] | None,
    ) -> None:
        """Fetch, parse, match and store one page of messages in one transaction, with `after`
        (the sync state's progress) in the same transaction."""
        found = api.get_many(list(ids), fmt="raw") if ids else {}
        counts["fetched"] += sum(1 for item in found.values() if item is not None)
        fetched: list[mail.Fetched] = []
        gone: list[str] = []
        for gmail_id in ids:
            item = found.get(gmail_id)
            if item is None or item.raw is None:
                gone.append(gmail_id)
                continue
            fetched.append(self._parse(item))
        addresses: set[str] = set()
        for message in fetched:
            people = privacy.participants(message.parsed)
            if self.ctx.rules.is_label_excluded(message.label_ids, excluded):
                continue  # never shown to the resolver either
            if self.ctx.rules.is_address_excluded(people):
                continue
            addresses.update(people)
        addresses.discard(account.email)
        matches = self.matcher.match_blocking(sorted(addresses)) if addresses else {}
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                self._write(account, fetched, gone, excluded, matches, counts, after)
                return
            except (IntegrityError, OperationalError) as exc:
                # Another mailbox's sync stored the same new message first (PostgreSQL: both
                # inserted, one lost), or the two deadlocked: the page is written again, and
                # the upserts now find the other's rows.
                if attempt + 1 == _WRITE_ATTEMPTS:
                    raise
                logger.info("page of %s written again: %s", account.email, type(exc).__name__)

    def _write(
        self,
        account: AccountRef,
        fetched: Sequence[mail.Fetched],
        gone: Sequence[str],
        excluded: frozenset[str],
        matches: Mapping[str, Sequence[Match]],
        counts: Counter[str],
        after: Callable[[Session], None] | None,
    ) -> None:
        outcomes: Counter[str] = Counter()
        with self.db.transaction() as session:
            for message in fetched:
                outcome = mail.ingest(
                    session,
                    self.ctx,
                    account=account,
                    fetched=message,
                    excluded_label_ids=excluded,
                    matches=matches,
                )
                outcomes[outcome] += 1
            for gmail_id in gone:
                if mail.remove_sighting(session, account=account, gmail_id=gmail_id):
                    outcomes["deleted"] += 1
            if after is not None:
                after(session)
        counts.update(outcomes)  # only once committed

    def _parse(self, item: RawMessage) -> mail.Fetched:
        assert item.raw is not None
        parsed = parse(item.raw, max_attachment_bytes=self.settings.max_attachment_bytes)
        if parsed.defects:
            logger.info("message %s read despite %d defect(s)", item.gmail_id, len(parsed.defects))
        internal = (
            datetime.fromtimestamp(item.internal_date_ms / 1000, tz=UTC)
            if item.internal_date_ms is not None
            else None
        )
        return mail.Fetched(
            gmail_id=item.gmail_id,
            gmail_thread_id=item.thread_id,
            label_ids=item.label_ids,
            internal_date=internal,
            parsed=parsed,
        )

    def _check_stopping(self) -> None:
        if self._stopping.is_set():
            raise _Stopped()
