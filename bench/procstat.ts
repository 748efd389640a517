// Process CPU and memory from /proc (Linux only). CPU is in clock ticks (`getconf CLK_TCK`, usually 100/s, so
// 10 ms resolution: runs must last seconds for per-query figures to mean anything).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let tickHz = 0;

/** Clock ticks per second for /proc/<pid>/stat times. */
export function clockTicks(): number {
  if (tickHz === 0) {
    try {
      tickHz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tickHz = 100;
    }
  }
  return tickHz;
}

/** Fields of /proc/<pid>/stat after the `(comm)` field; index 0 is field 3 (state) of proc(5). */
function statFields(pid: number): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

function ownTicks(f: readonly string[]): number {
  // proc(5): utime is field 14, stime 15 → indices 11, 12 here.
  return Number(f[11]) + Number(f[12]);
}

function liveChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((x) => x !== '').map(Number);
  } catch {
    return [];
  }
}

/**
 * utime+stime of `pid`, plus the reaped children's cutime+cstime, plus live children's own times (socat forks
 * one child per connection). Clock ticks.
 */
export function cpuTicks(pid: number): number {
  const f = statFields(pid);
  let t = ownTicks(f) + Number(f[13]) + Number(f[14]);
  for (const c of liveChildren(pid)) {
    try {
      t += ownTicks(statFields(c));
    } catch {
      // the child exited between the two reads; its time is in cutime on the next sample
    }
  }
  return t;
}

/** Resident set size in KiB (VmRSS of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m?.[1] === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}
