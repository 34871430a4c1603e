// renderTimeline(timeline): one self-contained HTML page (inline SVG and
// CSS, no script, nothing loaded: a Content-Security-Policy says so) that
// draws a Timeline (cli/timeline.ts) as a sequence diagram over real time.
//
// Each side is a block of lanes (its threads, the kernel state of each
// socket that has any, the wire) on its own time axis, and a column of
// labels: one per call, packet and state change, in time order, each joined
// by a thin leader line to where it happens on the axis. The axis is
// linear; a long idle stretch (no event in any lane) is cut out and marked
// with its measured length, so that microseconds stay visible beside a
// half-second wait. compare's two sides share one scale and their labels
// are aligned by compare's rows, diverging rows marked. A side whose calls
// have no entry times (the tracer alone) has no time axis: its calls are
// drawn in order, and the page says so.
import { fmtUs, type KernelEvent, type Timeline, type TimelineCall, type TimelineSide, type WirePacket } from './timeline.ts';

const CH = 7.2;          // width of a character of the labels' monospace font at 12px
const LINE = 15;         // a label's line
const META = 13;         // a label's second, smaller line
const GAP = 7;           // between labels
const LANE = 46;         // a lane's width
const AXIS = 66;         // the time axis's width
const HEAD = 50;         // lane headers
const CUT = 26;          // height of a cut-out idle stretch
const PAD = 12;
const GUTTER = 40;       // between the lanes and the labels, where the leaders run

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (n: number) => (Math.round(n * 10) / 10).toString();

/** Splits text into lines of at most `width` characters, after ", " where it can. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(', ', width - 1);
    if (cut < width / 3) cut = rest.lastIndexOf(' ', width - 1);
    cut = cut < width / 3 ? width : cut + 1;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

type Kind = 'call' | 'packet' | 'kernel';

/** A label in a side's column. */
interface Item {
  kind: Kind;
  id: string;
  /** The line drawn bold at the start ('wire', 'kernel'), if any. */
  tag: string;
  main: string[];
  /** The part of the last main line that is the result, drawn apart. */
  result: string | null;
  error: boolean;
  meta: string[];
  /** The time its leader points at, or null (order mode). */
  t: number | null;
  /** Where on the lanes it points (set in layout). */
  lane: string;
  call?: TimelineCall;
  packet?: WirePacket;
  event?: KernelEvent;
  /** compare: the call's row; events: the row they follow. */
  row: number;
  y: number;
  h: number;
}

interface Lane { key: string; label: string; detail: string; kind: 'thread' | 'kernel' | 'wire'; x: number }

/** A side's mapping from time to y: linear, with idle stretches cut out. */
interface Axis {
  t0: number;
  t1: number;
  cuts: { a: number; b: number }[];
  scale: number;
  top: number;
  y(t: number): number;
}

function sideTimes(s: TimelineSide): number[] {
  const ts: number[] = [];
  for (const c of s.calls) {
    if (c.start === null) continue;
    ts.push(c.start);
    if (c.seconds !== null) ts.push(c.start + c.seconds);
    else if (c.unfinished && s.end !== null) ts.push(Math.max(c.start, s.end));
  }
  for (const p of s.packets) ts.push(p.time);
  for (const k of s.kernel) {
    if (k.time !== null) ts.push(k.time);
    if (k.span) ts.push(...k.span);
  }
  return ts.filter(Number.isFinite).sort((a, b) => a - b);
}

/**
 * The idle stretches to cut: each longer than 100 µs and than 30% of what
 * is left uncut, so that the busy moments get the height.
 */
function cutsOf(ts: number[]): { a: number; b: number }[] {
  if (ts.length < 2) return [];
  const gaps = ts.slice(1).map((t, i) => ({ a: ts[i], b: t })).filter((g) => g.b > g.a);
  const cuts: { a: number; b: number }[] = [];
  let uncut = ts[ts.length - 1] - ts[0];
  for (const g of [...gaps].sort((x, y) => (y.b - y.a) - (x.b - x.a))) {
    const len = g.b - g.a;
    if (cuts.length >= 8 || len <= 100e-6 || len <= 0.3 * uncut) break;
    // Keep a sliver at each end, so that what happens just before and after stays apart from the cut.
    const keep = Math.min(len * 0.02, 0.0002);
    cuts.push({ a: g.a + keep, b: g.b - keep });
    uncut -= len - 2 * keep;
  }
  return cuts.sort((x, y) => x.a - y.a);
}

function makeAxis(ts: number[], top: number, height: number): Axis {
  const t0 = ts[0] ?? 0;
  const t1 = ts[ts.length - 1] ?? t0;
  const cuts = cutsOf(ts);
  const uncut = t1 - t0 - cuts.reduce((n, c) => n + (c.b - c.a), 0);
  const scale = uncut > 0 ? Math.max(0, height - cuts.length * CUT) / uncut : 0;
  const axis: Axis = {
    t0, t1, cuts, scale, top,
    y(t: number) {
      let y = top;
      let from = t0;
      for (const c of this.cuts) {
        if (t <= c.a) break;
        if (t < c.b) return y + this.scale * (c.a - from) + CUT * ((t - c.a) / (c.b - c.a));
        y += this.scale * (c.a - from) + CUT;
        from = c.b;
      }
      return y + this.scale * (t - from);
    },
  };
  return axis;
}

/** A relative time, as the axis and the labels print it. */
function rel(s: number): string {
  if (s === 0) return '+0';
  return `+${fmtUs(s)}`;
}

function callItem(c: TimelineCall, side: TimelineSide, width: number, order: number): Item {
  let body = c.unfinished ? c.line : c.line.slice(0, c.line.length - c.result.length - 3);
  // At most three lines: a longer line is cut in its arguments (the bar's tooltip holds it whole).
  const room = 3 * width - (c.unfinished ? 0 : c.result.length + 3) - 12;
  if (body.length > room) body = `${body.slice(0, room)} …`;
  const main = wrap(body, width);
  let result: string | null = c.unfinished ? null : ` = ${c.result}`;
  if (result !== null && main[main.length - 1].length + result.length > width) {
    main.push('');
    result = result.trimStart();
    if (result.length > width) {
      const r = wrap(result, width);
      main.pop();
      main.push(...r.slice(0, -1));
      result = r[r.length - 1];
    }
  }
  const meta: string[] = [];
  const thread = side.threads.find((t) => t.key === c.thread);
  const tid = thread ? thread.detail.replace(/ \(.*$/, '') : '';
  if (c.start !== null) {
    const t0 = sideTimes(side)[0] ?? c.start;
    const took = c.unfinished ? `never returned${side.end !== null ? `: the process was ended at ${rel(side.end - t0)}` : ''}`
      : c.seconds !== null ? `took ${fmtUs(c.seconds)}` : 'duration unknown';
    meta.push(`${rel(c.start - t0)} · ${took} · ${tid}`);
  } else {
    meta.push(`#${order + 1} in the tracer's order · ${c.seconds !== null ? `took ${fmtUs(c.seconds)}` : 'duration unknown'} · ${tid}`);
  }
  return { kind: 'call', id: c.id, tag: '', main, result, error: /^-1 /.test(c.result), meta, t: c.start, lane: c.thread,
    call: c, row: c.row ?? order, y: 0, h: 0 };
}

function packetItem(p: WirePacket, side: TimelineSide, width: number, t0: number): Item {
  const meta = wrap(`${rel(p.time - t0)} · kernel stamp ${p.stamp}${p.note ? ` · ${p.note}` : ''}`, Math.floor(width * 1.3));
  return { kind: 'packet', id: p.id, tag: 'wire', main: wrap(p.line, width - 5), result: null, error: p.kind === 'icmp', meta,
    t: p.time, lane: `${side.title}|wire|${p.lane ?? 'lo'}`, packet: p, row: -1, y: 0, h: 0 };
}

function kernelItem(k: KernelEvent, side: TimelineSide, width: number, t0: number): Item {
  const when = k.time !== null ? (side.clock === 'order' ? `at kernel stamp ${k.time.toFixed(6)} (the calls have no times to place it by)`
    : rel(k.time - t0)) : k.span ? `between ${rel(k.span[0] - t0)} and ${rel(k.span[1] - t0)}` : 'time unknown';
  return { kind: 'kernel', id: k.id, tag: 'kernel', main: wrap(`${k.socket}: ${k.state}`, width - 7), result: null,
    error: k.pending, meta: wrap(`${when} · ${k.from}`, Math.floor(width * 1.3)), t: k.time ?? k.span?.[0] ?? null,
    lane: kernelLane(side, k), event: k, row: -1, y: 0, h: 0 };
}

const kernelLane = (side: TimelineSide, k: KernelEvent) => `${side.title}|kernel|${k.socket}|${k.kind}`;

const itemHeight = (it: Item) => it.main.length * LINE + it.meta.length * META + GAP;

/** A side's labels in the order the column shows them: by time (calls at entry, clears at the call's return). */
function itemsOf(side: TimelineSide, width: number): Item[] {
  const t0 = sideTimes(side)[0] ?? 0;
  const calls = side.calls.map((c, i) => callItem(c, side, width, i));
  const byId = new Map(calls.map((it) => [it.id, it]));
  const timed = side.clock === 'strace';
  const events: Item[] = [
    ...side.packets.map((p) => packetItem(p, side, width, t0)),
    ...side.kernel.map((k) => kernelItem(k, side, width, t0)),
  ];
  if (!timed) {
    // No times: each state change beside the call it is told by (set before it, cleared after it).
    const out: Item[] = [];
    for (const c of calls) {
      const evs = events.filter((e) => e.event?.call === c.id);
      out.push(...evs.filter((e) => e.event!.pending), c, ...evs.filter((e) => !e.event!.pending));
    }
    return out;
  }
  const key = (it: Item): [number, number] => {
    if (it.kind === 'kernel' && it.event!.call && !it.event!.pending) {
      const c = byId.get(it.event!.call)!;
      return [it.event!.time ?? c.t ?? Infinity, 2];
    }
    return [it.t ?? Infinity, it.kind === 'call' ? 0 : 1];
  };
  return [...calls, ...events].sort((a, b) => {
    const [ta, ka] = key(a);
    const [tb, kb] = key(b);
    return ta - tb || ka - kb;
  });
}

function lanesOf(side: TimelineSide): Omit<Lane, 'x'>[] {
  const lanes: Omit<Lane, 'x'>[] = [];
  for (const t of side.threads) lanes.push({ key: t.key, label: t.label.replace(/ thread$/, ''), detail: t.detail, kind: 'thread' });
  const seen = new Set<string>();
  for (const k of side.kernel) {
    const key = kernelLane(side, k);
    if (seen.has(key)) continue;
    seen.add(key);
    lanes.push({ key, label: k.socket.replace(/ \(.*$/, ''), detail: `${k.socket}: ${k.kind === 'so_error' ? 'SO_ERROR' : 'error queue'}`,
      kind: 'kernel' });
  }
  if (side.kernel.length === 0) {
    lanes.push({ key: `${side.title}|kernel|none`, label: 'kernel', detail: 'no call in this run was handed a pending error', kind: 'kernel' });
  }
  const wires = [...new Set(side.packets.map((p) => p.lane ?? 'lo'))];
  for (const w of wires.length > 0 ? wires : ['lo']) {
    lanes.push({ key: `${side.title}|wire|${w}`, label: 'wire', detail: side.packets.length > 0 ? `packets on ${w}` : side.wireNote ?? 'no packets',
      kind: 'wire' });
  }
  return lanes;
}

interface Placed { side: TimelineSide; items: Item[]; lanes: Lane[]; axis: Axis | null; x0: number; x1: number; labelX: number;
  mirrored: boolean; name: string }

/** The whole page. */
export function renderTimeline(tl: Timeline): string {
  const two = tl.sides.length === 2 && tl.rows !== undefined;
  const labelChars = two ? 56 : 104;
  const labelW = labelChars * CH + 2 * PAD;
  const placed: Placed[] = [];
  let x = 0;
  const blocks = two ? tl.sides : tl.sides.slice(0, 1);
  // Layout from left to right: [axis][wire][kernel][threads][labels] for the
  // first side; [labels][threads][kernel][wire][axis] for the second.
  blocks.forEach((side, si) => {
    const mirrored = si === 1;
    const laneDefs = lanesOf(side);
    const ordered = mirrored ? laneDefs : [...laneDefs].reverse();
    const width = AXIS + ordered.length * LANE;
    const items = itemsOf(side, labelChars);
    if (!mirrored) {
      const lanes = ordered.map((l, k) => ({ ...l, x: x + AXIS + k * LANE + LANE / 2 }));
      placed.push({ side, items, lanes, axis: null, x0: x, x1: x + width, labelX: x + width + GUTTER, mirrored, name: 'left' });
      x += width + GUTTER + labelW;
    } else {
      const labelX = x + PAD;
      x += labelW + GUTTER;
      const lanes = ordered.map((l, k) => ({ ...l, x: x + k * LANE + LANE / 2 }));
      placed.push({ side, items, lanes, axis: null, x0: x, x1: x + width, labelX, mirrored, name: 'right' });
      x += width;
    }
  });
  const totalW = x;

  // Label positions.
  const rowBoxes: { y: number; h: number; row: number }[] = [];
  let height = 0;
  if (two) {
    const [L, R] = placed;
    const anchorRow = (p: Placed) => {
      // An event follows the last row (of this side) whose call began at or before it.
      const calls = p.items.filter((i) => i.kind === 'call');
      for (const it of p.items) {
        if (it.kind === 'call') continue;
        if (it.kind === 'kernel' && it.event!.call && (it.t === null || !it.event!.pending)) {
          const c = calls.find((ci) => ci.id === it.event!.call);
          if (c) { it.row = it.event!.pending ? c.row - 0.5 : c.row; continue; }
        }
        let row = -1;
        for (const c of calls) if (c.t !== null && it.t !== null && c.t <= it.t) row = Math.max(row, c.row);
        it.row = row;
      }
    };
    anchorRow(L);
    anchorRow(R);
    let y = HEAD;
    const rows = tl.rows!;
    const evAt = (p: Placed, r: number) => p.items.filter((i) => i.kind !== 'call' && i.row === r);
    const callAt = (p: Placed, r: number) => p.items.find((i) => i.kind === 'call' && i.row === r);
    const stack = (list: Item[], from: number) => { let yy = from; for (const it of list) { it.y = yy; it.h = itemHeight(it); yy += it.h; } return yy; };
    y = Math.max(stack(evAt(L, -1), y), stack(evAt(R, -1), y));
    for (let r = 0; r < rows.length; r++) {
      y = Math.max(stack(evAt(L, r - 0.5), y), stack(evAt(R, r - 0.5), y));
      const l = callAt(L, r);
      const rr = callAt(R, r);
      const h = Math.max(l ? itemHeight(l) : 0, rr ? itemHeight(rr) : 0, LINE + META + GAP);
      for (const it of [l, rr]) if (it) { it.y = y; it.h = h; }
      rowBoxes.push({ y, h, row: r });
      y += h;
      y = Math.max(stack(evAt(L, r), y), stack(evAt(R, r), y));
    }
    height = y;
  } else {
    let y = HEAD;
    for (const it of placed[0].items) { it.y = y; it.h = itemHeight(it); y += it.h; }
    height = y;
  }
  // A run with few labels still gets room for its axis.
  height = Math.max(height, HEAD + 300) + PAD;

  // Axes: one scale for the sides, so that a bar's length means the same on both.
  for (const p of placed) {
    if (p.side.clock === 'strace') p.axis = makeAxis(sideTimes(p.side), HEAD + 4, height - HEAD - 4 - PAD);
  }
  const scales = placed.filter((p) => p.axis && p.axis.scale > 0).map((p) => p.axis!.scale);
  if (scales.length > 1) {
    const s = Math.min(...scales);
    for (const p of placed) if (p.axis) p.axis.scale = s;
  }

  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${num(totalW)} ${num(height)}" width="${num(totalW)}" ` +
    `height="${num(height)}" role="img" aria-label="${esc(tl.summary)}" font-size="12">`);
  svg.push(defs());
  if (two) {
    const [L, R] = placed;
    const gx = L.labelX - PAD / 2;
    const gw = R.x0 - GUTTER - gx;
    for (const b of rowBoxes) {
      const row = tl.rows![b.row];
      const cls = row.teardown ? 'row teardown' : row.same ? 'row same' : 'row diverge';
      svg.push(`<g class="${cls}" data-row="${b.row + 1}"><rect x="${num(gx)}" y="${num(b.y - 2)}" width="${num(gw)}" height="${num(b.h - 2)}" rx="3"/>` +
        `<text class="rowno" x="${num(R.labelX - PAD / 2 - 2)}" y="${num(b.y + 11)}" text-anchor="end">${row.teardown ? 't' : row.same ? '' : '≠'}${b.row + 1}</text></g>`);
    }
  }
  for (const p of placed) svg.push(drawSide(p, height));
  svg.push('</svg>');
  return page(tl, svg.join('\n'));
}

function defs(): string {
  return `<defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern>
<marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>
</defs>`;
}

function drawSide(p: Placed, height: number): string {
  const out: string[] = [];
  const { side, lanes, axis } = p;
  const laneOf = new Map(lanes.map((l) => [l.key, l]));
  const bottom = height - PAD;
  out.push(`<g class="side" data-side="${p.name}" data-clock="${side.clock}">`);
  // Lane backgrounds and headers.
  for (const l of lanes) {
    out.push(`<g class="lane ${l.kind}" data-lane="${esc(l.key)}"><rect class="lane-bg" x="${num(l.x - LANE / 2 + 2)}" y="${HEAD - 6}" width="${LANE - 4}" ` +
      `height="${num(bottom - HEAD + 6)}" rx="4"/><text class="lane-head" x="${num(l.x)}" y="16" text-anchor="middle">${esc(l.label)}</text>` +
      `<text class="lane-sub" x="${num(l.x)}" y="29" text-anchor="middle">${esc(shortDetail(l))}</text><title>${esc(l.detail)}</title></g>`);
  }
  const axisX = p.mirrored ? p.x1 - AXIS + 8 : p.x0 + AXIS - 8;
  const anchor = p.mirrored ? 'start' : 'end';
  if (axis) {
    out.push(`<g class="axis"><text class="lane-head" x="${num(axisX)}" y="16" text-anchor="${anchor}">time</text>` +
      `<text class="lane-sub" x="${num(axisX)}" y="29" text-anchor="${anchor}">measured</text>`);
    for (const [a, b] of segments(axis)) {
      out.push(`<line class="axis-line" x1="${num(axisX)}" x2="${num(axisX)}" y1="${num(axis.y(a))}" y2="${num(axis.y(b))}"/>`);
      const step = niceStep(60 / Math.max(axis.scale, 1e-9));
      for (let t = Math.ceil((a - axis.t0) / step) * step; axis.t0 + t <= b + 1e-12; t += step) {
        const y = axis.y(axis.t0 + t);
        out.push(`<line class="tick" x1="${num(axisX - 4)}" x2="${num(axisX + 4)}" y1="${num(y)}" y2="${num(y)}"/>` +
          `<text class="tick-label" x="${num(p.mirrored ? axisX + 7 : axisX - 7)}" y="${num(y + 4)}" text-anchor="${anchor}">${tickLabel(t, step)}</text>`);
      }
    }
    for (const c of axis.cuts) {
      const y0 = axis.y(c.a);
      const yz = y0 + CUT / 2;
      const xa = p.x0 + (p.mirrored ? 0 : 4);
      const xb = p.x1 - (p.mirrored ? 4 : 0);
      let zig = `M${num(xa)},${num(yz)}`;
      for (let xx = xa, k = 0; xx < xb; xx += 6, k++) zig += ` L${num(Math.min(xx + 6, xb))},${num(yz + (k % 2 ? -4 : 4))}`;
      out.push(`<g class="cut" data-seconds="${c.b - c.a}"><rect class="cut-bg" x="${num(xa)}" y="${num(y0 + 3)}" width="${num(xb - xa)}" height="${CUT - 6}"/>` +
        `<path class="cut-line" d="${zig}"/><rect class="cut-bg" x="${num((xa + xb) / 2 - 38)}" y="${num(yz - 7)}" width="76" height="14" rx="3"/>` +
        `<text class="cut-label" x="${num((xa + xb) / 2)}" y="${num(yz + 3.5)}" text-anchor="middle">${fmtUs(c.b - c.a)} cut</text>` +
        `<title>${esc(`${fmtUs(c.b - c.a)} in which nothing happened in any lane, not drawn`)}</title></g>`);
    }
    out.push('</g>');
  } else {
    out.push(`<g class="axis"><text class="lane-head" x="${num(axisX)}" y="16" text-anchor="${anchor}">order</text>` +
      `<text class="lane-sub" x="${num(axisX)}" y="29" text-anchor="${anchor}">not a time axis</text></g>`);
  }
  const yOf = (it: Item): number => (axis && it.t !== null ? axis.y(it.t) : it.y + 10);

  // Kernel state: bands from each change to the next.
  const byLane = new Map<string, KernelEvent[]>();
  for (const k of side.kernel) {
    const key = kernelLane(side, k);
    byLane.set(key, [...(byLane.get(key) ?? []), k]);
  }
  const itemOf = new Map(p.items.map((it) => [it.id, it]));
  for (const [key, evs] of byLane) {
    const lane = laneOf.get(key)!;
    for (let i = 0; i < evs.length; i++) {
      const k = evs[i];
      if (!k.pending) continue;
      const next = evs[i + 1];
      const it = itemOf.get(k.id)!;
      const nextIt = next ? itemOf.get(next.id)! : null;
      const ya = axis ? (k.time !== null ? axis.y(k.time) : k.span ? axis.y(k.span[0]) : yOf(it)) : yOf(it);
      const yb = axis ? (next && next.time !== null ? axis.y(next.time) : k.span ? axis.y(k.span[1]) : ya + 4) : nextIt ? yOf(nextIt) : ya + 10;
      const hatched = k.time === null;
      out.push(`<rect class="state ${k.kind}${hatched ? ' bounded' : ''}" data-event="${k.id}" data-t="${k.time ?? ''}" x="${num(lane.x - 9)}" y="${num(ya)}" ` +
        `width="18" height="${num(Math.max(2, yb - ya))}"${hatched ? ' fill="url(#hatch)"' : ''}><title>${esc(`${k.socket}: ${k.state} — ${k.from}`)}</title></rect>`);
      if (k.time !== null) out.push(`<line class="state-edge" x1="${num(lane.x - 12)}" x2="${num(lane.x + 12)}" y1="${num(ya)}" y2="${num(ya)}"/>`);
    }
  }

  // Calls.
  for (const c of side.calls) {
    const lane = laneOf.get(c.thread)!;
    const it = itemOf.get(c.id)!;
    let ya: number;
    let yb: number;
    if (axis && c.start !== null) {
      ya = axis.y(c.start);
      const end = c.seconds !== null ? c.start + c.seconds : c.unfinished && side.end !== null ? Math.max(side.end, c.start) : c.start;
      yb = axis.y(end);
    } else {
      ya = it.y + 3;
      yb = it.y + 13;
    }
    const cls = `bar${/^-1 /.test(c.result) ? ' error' : ''}${c.unfinished ? ' unfinished' : ''}`;
    out.push(`<rect class="${cls}" data-call="${c.id}" data-t0="${c.start ?? ''}" data-t1="${c.start !== null && c.seconds !== null ? c.start + c.seconds : ''}" ` +
      `x="${num(lane.x - 6)}" y="${num(ya)}" width="12" height="${num(Math.max(2, yb - ya))}" rx="2"><title>${esc(`${c.line}${c.seconds !== null ? ` <${c.seconds.toFixed(6)}>` : ''}`)}</title></rect>`);
  }

  // Packets.
  for (const pk of side.packets) {
    const lane = laneOf.get(`${side.title}|wire|${pk.lane ?? 'lo'}`)!;
    if (!axis) continue;
    const y = axis.y(pk.time);
    const shape = pk.kind === 'icmp'
      ? `<path class="pkt icmp" d="M${num(lane.x - 8)},${num(y)} L${num(lane.x + 7)},${num(y - 5)} L${num(lane.x + 7)},${num(y + 5)} z"/>`
      : `<circle class="pkt ${pk.kind}" cx="${num(lane.x)}" cy="${num(y)}" r="4.5"/>`;
    out.push(`<g class="packet-mark" data-packet="${pk.id}" data-t="${pk.time}">${shape}<title>${esc(`${pk.stamp} ${pk.line}`)}</title></g>`);
  }

  // Arrows: from the packet (or the queued entry) to the return of the call that told the program.
  for (const a of side.arrows) {
    const from = itemOf.get(a.from);
    const to = side.calls.find((c) => c.id === a.to);
    if (!from || !to || !axis || from.t === null || to.start === null) continue;
    const fl = laneOf.get(from.lane)!;
    const tl_ = laneOf.get(to.thread)!;
    const y1 = axis.y(from.t);
    const y2 = axis.y(to.start + (to.seconds ?? 0));
    const dx = tl_.x - fl.x;
    const x2 = tl_.x - Math.sign(dx) * 7;
    out.push(`<path class="arrow" data-from="${a.from}" data-to="${a.to}" d="M${num(fl.x)},${num(y1)} C${num(fl.x + dx * 0.5)},${num(y1)} ` +
      `${num(x2 - dx * 0.4)},${num(y2)} ${num(x2)},${num(y2)}" marker-end="url(#head)"><title>${esc(a.label)}</title></path>`);
  }

  // Labels and their leaders.
  const edge = p.mirrored ? p.x0 : p.x1;
  for (const it of p.items) {
    const laneKey = it.kind === 'call' ? it.call!.thread : it.lane;
    const lane = laneOf.get(laneKey);
    const ya = yOf(it);
    const ly = it.y + 10;
    const lx = p.mirrored ? p.x0 - GUTTER + 2 : p.labelX - 4;
    if (lane && (axis || it.kind === 'call' || it.kind === 'kernel')) {
      out.push(`<path class="leader" d="M${num(lane.x)},${num(ya)} L${num(edge)},${num(ya)} L${num(lx)},${num(ly - 4)}"/>`);
    }
    out.push(labelSvg(it, p));
  }
  out.push('</g>');
  return out.join('\n');
}

function labelSvg(it: Item, p: Placed): string {
  const x = p.labelX;
  const lines: string[] = [];
  let y = it.y + 10;
  it.main.forEach((l, k) => {
    const last = k === it.main.length - 1;
    const tag = k === 0 && it.tag ? `<tspan class="tag">${it.tag}</tspan> ` : k > 0 && it.tag ? '     '.slice(0, it.tag.length + 1) : '';
    const res = last && it.result !== null ? `<tspan class="${it.error ? 'res err' : 'res'}">${esc(it.result)}</tspan>` : '';
    lines.push(`<text class="label-main" x="${num(x)}" y="${num(y)}" xml:space="preserve">${tag}${esc(l)}${res}</text>`);
    y += LINE;
  });
  for (const m of it.meta) {
    lines.push(`<text class="label-meta" x="${num(x)}" y="${num(y - 2)}">${esc(m)}</text>`);
    y += META;
  }
  const c = it.call;
  const data = c
    ? ` data-call="${c.id}" data-line="${esc(c.line)}" data-result="${esc(c.result)}" data-t="${c.start ?? ''}"` +
      ` data-seconds="${c.seconds ?? ''}"${c.row !== undefined ? ` data-row="${c.row + 1}"` : ''}`
    : it.packet ? ` data-packet="${it.packet.id}" data-line="${esc(it.packet.line)}" data-t="${it.packet.time}"`
    : ` data-event="${it.event!.id}" data-t="${it.event!.time ?? ''}"`;
  return `<g class="item ${it.kind}${it.error ? ' error' : ''}"${data}>${lines.join('')}</g>`;
}

function shortDetail(l: Lane): string {
  if (l.kind === 'thread') return l.detail.replace(/^tid (\d+).*$/, '$1');
  if (l.kind === 'kernel') return / SO_ERROR$/.test(l.detail) ? 'SO_ERROR' : / error queue$/.test(l.detail) ? 'err queue' : 'state';
  return l.detail.startsWith('packets on ') ? l.detail.slice(11) : 'empty';
}

/** The uncut stretches of an axis. */
function segments(a: Axis): [number, number][] {
  const out: [number, number][] = [];
  let from = a.t0;
  for (const c of a.cuts) { out.push([from, c.a]); from = c.b; }
  out.push([from, a.t1]);
  return out;
}

/** A tick's time, in the unit of its step and no more digits than the step has. */
function tickLabel(t: number, step: number): string {
  if (t === 0) return '+0';
  const big = Math.max(t, step);
  const [unit, k] = big >= 1 ? ['s', 1] : big >= 1e-3 ? ['ms', 1e3] : ['µs', 1e6];
  const digits = Math.max(0, Math.min(3, -Math.floor(Math.log10(step * k) + 1e-9)));
  return `+${(t * k).toFixed(digits)} ${unit}`;
}

/** 1, 2 or 5 times a power of ten, at least `min` seconds. */
function niceStep(min: number): number {
  const p = 10 ** Math.floor(Math.log10(min));
  for (const m of [1, 2, 5, 10]) if (m * p >= min) return m * p;
  return 10 * p;
}

function page(tl: Timeline, svg: string): string {
  // A note every side has is said once, for the page.
  const all = (s: TimelineSide) => [...s.notes,
    ...(s.packets.length === 0 ? [`Wire lane empty: ${s.wireNote ?? 'no packet of this run was captured'}.`] : [])];
  const common = tl.sides.length > 1 ? all(tl.sides[0]).filter((n) => tl.sides.every((s) => all(s).includes(n))) : [];
  const pageNotes = [...(tl.notes ?? []), ...common];
  const notes = tl.sides.map((s) => {
    const list = all(s).filter((n) => !common.includes(n));
    if (s.clock === 'order' && s.packets.length > 0) {
      list.push(`The capture's packets have times but the calls have none, so they are listed here and not drawn: ${s.packets.map((p) => `${p.stamp} ${p.line}`).join('; ')}.`);
    }
    return `<section class="side-notes"><h3>${esc(s.title)}</h3>${s.outcome ? `<p class="outcome">${esc(s.outcome)}</p>` : ''}` +
      `<ul>${list.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>`;
  }).join('\n');
  const legend = [
    '<span class="key"><svg width="14" height="14"><rect class="bar" x="4" y="1" width="6" height="12" rx="2"/></svg> a system call, from its entry to its return</span>',
    '<span class="key"><svg width="14" height="14"><rect class="bar error" x="4" y="1" width="6" height="12" rx="2"/></svg> one that failed (-1 and errno)</span>',
    '<span class="key"><svg width="14" height="14"><circle class="pkt udp" cx="7" cy="7" r="4.5"/></svg> a datagram or segment</span>',
    '<span class="key"><svg width="16" height="14"><path class="pkt icmp" d="M1,7 L15,2 L15,12 z"/></svg> an ICMP error</span>',
    '<span class="key"><svg width="14" height="14"><rect class="state so_error" x="2" y="1" width="10" height="12"/></svg> an error pending on the socket</span>',
    '<span class="key"><svg width="14" height="14"><rect class="state bounded" x="2" y="1" width="10" height="12" fill="url(#hatch)"/></svg> pending from some time in this stretch (no packet times it)</span>',
    '<span class="key"><svg width="24" height="14"><path class="arrow" d="M1,7 L20,7" marker-end="url(#head)"/></svg> the packet, and the call it was reported to</span>',
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(tl.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(tl.title)}</h1>
<p class="summary">${esc(tl.summary)}</p>
${tl.verdict ? `<p class="verdict">${esc(tl.verdict)}</p>` : ''}
</header>
<p class="legend">${legend.join(' ')}</p>
<figure>${svg}</figure>
<section class="notes"><h2>How each lane's times were obtained</h2>
${pageNotes.length > 0 ? `<ul>${pageNotes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${notes}
</section>
<footer>Made by sockcall from one run; every time on this page was measured in it.</footer>
</body>
</html>
`;
}

const CSS = `
:root { --bg: #ffffff; --fg: #1d1f21; --muted: #5d6670; --lane: #f2f4f7; --line: #c9ced6; --call: #3465a4; --err: #c4262e;
  --pkt: #2e8540; --icmp: #d9480f; --pending: #f4a259; --queue: #9b59b6; --row: #ffffff; --diverge: #fde2e1; --teardown: #f5f5f5;
  --arrow: #d9480f; --cut: #ffffff; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16181c; --fg: #e6e8eb; --muted: #9aa3ad; --lane: #22262c; --line: #48505a; --call: #7aa7e8; --err: #ff6b6b;
    --pkt: #5fd07a; --icmp: #ff922b; --pending: #c7772e; --queue: #c39bd3; --row: #16181c; --diverge: #4a2024; --teardown: #1e2126;
    --arrow: #ff922b; --cut: #16181c; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 16px 20px 32px; max-width: 1800px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
h1 { font-size: 19px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 18px 0 6px; }
h3 { font-size: 14px; margin: 12px 0 4px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.summary { margin: 0 0 4px; }
.verdict { margin: 0; font-weight: 600; }
.legend { font-size: 12px; color: var(--muted); margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.legend .key { white-space: nowrap; display: inline-flex; align-items: center; gap: 4px; }
figure { margin: 0; overflow-x: auto; }
figure > svg { display: block; width: 100%; height: auto; max-width: none; }
svg text { fill: var(--fg); }
.label-main { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; white-space: pre; }
.label-meta { font-size: 10.5px; fill: var(--muted); }
.item.packet .label-main, .item.kernel .label-main { font-style: italic; }
.tag { font-weight: 700; font-style: normal; fill: var(--muted); }
.res { font-weight: 700; }
.res.err { fill: var(--err); }
.lane-bg { fill: var(--lane); }
.lane-head { font-size: 11px; font-weight: 700; }
.lane-sub { font-size: 9px; fill: var(--muted); }
.axis-line, .tick { stroke: var(--muted); stroke-width: 1; }
.tick-label, .cut-label { font-size: 9.5px; fill: var(--muted); }
.cut-bg { fill: var(--cut); }
.cut-line { fill: none; stroke: var(--muted); stroke-width: 1; }
.bar { fill: var(--call); }
.bar.error { fill: var(--err); }
.bar.unfinished { fill-opacity: 0.45; stroke: var(--call); stroke-dasharray: 3 2; }
.pkt.udp, .pkt.tcp, .pkt.other { fill: var(--pkt); }
.pkt.icmp { fill: var(--icmp); }
.state.so_error { fill: var(--pending); }
.state.errqueue { fill: var(--queue); }
.state.bounded { fill: url(#hatch); stroke: var(--pending); stroke-width: 1; }
.hatch-bg { fill: var(--bg); }
.hatch-line { stroke: var(--pending); stroke-width: 3; }
.state-edge { stroke: var(--fg); stroke-width: 1.5; }
.arrow { fill: none; stroke: var(--arrow); stroke-width: 1.6; }
.arrowhead { fill: var(--arrow); }
.leader { fill: none; stroke: var(--line); stroke-width: 0.7; }
.row rect { fill: var(--row); }
.row.diverge rect { fill: var(--diverge); }
.row.teardown rect { fill: var(--teardown); }
.row.teardown text { fill-opacity: 0.7; }
.rowno { font-size: 10px; fill: var(--muted); }
.row.diverge .rowno { fill: var(--err); font-weight: 700; }
.notes { font-size: 13px; }
.notes ul { margin: 4px 0; padding-left: 20px; }
.outcome { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
footer { margin-top: 20px; font-size: 12px; color: var(--muted); }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --lane: #f0f0f0; --line: #b0b0b0; --call: #1f4e99; --err: #b00020;
    --pkt: #1b6e30; --icmp: #c2410c; --pending: #f0a04b; --queue: #8e44ad; --row: #ffffff; --diverge: #fbd5d3; --teardown: #f3f3f3;
    --arrow: #c2410c; --cut: #ffffff; }
  @page { size: A4 landscape; margin: 10mm; }
  body { max-width: none; padding: 0; font-size: 11px; }
  figure { overflow: visible; }
  figure > svg { width: 100%; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
