// docs/CONFIGURATION.md, rendered from the registry so the two cannot drift (test/unit/config/doc.test.ts).
// Regenerate: npm run build && node dist/src/config/render-doc.js > docs/CONFIGURATION.md
import type { ParamDef } from './param-types.js';
import { PARAMS, SECTIONS, findParam } from './params.js';
import { parseRange, rangeText } from './validate.js';

const INTRO = `# Configuration

odp takes the parameters of ODP (obproxy 4.3.1): same names, types, defaults, ranges and restart rules, set the
same ways (\`-o\`, \`ALTER PROXYCONFIG\`), shown by the same \`SHOW PROXYCONFIG\`. Parameters whose feature odp
does not implement yet are accepted, validated, shown and persisted, but have no effect; their status below says
so, and so does the \`info\` column of \`SHOW PROXYCONFIG\` ("[no effect yet] ...").

This page is generated from \`src/config/params.ts\`; do not edit it by hand. Regenerate it with
\`npm run build && node dist/src/config/render-doc.js > docs/CONFIGURATION.md\`.

## Sources and precedence

A parameter can be set by four sources. At any moment the highest source that sets it wins:

1. **default**: ODP's built-in value.
2. **file**: the YAML file given with \`--config <file>\`, a flat mapping \`name: value\` (a STR_LIST item may also be
   a YAML list).
3. **option**: start-up options, \`-o name=value,name=value\` and the flags \`-p\` (listen_port),
   \`-l\` (prometheus_listen_port), \`-s\` (rpc_listen_port), \`-n\` (app_name), \`-r\` (rootservice_list),
   \`-c\` (rootservice_cluster_name). A flag wins over the same parameter in \`-o\`.
4. **runtime**: \`ALTER PROXYCONFIG SET name = value\`, run as \`root@proxysys\`.

**Runtime values survive a restart.** Every ALTER is written to the state file (\`config_state_file\`, default
\`etc/odp_state.yaml\` under the working directory) by writing a new file and renaming it over the old one, and the
file is read back at start.

**After a restart, an ALTER value or a changed file/option: the most recent explicit setting wins.** Each ALTER
records the value it replaced. At start and on SIGHUP, if the file and options still give that same value, the
ALTER value stays in force. If you have changed that parameter in the file or on the command line since, your new
value wins, the ALTER value is removed from the state file, and a notice is logged. Example: the file says
\`slow_query_time_threshold: 1s\`; \`ALTER ... = '10ms'\` takes over and survives restarts; later you edit the file
to \`2s\` and restart (or send SIGHUP): \`2s\` is in force and the log says it replaced the ALTER value \`10ms\`.

**Nothing is ignored silently.**
- An unknown parameter name, a bad value or a malformed file stops the start with one line naming the file and
  line (or the option), the parameter, the value and the allowed range; unknown names get a did-you-mean.
- A value hidden by a higher source is logged at start and on reload, e.g.
  \`listen_port: file value '2883' is overridden by the option value '3306'\`.
- \`SHOW PROXYCONFIG DIFF\` lists every parameter set by a file, an option or ALTER, even when set to its default
  value, with the source that won and the values it overrides.

**Restart-only parameters** (Restart = yes below): a new value is accepted, persisted and shown by
\`SHOW PROXYCONFIG\`, but the running proxy keeps the value it started with until it restarts; the ALTER reply says
so. \`app_name\` cannot be changed while running at all.

**SIGHUP** re-reads the file. A file with any error (syntax, unknown name, bad value) changes nothing: the running
configuration stays and the error is logged. Otherwise changed values apply at once, restart-only ones at the next
start.

**Multi-level values.** Parameters of level LEVEL_VIP can also be set for one cluster, one tenant of a cluster, or
one virtual address (vid, vip, vport), as rows of ODP's \`proxy_config\` table; they are kept in the state file. A
session uses the most specific value: VIP, then tenant, then cluster, then the global value.

**Passwords.** \`obproxy_sys_password\`, \`inspector_password\`, \`observer_sys_password\` and
\`observer_sys_password1\` hold the SHA1 stage-1 hash of the password in hex, \`SHA1(password)\`, as ODP stores them;
empty means no password. \`ALTER PROXYCONFIG\` takes the plaintext and stores its hash, always (a 40-digit hex value
is hashed too, as ODP does). The file and \`-o\` take the hash itself: \`''\` or 40 hex digits, e.g. from
\`printf %s 'secret' | sha1sum\`.

**\`ignore_local_config\`** concerns ODP's cached config-server files; it does not affect the state file.

## Value syntax

- **TIME**: an integer and a unit \`us\`, \`ms\`, \`s\`, \`m\`, \`h\` or \`d\`, case-insensitive: \`500ms\`, \`10s\`, \`2h\`.
  A bare number is **seconds**, as in ODP.
- **CAP**: an integer and a unit \`B\`, \`K\`/\`KB\`, \`M\`/\`MB\`, \`G\`/\`GB\`, \`T\`/\`TB\`, \`P\`/\`PB\` (powers of 1024). A bare
  number is **megabytes**, as in ODP.
- **INT**: a decimal integer, optionally signed.
- **BOOL**: \`true\`/\`false\`, \`on\`/\`off\`, \`yes\`/\`no\`, \`t\`/\`f\`, \`1\`/\`0\`, case-insensitive; shown as \`True\`/\`False\`.
- **STR_LIST**: items separated by \`;\` (so \`username_separator\` \`:;-;.\` is the three separators \`:\`, \`-\`, \`.\`).
- **LOG_LEVEL**: \`DEBUG\`, \`TRACE\`, \`WDIAG\`, \`EDIAG\`, \`INFO\`, \`WARN\`, \`USER_ERR\`, \`ERROR\`, or per-module levels
  such as \`ALL.*:INFO,PROXY.*:DEBUG\`.
- **Ranges** use ODP's notation: \`[\` \`]\` include the bound, \`(\` \`)\` exclude it, an empty bound is unbounded
  (\`[0,]\` is "0 or more"). Bounds of TIME and CAP items are in the item's units.
- Differences from ODP, chosen so that a mistake is reported instead of guessed: ODP reads \`0x1f\` and \`010\`
  (octal) as integers and turns negative TIME and CAP values into 0; odp refuses all three.

A refused value gets one line, e.g.
\`invalid value 'abc' for client_max_connections: expected an integer in [0, +inf)\`; the old value stays.

## Parameters

Columns: **Restart** yes = takes effect after a restart. **Level** LEVEL_VIP = may also be set per cluster, tenant
or VIP. **Visible** is ODP's visible level (MEMORY items are never persisted). **Status**: *works*, or *no effect
yet* (accepted and shown, the feature is not built). † marks a default or range we could not confirm for 4.3.1.
*(odp)* marks odp's own parameters, which ODP does not have.
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function code(text: string): string {
  return text === '' ? "`''`" : `\`${cell(text)}\``;
}

function allowed(def: ParamDef): string {
  if (def.values.length > 0) return def.values.map(code).join(', ');
  switch (def.format) {
    case 'addr-list': return '`host:port;...`';
    case 'target-list': return '`ip:port,...;...`';
    case 'compression': return "`''` or `zlib:0`..`zlib:9`";
    case 'password': return "`''` or 40 hex digits";
    case '': break;
  }
  if (def.type === 'BOOL') return 'true, false';
  const range = def.range === '' ? undefined : parseRange(def);
  return range === undefined ? '' : `\`${cell(rangeText(range))}\``;
}

function row(def: ParamDef): string {
  const name = def.extension ? `\`${def.name}\` *(odp)*` : `\`${def.name}\``;
  const dflt = `${code(def.default)}${def.uncertain ? ' †' : ''}`;
  const status = def.status === 'works' ? 'works' : 'no effect yet';
  return `| ${name} | ${def.type} | ${dflt} | ${allowed(def)} | ${def.needReboot ? 'yes' : 'no'} | ` +
    `${def.configLevel} | ${def.visibleLevel} | ${status} | ${cell(def.info)} |`;
}

/** The whole of docs/CONFIGURATION.md. */
export function renderConfigurationMarkdown(): string {
  const out = [INTRO];
  const works = PARAMS.filter((d) => d.status === 'works').length;
  out.push(`${PARAMS.length} parameters; ${works} work, ${PARAMS.length - works} have no effect yet.\n`);
  for (const section of SECTIONS) {
    out.push(`### ${section.title}\n`);
    out.push('| Name | Type | Default | Range / values | Restart | Level | Visible | Status | Meaning |');
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const spec of section.params) {
      const def = findParam(spec.name);
      if (def !== undefined) out.push(row(def));
    }
    out.push('');
  }
  return out.join('\n');
}
