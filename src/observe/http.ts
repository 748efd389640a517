// The HTTP endpoint on prometheus_listen_port (spec §12; issue 7 part 4): `/metrics` (Prometheus text format, only
// while enable_prometheus), `/healthz` (200 while the process runs), `/readyz` (200 only when listening, cluster
// metadata loaded and not draining; else 503 and a one-line reason). Anything else is 404; methods other than
// GET and HEAD are 405. Admin path: every request may allocate.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Readiness {
  readonly listening: boolean;
  readonly metadataLoaded: boolean;
  readonly draining: boolean;
}

export interface MetricsText {
  text(): Promise<string>;
  readonly contentType: string;
}

export interface ObserveHttpOptions {
  /** Bind address, e.g. local_bound_ip or '0.0.0.0'. */
  readonly host: string;
  /** prometheus_listen_port; 0 picks a free port (tests). */
  readonly port: number;
  readonly metrics: MetricsText;
  /** enable_prometheus, read per request so ALTER takes effect at once. */
  readonly prometheusEnabled: () => boolean;
  readonly readiness: () => Readiness;
}

/** The first reason the proxy is not ready, or null when it is. */
export function notReadyReason(r: Readiness): string | null {
  if (r.draining) return 'draining';
  if (!r.listening) return 'not listening';
  if (!r.metadataLoaded) return 'cluster metadata not loaded';
  return null;
}

export class ObserveHttpServer {
  private readonly opts: ObserveHttpOptions;
  private server: Server | null = null;
  /** The bound port once started. */
  port = 0;

  constructor(opts: ObserveHttpOptions) {
    this.opts = opts;
  }

  /** Listens; rejects with a one-line Error (e.g. the port is busy). */
  start(): Promise<void> {
    const { host, port } = this.opts;
    const srv = createServer((req, res) => this.handle(req, res));
    srv.requestTimeout = 10_000;
    srv.headersTimeout = 5_000;
    srv.keepAliveTimeout = 5_000;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
        reject(new Error(`cannot listen on ${host}:${port} for metrics and health checks: ${why}`));
      };
      srv.once('error', onError);
      srv.listen({ host, port }, () => {
        srv.off('error', onError);
        srv.on('error', () => undefined); // per-connection errors are the client's problem
        const addr = srv.address();
        this.port = typeof addr === 'object' && addr !== null ? addr.port : port;
        this.server = srv;
        resolve();
      });
    });
  }

  /** Stops listening and closes open connections. */
  stop(): Promise<void> {
    const srv = this.server;
    this.server = null;
    if (srv === null) return Promise.resolve();
    return new Promise((resolve) => {
      srv.close(() => resolve());
      srv.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') return reply(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, 'method not allowed');
    }
    switch (path) {
      case '/healthz': return reply(res, 200, 'ok');
      case '/readyz': {
        const reason = notReadyReason(this.opts.readiness());
        return reason === null ? reply(res, 200, 'ready') : reply(res, 503, `not ready: ${reason}`);
      }
      case '/metrics': return this.metrics(res);
    }
  }

  private metrics(res: ServerResponse): void {
    if (!this.opts.prometheusEnabled()) return reply(res, 404, 'prometheus disabled (enable_prometheus=false)');
    this.opts.metrics.text().then((body) => {
      res.writeHead(200, { 'Content-Type': this.opts.metrics.contentType });
      res.end(body);
    }, (e: unknown) => reply(res, 500, `metrics failed: ${e instanceof Error ? e.message : String(e)}`));
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
