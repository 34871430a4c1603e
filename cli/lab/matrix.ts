// The matrix: every ICMP kind x {UDP connected, UDP unconnected, TCP
// connect} x {IP_RECVERR off, on} x {IPv4, IPv6}, each cell measured in
// this run by running its TypeScript program (experiments/lab/udp.ts or
// tcp.ts) in the lab's client namespace, with the client's link captured
// meanwhile. What each cell shows is what its program printed and what its
// own source address sent and received on the wire.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { icmpAfter, packetsOf, steps, type CellRun, gridText, icmpText } from './cells.ts';
import { labDir, runInLab } from './run.ts';
import { FAMILIES, KINDS, MODES, NEIGH, cellName, type Cell, type Family, type Lab, type Mode } from './topology.ts';
import type { RunJob, RunResult } from './runner.ts';

export interface Measured {
  runs: CellRun[];
  capture: { ok: boolean; error?: string };
  lockDroppedIcmps: number | null;
  /** Milliseconds: building the lab, and running the cells. */
  buildMs: number;
  runMs: number;
}

/** Runs the cells in the lab, `concurrency` at a time. */
export async function measure(lab: Lab, cells: Cell[], concurrency = 8, trace = false): Promise<Measured> {
  const invocations = cells.map((c) => ({ cell: c, invocation: lab.invocation(c) }));
  const jobs: RunJob[] = invocations.map(({ cell, invocation }) => ({
    type: 'run', id: cellName(cell), program: `${invocation.program}.ts`, args: invocation.args, cwd: labDir, trace,
  }));
  const t0 = performance.now();
  const out = await runInLab(lab, jobs, { concurrency, capture: true });
  const runMs = performance.now() - t0;
  const runs = invocations.map(({ cell, invocation }, i): CellRun => {
    const r = out.results[i] as RunResult;
    const packets = packetsOf(invocation.from, out.packets);
    return {
      cell, name: cellName(cell), invocation, stdout: r.stdout, stderr: r.stderr, status: r.status, steps: steps(r.stdout),
      packets, icmpAfterMs: icmpAfter(packets), ...(r.combined ? { combined: r.combined } : {}),
    };
  });
  return { runs, capture: out.capture, lockDroppedIcmps: out.lockDroppedIcmps, buildMs: lab.buildMs, runMs };
}

const MODE_TITLE: Record<Mode, string> = { 'udp-connected': 'UDP connected', 'udp-unconnected': 'UDP unconnected', tcp: 'TCP connect' };

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (x: number) => (x < 1 ? x.toFixed(2) : x.toFixed(1));

/**
 * The grid, one table per family: a row per kind, a column per socket
 * mode and IP_RECVERR, and the ICMP error the kind made (with the median
 * time from the datagram or SYN out to the error in, over the row's runs).
 */
export function formatGrid(m: Measured): string[] {
  const out: string[] = [];
  for (const family of FAMILIES) {
    const runsOf = m.runs.filter((r) => r.cell.family === family);
    if (runsOf.length === 0) continue;
    const kinds = KINDS.filter((k) => runsOf.some((r) => r.cell.kind === k.name));
    const columns = MODES.flatMap((mode) => [false, true].map((recverr) => ({ mode, recverr })))
      .filter((c) => runsOf.some((r) => r.cell.mode === c.mode && r.cell.recverr === c.recverr));
    const headers = [`IPv${family}`, ...columns.map((c) => `${MODE_TITLE[c.mode]}${c.recverr ? ' +RECVERR' : ''}`), 'on the wire'];
    const rows = kinds.map((k) => {
      const row = runsOf.filter((r) => r.cell.kind === k.name);
      const cells = columns.map((c) => {
        const r = row.find((x) => x.cell.mode === c.mode && x.cell.recverr === c.recverr);
        return r === undefined ? '' : gridText(r);
      });
      const udp = row.filter((r) => r.cell.mode !== 'tcp');
      const wire = [...new Set((udp.length ? udp : row).map(icmpText))].join('; ');
      const after = median(row.map((r) => r.icmpAfterMs).filter((x): x is number => x !== null));
      return [k.name, ...cells, after === null ? wire : `${wire}, after ${ms(after)} ms`];
    });
    out.push(...table(headers, rows), '');
  }
  return out;
}

/** Every run's steps on one line, and its packets. */
export function formatRuns(m: Measured, withPackets: boolean): string[] {
  const out: string[] = [];
  for (const r of m.runs) {
    const calls = r.steps.filter((s) => s.call !== 'bound').map((s) => `${s.call} ${s.result.replace(/^(\w+Error|OSError): /, '')}`);
    out.push(`${r.name}  (${r.invocation.program}.ts ${r.invocation.args.join(' ')})`);
    out.push(`    ${calls.join(' | ')}`);
    if (withPackets) {
      const t0 = r.packets[0]?.t ?? 0;
      for (const p of r.packets) out.push(`    ${((p.t - t0) * 1000).toFixed(3).padStart(9)} ms  ${p.line}`);
    }
    if (r.status !== 0) out.push(`    exit status ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return out;
}

/** The measured matrix as data: every run's invocation, lines, steps and packets, and how the run was made. */
export function matrixJson(m: Measured): unknown {
  const uname = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  return {
    kernel: uname, node: process.version, date: new Date().toISOString(),
    neighbour: NEIGH, buildMs: Math.round(m.buildMs), runMs: Math.round(m.runMs), capture: m.capture,
    lockDroppedIcmps: m.lockDroppedIcmps,
    programs: { udp: path.join('experiments', 'lab', 'udp.ts'), tcp: path.join('experiments', 'lab', 'tcp.ts') },
    cells: m.runs.map((r) => ({
      name: r.name, ...r.cell, program: `${r.invocation.program}.ts`, args: r.invocation.args, from: r.invocation.from,
      to: r.invocation.to, status: r.status, lines: r.stdout.split('\n').filter(Boolean), steps: r.steps,
      grid: gridText(r), icmp: icmpText(r), icmpAfterMs: r.icmpAfterMs, packets: r.packets,
    })),
  };
}

export function selectCells(all: Cell[], kinds: string[], family: Family | null, mode: Mode | null, recverr: boolean | null = null): Cell[] {
  return all.filter((c) => (kinds.length === 0 || kinds.includes(c.kind)) && (family === null || c.family === family) &&
    (mode === null || c.mode === mode) && (recverr === null || c.recverr === recverr));
}
