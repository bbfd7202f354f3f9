/**
 * The grid's live feed (WebSocket /api/grid/live, docs/grid.md "Live collaboration"): the browser
 * signs the socket in with its session cookie on the handshake (same origin), subscribes from the
 * `seq` its grid was read at, and from then on gets every change, presence and lock. It
 * reconnects with backoff and resumes from the last seq it saw (none missed, none twice).
 */
import { useCallback, useEffect, useRef, useState, type Dispatch } from "react";

import type { GridAction, LiveEvent } from "./model/state";
import { cellKey, type LockEntry, type PresenceEntry } from "./model/types";

export type LiveStatus = "connecting" | "live" | "offline" | "unavailable";

export interface LiveMe {
  connectionId: string;
  userId: string;
  name: string;
}

interface LockAnswer {
  ok: boolean;
  lock: LockEntry | null;
}

type ServerMessage =
  | { type: "ready"; connection_id: string; seq: number | null; user: { id: string; name: string } }
  | { type: "state"; presence: PresenceEntry[]; locks: LockEntry[] }
  | { type: "change"; seq: number; event: LiveEvent }
  | { type: "caught_up"; seq: number }
  | { type: "presence"; op: "put" | "delete"; presence: PresenceEntry }
  | { type: "lock"; op: "put" | "delete"; lock: LockEntry }
  | { type: "lock_result"; ok: boolean; lock: LockEntry | null }
  | { type: "unlock_result"; ok: boolean }
  | { type: "reset"; seq: number }
  | { type: "pong" }
  | { type: "error"; detail: string; status?: number };

export interface LiveGrid {
  status: LiveStatus;
  me: LiveMe | null;
  sendPresence: (cell: { row_id: string; column: string } | null) => void;
  /** take a cell's lock: resolves with whether this connection holds it (true when offline: the server still checks) */
  lock: (rowId: string, column: string) => Promise<LockAnswer>;
  unlock: (rowId: string, column: string) => void;
}

const LOCK_TTL = 30;

export function liveUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/grid/live`;
}

export function useLiveGrid({
  dispatch,
  viewId,
  seq,
  enabled,
  onReset,
  onProposal = () => undefined,
}: {
  dispatch: Dispatch<GridAction>;
  viewId: string | null;
  /** the seq the loaded grid was read at; null while it loads */
  seq: number | null;
  enabled: boolean;
  onReset: () => void;
  /** an agent's proposal was made or decided (crm.proposal.*): the pending ones to show changed */
  onProposal?: () => void;
}): LiveGrid {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [me, setMe] = useState<LiveMe | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const lastSeq = useRef<number | null>(seq);
  const waiters = useRef(new Map<string, (answer: LockAnswer) => void>());
  const held = useRef(new Set<string>());
  const resetRef = useRef(onReset);
  const proposalRef = useRef(onProposal);
  const presenceCell = useRef<{ row_id: string; column: string } | null>(null);
  const viewRef = useRef(viewId);

  useEffect(() => {
    resetRef.current = onReset;
    proposalRef.current = onProposal;
    viewRef.current = viewId;
  });

  useEffect(() => {
    lastSeq.current = seq;
  }, [seq]);

  useEffect(() => {
    if (!enabled || seq === null) return;
    let closed = false;
    let attempt = 0;
    let timer: number | undefined;
    let pinger: number | undefined;

    const send = (message: object) => {
      if (socket.current?.readyState === WebSocket.OPEN) socket.current.send(JSON.stringify(message));
    };

    const connect = () => {
      setStatus("connecting");
      const ws = new WebSocket(liveUrl(window.location));
      socket.current = ws;
      ws.onmessage = (message: MessageEvent<string>) => {
        let data: ServerMessage;
        try {
          data = JSON.parse(message.data) as ServerMessage;
        } catch {
          return;
        }
        switch (data.type) {
          case "ready":
            attempt = 0;
            setMe({ connectionId: data.connection_id, userId: data.user.id, name: data.user.name });
            setStatus("live");
            send({ type: "subscribe", view_id: viewRef.current, since: lastSeq.current });
            if (presenceCell.current) send({ type: "presence", view_id: viewRef.current, cell: presenceCell.current });
            break;
          case "state":
            dispatch({ type: "liveState", presence: data.presence, locks: data.locks });
            break;
          case "change":
            lastSeq.current = Math.max(lastSeq.current ?? 0, data.seq);
            if (data.event.type?.startsWith("crm.proposal.")) proposalRef.current();
            else dispatch({ type: "change", seq: data.seq, event: data.event });
            break;
          case "caught_up":
            lastSeq.current = Math.max(lastSeq.current ?? 0, data.seq);
            break;
          case "presence":
            dispatch({ type: "presence", op: data.op, entry: data.presence });
            break;
          case "lock":
            dispatch({ type: "lock", op: data.op, entry: data.lock });
            break;
          case "lock_result": {
            const key = data.lock ? cellKey(data.lock.row_id, data.lock.column) : null;
            const waiter = key ? waiters.current.get(key) : undefined;
            if (key && waiter) {
              waiters.current.delete(key);
              waiter({ ok: data.ok, lock: data.lock });
            }
            break;
          }
          case "reset":
            resetRef.current();
            break;
          case "error":
            if (data.status === 401 || data.status === 403) setStatus("unavailable");
            break;
          default:
            break;
        }
      };
      ws.onclose = (event) => {
        socket.current = null;
        for (const waiter of waiters.current.values()) waiter({ ok: true, lock: null });
        waiters.current.clear();
        if (closed) return;
        if (event.code === 4401 || event.code === 4403) {
          setStatus("unavailable");
          return;
        }
        setStatus("offline");
        attempt += 1;
        timer = window.setTimeout(connect, Math.min(15_000, 500 * 2 ** attempt));
      };
    };

    connect();
    pinger = window.setInterval(() => send({ type: "ping" }), 25_000);
    const renew = window.setInterval(() => {
      for (const key of held.current) {
        const [rowId, column] = key.split("|");
        send({ type: "lock", row_id: rowId, column, ttl: LOCK_TTL });
      }
    }, (LOCK_TTL * 1000) / 2);
    return () => {
      closed = true;
      window.clearTimeout(timer);
      window.clearInterval(pinger);
      window.clearInterval(renew);
      pinger = undefined;
      socket.current?.close(1000);
      socket.current = null;
    };
    // Reconnecting on every seq would be wrong: seq only starts the feed; lastSeq follows it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, seq === null, viewId, dispatch]);

  const sendPresence = useCallback((cell: { row_id: string; column: string } | null) => {
    presenceCell.current = cell;
    if (socket.current?.readyState === WebSocket.OPEN) {
      socket.current.send(JSON.stringify({ type: "presence", view_id: viewRef.current, cell }));
    }
  }, []);

  const lock = useCallback((rowId: string, column: string): Promise<LockAnswer> => {
    const ws = socket.current;
    if (ws?.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: true, lock: null });
    const key = cellKey(rowId, column);
    return new Promise<LockAnswer>((resolve) => {
      const timeout = window.setTimeout(() => {
        waiters.current.delete(key);
        resolve({ ok: true, lock: null });
      }, 3000);
      waiters.current.set(key, (answer) => {
        window.clearTimeout(timeout);
        if (answer.ok) held.current.add(key);
        resolve(answer);
      });
      ws.send(JSON.stringify({ type: "lock", row_id: rowId, column, ttl: LOCK_TTL }));
    });
  }, []);

  const unlock = useCallback((rowId: string, column: string) => {
    held.current.delete(cellKey(rowId, column));
    if (socket.current?.readyState === WebSocket.OPEN) {
      socket.current.send(JSON.stringify({ type: "unlock", row_id: rowId, column }));
    }
  }, []);

  return { status, me, sendPresence, lock, unlock };
}
