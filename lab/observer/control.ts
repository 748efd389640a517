// The lab's control interface: one line-oriented command language, run in-process (tests) or over HTTP on
// loopback (`curl -d 'kill obs2' http://127.0.0.1:<port>/command`). Commands:
//   status                                       servers, liveness, faults, session counts
//   kill <server> | revive <server>              close listener + sessions / listen again (clears faults)
//   hang <server> [on|off]                       accept but never answer (default on)
//   slow <server> <ms>                           delay every answer by ms (0: off)
//   reject-logins <server> on|off                refuse logins with OB_SERVER_IS_STOPPING
//   error <server> <errno> <sqlstate> <count> <message...>   next <count> forwarded statements fail
//   move-leader <table> <partition> <server>     table as tenant.db.table, db.table or table
//   leaders <table>                              partition -> tablet -> leader
//   executed-log [server] | clear-log [server]   statements run (all servers: in execution order)
// <server> is a lab name (obs1) or an IP. Replies are JSON: {ok, result} or {ok: false, error}.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ObserverEmulator } from './server.js';
import type { ExecutedEntry } from './state.js';
import { findServer, moveLeader, resolveTableRef, tabletsOf, type Topology } from './topology.js';

export interface ControlReply {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

export interface ControlTarget {
  readonly topology: Topology;
  readonly emulators: ReadonlyMap<string, ObserverEmulator>;
  executedLog(server?: string): ExecutedEntry[];
  clearLog(server?: string): void;
}

const fail = (error: string): ControlReply => ({ ok: false, error });
const done = (result: unknown = 'ok'): ControlReply => ({ ok: true, result });

function emulatorOf(c: ControlTarget, key: string | undefined): ObserverEmulator | string {
  const s = key === undefined ? undefined : findServer(c.topology, key);
  const e = s === undefined ? undefined : c.emulators.get(s.name);
  return e ?? `no server '${key ?? ''}' (servers: ${[...c.emulators.keys()].join(', ')})`;
}

function onOff(v: string | undefined, dflt: boolean): boolean | null {
  if (v === undefined) return dflt;
  return v === 'on' ? true : v === 'off' ? false : null;
}

function status(c: ControlTarget): ControlReply {
  return done([...c.emulators.values()].map((e) => ({
    name: e.name, ip: e.self.ip, port: e.self.sqlPort, zone: e.self.zone, alive: e.listening, sessions: e.sessions.size,
    hang: e.faults.hang, slowMs: e.faults.slowMs, rejectLogins: e.faults.rejectLogins, pendingErrors: e.faults.pendingErrors,
  })));
}

function leaders(c: ControlTarget, ref: string | undefined): ControlReply {
  const table = resolveTableRef(c.topology, ref ?? '');
  if (typeof table === 'string') return fail(table);
  return done(tabletsOf(table).map((p) => ({ partition: p.name, tabletId: p.tabletId, leader: p.leader })));
}

async function serverCommand(verb: string, e: ObserverEmulator, args: string[]): Promise<ControlReply> {
  switch (verb) {
    case 'kill':
      await e.kill();
      return done();
    case 'revive':
      await e.revive();
      return done();
    case 'hang': {
      const on = onOff(args[0], true);
      if (on === null) return fail('usage: hang <server> [on|off]');
      e.faults.hang = on;
      return done();
    }
    case 'slow': {
      const ms = Number(args[0]);
      if (!Number.isInteger(ms) || ms < 0) return fail('usage: slow <server> <ms>');
      e.faults.slowMs = ms;
      return done();
    }
    case 'reject-logins': {
      const on = onOff(args[0], true);
      if (on === null) return fail('usage: reject-logins <server> on|off');
      e.faults.rejectLogins = on;
      return done();
    }
    case 'error': {
      const [errno, sqlState, count, ...words] = args;
      const n = Number(count);
      if (!/^\d+$/.test(errno ?? '') || !/^[0-9A-Z]{5}$/.test(sqlState ?? '') || !Number.isInteger(n) || n < 0 || words.length === 0) {
        return fail('usage: error <server> <errno> <sqlstate> <count> <message...>');
      }
      e.faults.injectError({ errno: Number(errno), sqlState: sqlState!, message: words.join(' ') }, n);
      return done();
    }
    default:
      return fail(`unknown command '${verb}'`);
  }
}

/** Runs one control command line. Never throws. */
export async function runControlCommand(c: ControlTarget, line: string): Promise<ControlReply> {
  const [verb, ...args] = line.trim().split(/\s+/);
  try {
    switch (verb) {
      case 'status':
        return status(c);
      case 'move-leader': {
        const [table, part, server] = args;
        if (server === undefined) return fail('usage: move-leader <table> <partition> <server>');
        const err = moveLeader(c.topology, table!, part!, server);
        return err === null ? done() : fail(err);
      }
      case 'leaders':
        return leaders(c, args[0]);
      case 'executed-log':
        return done(c.executedLog(args[0]));
      case 'clear-log':
        c.clearLog(args[0]);
        return done();
      case 'kill': case 'revive': case 'hang': case 'slow': case 'reject-logins': case 'error': {
        const e = emulatorOf(c, args[0]);
        return typeof e === 'string' ? fail(e) : await serverCommand(verb, e, args.slice(1));
      }
      default:
        return fail(`unknown command '${verb ?? ''}'; commands: status kill revive hang slow reject-logins error move-leader leaders executed-log clear-log`);
    }
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body too large');
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function serve(c: ControlTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lab');
  let line: string | null = null;
  if (req.method === 'POST' && url.pathname === '/command') line = await body(req);
  else if (req.method === 'GET' && url.pathname === '/status') line = 'status';
  else if (req.method === 'GET' && url.pathname === '/executed-log') line = `executed-log ${url.searchParams.get('server') ?? ''}`;
  const reply = line === null ? fail('POST /command, GET /status, GET /executed-log[?server=]') : await runControlCommand(c, line);
  res.writeHead(line === null ? 404 : reply.ok ? 200 : 400, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** HTTP control server on loopback; port 0 picks a free port. */
export function startControlServer(c: ControlTarget, host = '127.0.0.1', port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const srv = createServer((req, res) => {
    serve(c, req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fail(e instanceof Error ? e.message : String(e))));
    });
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr !== null ? addr.port : port;
      resolve({ url: `http://${host}:${p}`, close: () => new Promise<void>((r) => srv.close(() => r())) });
    });
  });
}
