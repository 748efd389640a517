// Command phase of an emulator session. Metadata SQL is answered from the topology (meta-sql.ts); KILL of
// this emulator's sessions and COM_PING are answered here; everything else goes to the session's MariaDB
// connection and the response is relayed packet by packet, with ob_proxy_partition_hit (spec §6.2)
// added to every OK packet when the client negotiated CLIENT_SESSION_TRACK. Faults (hang, slow, injected
// errors) apply before a command runs. Every statement is recorded in the emulator's executed log.

import { Capability, Command } from '../../src/protocol/constants.js';
import { decodeOk, writeOk, writeSessionTrack, type SessionTrackItem } from '../../src/protocol/ok.js';
import type { ResponseMode } from '../../src/protocol/response.js';
import { writeTextResultSet } from '../../src/protocol/resultset.js';
import { decodeExecute } from '../../src/protocol/stmt.js';
import { parseRoute } from '../../src/route/sql/index.js';
import type { PacketSink, RelayResult } from './backend.js';
import { backendDown, notSupported, unknownCommand, unknownThread, type ObError } from './errors.js';
import { answerMeta } from './meta-sql.js';
import { decideHit, type HitDecision } from './partition-hit.js';
import { splitSet, type SetSplit } from './set-vars.js';
import type { CommandSession, HandledBy } from './state.js';

type Forwarded = { readonly ok: true; readonly r: RelayResult } | { readonly ok: false; readonly err: ObError };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function record(s: CommandSession, command: string, sql: string, handledBy: HandledBy, errno: number, hit: HitDecision | null = null): void {
  s.emu.record({
    sessionId: s.id, tenant: s.tenant, user: s.user, db: s.db, command, sql, handledBy, errno,
    partitionHit: hit === null ? null : hit.hit ? 1 : 0, tabletId: hit?.tabletId ?? null,
  });
}

const hitItem = (hit: 0 | 1): SessionTrackItem => ({ kind: 'system_variable', name: 'ob_proxy_partition_hit', value: String(hit) });

/** The OK packet with `extra` and `ob_proxy_partition_hit` appended to its session state (header kept). */
function writeOkWithHit(s: CommandSession, buf: Buffer, start: number, end: number, seq: number, hit: 0 | 1, extra: readonly SessionTrackItem[]): void {
  const ok = decodeOk(buf, start, end, s.caps);
  const entry = writeSessionTrack([...extra, hitItem(hit)]);
  const state = ok.sessionState === null ? entry : Buffer.concat([ok.sessionState, entry]);
  writeOk(s.w, { ...ok, sessionState: state }, seq, s.caps, buf[start] === 0xfe ? 0xfe : 0x00);
}

/** Relays one command to MariaDB; `hit` (0/1) is reported in OK packets, null reports nothing. */
async function forward(s: CommandSession, payload: Buffer, mode: ResponseMode, hit: 0 | 1 | null, extra: readonly SessionTrackItem[] = []): Promise<Forwarded> {
  const err = await s.ensureBackend();
  if (err !== null) return { ok: false, err };
  const backend = s.backend!;
  const track = hit !== null && (s.caps & Capability.SESSION_TRACK) !== 0;
  let relayed = 0;
  let paused = false;
  const sink: PacketSink = (buf, start, end, seq, framed, isOk) => {
    relayed++;
    let writable: boolean;
    if (isOk && track) {
      writeOkWithHit(s, buf, start, end, seq, hit, extra);
      writable = s.flush();
    } else if (framed) {
      // the packet with its own header: forwarded as is (the chunk is never reused by the socket)
      writable = s.socket.write(buf.subarray(start - 4, end));
    } else {
      s.w.begin(seq).bytes(buf.subarray(start, end)).end();
      writable = s.flush();
    }
    if (!writable && !paused) {
      paused = true;
      backend.pause();
      s.socket.once('drain', () => {
        paused = false;
        backend.resume();
      });
    }
  };
  try {
    return { ok: true, r: await backend.request(payload, mode, sink) };
  } catch (e) {
    s.backend = null;
    if (relayed > 0) s.destroy(); // a half-relayed response cannot be ended with an ERR
    return { ok: false, err: backendDown(e instanceof Error ? e.message : String(e)) };
  }
}

/** Forwards and answers an ERR when MariaDB could not be reached; returns the errno the client saw. */
async function relay(s: CommandSession, payload: Buffer, mode: ResponseMode, hit: 0 | 1 | null, extra: readonly SessionTrackItem[] = []): Promise<Forwarded> {
  const f = await forward(s, payload, mode, hit, extra);
  if (!f.ok && !s.closed) s.sendErr(f.err, 1);
  return f;
}

const errnoOf = (f: Forwarded): number => (f.ok ? f.r.errno : f.err.errno);

async function onKill(s: CommandSession, idText: string, query: boolean, command: string, sql: string): Promise<void> {
  const target = s.emu.session(Number(idText));
  if (target === undefined || !/^\d+$/.test(idText)) {
    s.sendErr(unknownThread(idText), 1);
    return record(s, command, sql, 'local', 1094);
  }
  if (!query) {
    target.destroy();
    if (!s.closed) s.sendOk(1);
    return record(s, command, sql, 'local', 0);
  }
  const thread = target.killQueryTarget();
  if (thread !== null && (await s.ensureBackend()) === null) {
    // the lab's own statement: MariaDB's answer is not the client's and is dropped
    const kill = Buffer.concat([Buffer.from([Command.QUERY]), Buffer.from(`KILL QUERY ${thread}`)]);
    await s.backend?.request(kill, 'result', () => undefined).catch(() => undefined);
  }
  s.sendOk(1);
  record(s, command, sql, 'local', 0);
}

async function onQuery(s: CommandSession, payload: Buffer): Promise<void> {
  const sql = payload.toString('utf8', 1);
  const emu = s.emu;
  const meta = answerMeta(sql, { topology: emu.topology, self: emu.self, isAlive: (n) => emu.isAlive(n) });
  if (meta !== null) {
    if (!meta.ok) {
      s.sendErr(meta.err, 1);
      return record(s, 'COM_QUERY', sql, 'metadata', meta.err.errno);
    }
    const deprecateEof = (s.caps & Capability.DEPRECATE_EOF) !== 0;
    writeTextResultSet(s.w, meta.answer.columns, meta.answer.rows, { seq: 1, deprecateEof, status: s.statusFlags(), capabilities: s.caps });
    s.flush();
    return record(s, 'COM_QUERY', sql, 'metadata', 0);
  }
  const route = parseRoute(sql);
  if ((route.kind === 'KILL' || route.kind === 'KILL_QUERY') && route.killId !== null) return onKill(s, route.killId, route.kind === 'KILL_QUERY', 'COM_QUERY', sql);
  const injected = emu.faults.takeError();
  if (injected !== null) {
    s.sendErr(injected, 1);
    return record(s, 'COM_QUERY', sql, 'injected-error', injected.errno);
  }
  const split = splitSet(route);
  if (split !== null) return onSplitSet(s, sql, split);
  const hit = decideHit(emu.topology, s.tenant, s.db, sql, emu.self.name);
  const f = await relay(s, payload, 'result', hit.hit ? 1 : 0);
  if (errnoOf(f) === 0 && route.kind === 'USE' && route.useDb !== null) s.db = route.useDb;
  record(s, 'COM_QUERY', sql, f.ok ? 'backend' : 'error', errnoOf(f), hit);
}

/** A SET with OceanBase-only variables: those are kept here and tracked back, the rest runs on MariaDB. */
async function onSplitSet(s: CommandSession, sql: string, split: SetSplit): Promise<void> {
  const vars = split.local.map((v): SessionTrackItem => ({ kind: 'system_variable', name: v.name, value: v.value }));
  if (split.forward === null) {
    const track = (s.caps & Capability.SESSION_TRACK) !== 0;
    writeOk(s.w, { status: s.statusFlags(), ...(track ? { sessionState: writeSessionTrack([...vars, hitItem(1)]) } : {}) }, 1, s.caps);
    s.flush();
    return record(s, 'COM_QUERY', sql, 'local', 0);
  }
  const payload = Buffer.concat([Buffer.from([Command.QUERY]), Buffer.from(split.forward, 'utf8')]);
  const f = await relay(s, payload, 'result', 1, vars);
  record(s, 'COM_QUERY', sql, f.ok ? 'backend' : 'error', errnoOf(f));
}

async function onInitDb(s: CommandSession, payload: Buffer): Promise<void> {
  const db = payload.toString('utf8', 1);
  if (db.toLowerCase() === 'oceanbase' || s.backend === null) {
    const prev = s.db;
    s.db = db;
    const err = db.toLowerCase() === 'oceanbase' ? null : await s.ensureBackend();
    if (err !== null) s.db = prev;
    if (err !== null) s.sendErr(err, 1);
    else s.sendOk(1);
    return record(s, 'COM_INIT_DB', db, 'local', err?.errno ?? 0);
  }
  const f = await relay(s, payload, 'single', null);
  if (errnoOf(f) === 0) s.db = db;
  record(s, 'COM_INIT_DB', db, f.ok ? 'backend' : 'error', errnoOf(f));
}

async function onPrepare(s: CommandSession, payload: Buffer): Promise<void> {
  const sql = payload.toString('utf8', 1);
  const f = await relay(s, payload, 'prepare', null);
  const p = f.ok ? f.r.prepare : null;
  if (p !== null) s.stmts.set(p.statementId, { sql, numParams: p.numParams, types: null });
  record(s, 'COM_STMT_PREPARE', sql, f.ok ? 'backend' : 'error', errnoOf(f));
}

async function onExecute(s: CommandSession, payload: Buffer): Promise<void> {
  const stmt = payload.length >= 5 ? s.stmts.get(payload.readUInt32LE(1)) : undefined;
  const sql = stmt?.sql ?? '';
  let params: ReturnType<typeof decodeExecute>['values'] | null = null;
  if (stmt !== undefined) {
    try {
      const ex = decodeExecute(payload, 0, payload.length, stmt.numParams, stmt.types, { capabilities: s.caps });
      if (ex.newParamsBound) stmt.types = ex.types;
      params = ex.values;
    } catch {
      params = null; // MariaDB will answer the malformed packet itself
    }
  }
  const injected = s.emu.faults.takeError();
  if (injected !== null) {
    s.sendErr(injected, 1);
    return record(s, 'COM_STMT_EXECUTE', sql, 'injected-error', injected.errno);
  }
  const hit = stmt === undefined ? null : decideHit(s.emu.topology, s.tenant, s.db, sql, s.emu.self.name, params);
  const f = await relay(s, payload, 'result', hit === null ? null : hit.hit ? 1 : 0);
  record(s, 'COM_STMT_EXECUTE', sql, f.ok ? 'backend' : 'error', errnoOf(f), hit);
}

/** Commands relayed without partition accounting: mode of their response. */
const PLAIN: ReadonlyMap<number, ResponseMode> = new Map<number, ResponseMode>([
  [Command.STMT_RESET, 'single'], [Command.STMT_FETCH, 'fetch'], [Command.FIELD_LIST, 'field_list'],
  [Command.RESET_CONNECTION, 'single'], [Command.STATISTICS, 'single'], [Command.SET_OPTION, 'single'],
]);

/** Runs one client command; 'close' ends the session. */
export async function handleCommand(s: CommandSession, payload: Buffer): Promise<'continue' | 'close'> {
  const faults = s.emu.faults;
  if (faults.hang) return 'continue'; // never answered
  if (faults.slowMs > 0) await sleep(faults.slowMs);
  if (s.closed) return 'close';
  const cmd = payload[0] ?? -1;
  const plain = PLAIN.get(cmd);
  if (plain !== undefined) {
    if (cmd === Command.RESET_CONNECTION) s.stmts.clear();
    await relay(s, payload, plain, null);
    return s.closed ? 'close' : 'continue';
  }
  switch (cmd) {
    case Command.QUIT:
      return 'close';
    case Command.PING:
      s.sendOk(1);
      break;
    case Command.QUERY:
      await onQuery(s, payload);
      break;
    case Command.INIT_DB:
      await onInitDb(s, payload);
      break;
    case Command.STMT_PREPARE:
      await onPrepare(s, payload);
      break;
    case Command.STMT_EXECUTE:
      await onExecute(s, payload);
      break;
    case Command.STMT_CLOSE:
      if (payload.length >= 5) s.stmts.delete(payload.readUInt32LE(1));
      s.backend?.send(payload);
      break;
    case Command.STMT_SEND_LONG_DATA:
      s.backend?.send(payload);
      break;
    case Command.PROCESS_KILL:
      await onKill(s, String(payload.length >= 5 ? payload.readUInt32LE(1) : -1), false, 'COM_PROCESS_KILL', '');
      break;
    case Command.CHANGE_USER:
      s.sendErr(notSupported('COM_CHANGE_USER'), 1);
      break;
    default:
      s.sendErr(unknownCommand(), 1);
  }
  return s.closed ? 'close' : 'continue';
}
