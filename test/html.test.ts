// The time line pages (compare --html, explain --html): each is opened in
// headless Chromium from Debian's package (driven by playwright-core, which
// downloads no browser): it loads with no console error and no network
// request, every call of the run is on it once with its result, each lane is
// in time order, and its screenshot is not blank. The article's case is on
// it: sendto returning 3, the ICMP arriving (as root, when lo can be
// captured), recvfrom failing with ECONNREFUSED, and the arrow between them.
// Without the privilege, or with the capture turned off, the wire lane is
// empty and says why; without strace the page says its rows are the tracer's
// order, not a time axis. The model and the renderer are also tested alone,
// on made-up runs, where the expected picture is known.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { straceWorks, type Syscall } from '../cli/strace.ts';
import { buildSide, type Timeline } from '../cli/timeline.ts';
import { renderTimeline, wrap } from '../cli/html.ts';
import { parseFrameLine } from '../cli/capture-run.ts';
import { capturedOf } from '../cli/lab/timeline.ts';
import { canMakeLabs, namespaces } from '../cli/lab/netns.ts';
import type { WirePacket as LabPacket } from '../cli/lab/wire.ts';

const root = path.join(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'sockcall.js');
// Debian's package; $CHROMIUM names another build (one that is missing shows the skip).
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? false : `Chromium is not installed (${CHROMIUM}): apt-get install chromium`;
const st = straceWorks();
const noStrace = st.ok ? false : st.why;
const isRoot = process.getuid?.() === 0;
const labs = canMakeLabs();
const noLab = labs.ok ? false : labs.why;
const tmp = mkdtempSync(path.join(tmpdir(), 'sockcall-html-'));
chmodSync(tmp, 0o777);  // the unprivileged run writes here too

function cli(args: string[], prefix: string[] = [], env: NodeJS.ProcessEnv = process.env):
  Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const argv = [...prefix, process.execPath, bin, ...args];
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// ---- one browser for the file, started only when Chromium is there ----------------

let context: BrowserContext | null = null;
before(async () => {
  if (noChromium) return;
  const { chromium } = await import('playwright-core');
  // No network: Chromium's own background traffic is switched off, and the page loads nothing but itself.
  // The sanitizer tier (test/slow/sanitizers.test.ts) preloads libasan into
  // this suite; Chromium, which has its own allocator, spins at 100% CPU and
  // never opens its pipe with ASan's interposers under it. The browser only
  // draws the page, so it starts without the preload.
  const { LD_PRELOAD: _preload, ASAN_OPTIONS: _asan, UBSAN_OPTIONS: _ubsan, ...browserEnv } = process.env;
  context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmp, 'profile-')), {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1366, height: 900 }, env: browserEnv,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await context?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Opened { page: Page; errors: string[]; requests: string[] }

async function open(file: string, scheme: 'light' | 'dark' = 'light'): Promise<Opened> {
  const page = await context!.newPage();
  await page.emulateMedia({ colorScheme: scheme });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, requests };
}

function loadedClean(o: Opened, file: string): void {
  assert.deepEqual(o.errors, [], 'no console error');
  assert.deepEqual(o.requests, [pathToFileURL(file).href], 'no request but the page itself');
}

interface CallOnPage { side: string; id: string; line: string; result: string; shown: string; t: number | null }

async function callsOnPage(page: Page): Promise<CallOnPage[]> {
  return page.$$eval('g.side g.item.call', (els) => els.map((e) => ({
    side: e.closest('g.side')!.getAttribute('data-side')!, id: e.getAttribute('data-call')!,
    line: e.getAttribute('data-line')!, result: e.getAttribute('data-result')!,
    shown: (e.querySelector('.res')?.textContent ?? '').trim(),
    t: e.getAttribute('data-t') ? Number(e.getAttribute('data-t')) : null,
  })));
}

/** Each lane's marks (bars, packets, state changes): y must grow with their time. */
async function laneOrder(page: Page): Promise<{ side: string; bad: string[]; marks: number }[]> {
  return page.$$eval('g.side', (sides) => sides.map((s) => {
    const marks: { t: number; y: number; what: string }[] = [];
    for (const b of s.querySelectorAll('rect.bar')) {
      const t = b.getAttribute('data-t0');
      if (t) marks.push({ t: Number(t), y: b.getBoundingClientRect().top, what: `bar ${b.getAttribute('data-call')}` });
    }
    for (const p of s.querySelectorAll('g.packet-mark')) {
      const r = p.getBoundingClientRect();
      marks.push({ t: Number(p.getAttribute('data-t')), y: (r.top + r.bottom) / 2, what: `packet ${p.getAttribute('data-packet')}` });
    }
    for (const k of s.querySelectorAll('rect.state')) {
      const t = k.getAttribute('data-t');
      if (t) marks.push({ t: Number(t), y: k.getBoundingClientRect().top, what: `state ${k.getAttribute('data-event')}` });
    }
    marks.sort((a, b) => a.t - b.t);
    const bad: string[] = [];
    for (let i = 1; i < marks.length; i++) {
      if (marks[i].y + 0.5 < marks[i - 1].y) bad.push(`${marks[i].what} (t ${marks[i].t}) is above ${marks[i - 1].what} (t ${marks[i - 1].t})`);
    }
    return { side: s.getAttribute('data-side')!, bad, marks: marks.length };
  }));
}

/**
 * Each side's pixels per second, from every two successive points of its
 * lanes (a bar's entry and return, a packet) with no cut between them: the
 * axis is linear between its cuts, so they must agree. (SVG user units,
 * read from the attributes.)
 */
async function scales(page: Page): Promise<{ side: string; k: number[] }[]> {
  const sides = await page.$$eval('g.side', (els) => els.map((s) => ({
    side: s.getAttribute('data-side')!,
    bars: [...s.querySelectorAll('rect.bar')].filter((b) => b.getAttribute('data-t0'))
      .map((b) => ({ t0: Number(b.getAttribute('data-t0')), t1: Number(b.getAttribute('data-t1') || NaN),
        y: Number(b.getAttribute('y')), h: Number(b.getAttribute('height')) })),
    packets: [...s.querySelectorAll('g.packet-mark')].map((g) => ({ t: Number(g.getAttribute('data-t')),
      y: Number(g.querySelector('circle')?.getAttribute('cy') ?? /^M[\d.]+,([\d.]+)/.exec(g.querySelector('path')!.getAttribute('d')!)![1]) })),
    cuts: [...s.querySelectorAll('g.cut rect.cut-bg')].map((c) => Number(c.getAttribute('y'))),
  })));
  return sides.map(({ side, bars, packets, cuts }) => {
    const points = [...packets];
    for (const b of bars) {
      points.push({ t: b.t0, y: b.y });
      if (Number.isFinite(b.t1) && b.h > 2) points.push({ t: b.t1, y: b.y + b.h });
    }
    points.sort((a, b) => a.t - b.t);
    const k: number[] = [];
    for (let i = 1; i < points.length; i++) {
      const [a, b] = [points[i - 1], points[i]];
      if (b.y - a.y < 10 || cuts.some((y) => y > a.y - 4 && y < b.y + 4)) continue;
      k.push((b.y - a.y) / (b.t - a.t));
    }
    return { side, k };
  });
}

/** Marks drawn below the figure's end (an axis scaled past its room). */
async function overflow(page: Page): Promise<string[]> {
  return page.$eval('figure > svg', (svg) => {
    const height = Number(svg.getAttribute('viewBox')!.split(' ')[3]);
    return [...svg.querySelectorAll('rect.bar, rect.state, g.packet-mark circle')]
      .filter((e) => Number(e.getAttribute('y') ?? e.getAttribute('cy')) + Number(e.getAttribute('height') ?? 0) > height + 0.5)
      .map((e) => e.outerHTML.slice(0, 80));
  });
}

function oneScale(found: { side: string; k: number[] }[], sides: number): void {
  const all = found.flatMap((f) => f.k);
  assert.ok(found.filter((f) => f.k.length > 0).length === sides, `every side has two points with no cut between: ${JSON.stringify(found)}`);
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  assert.ok(hi / lo < 1.05, `one scale between cuts${sides > 1 ? ', on both sides' : ''}: ${all.map((k) => `${(k / 1e6).toFixed(4)} px/µs`).join(', ')}`);
}

/** The screenshot's distinct colours and the share of pixels that are not the background's. */
async function screenshotStats(page: Page): Promise<{ colours: number; ink: number; bytes: number }> {
  const png = await page.screenshot({ fullPage: true });
  const probe = await context!.newPage();
  await probe.setContent('<canvas id="c"></canvas>');
  const stats = await probe.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.getElementById('c') as HTMLCanvasElement;
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, img.width, img.height).data;
    const seen = new Map<number, number>();
    for (let i = 0; i < d.length; i += 4) {
      const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const most = Math.max(...seen.values());
    return { colours: seen.size, ink: 1 - most / (d.length / 4) };
  }, png.toString('base64'));
  await probe.close();
  return { ...stats, bytes: png.length };
}

function notBlank(s: { colours: number; ink: number }): void {
  assert.ok(s.colours > 50, `the screenshot has ${s.colours} colours`);
  assert.ok(s.ink > 0.03, `only ${(s.ink * 100).toFixed(1)}% of the screenshot is not background`);
}

// ---- compare --html ------------------------------------------------------------------

test('compare --html: program 1 in Python and TypeScript on one page, every call once, sendto, the ICMP, recvfrom 111',
  { skip: noChromium || noStrace }, async () => {
    const file = path.join(tmp, 'c.html');
    const r = await cli(['compare', '--json', '--html', file, 'examples/program1.py', 'examples/program1.ts']);
    assert.equal(r.status, 0, r.stderr);
    const c = JSON.parse(r.stdout) as { rows: { left: string | null; right: string | null; same: boolean }[] };
    const o = await open(file);
    loadedClean(o, file);
    const calls = await callsOnPage(o.page);
    for (const side of ['left', 'right'] as const) {
      const want = c.rows.map((row) => row[side]).filter((l): l is string => l !== null).sort();
      const got = calls.filter((x) => x.side === side);
      assert.deepEqual(got.map((x) => x.line).sort(), want, `${side}: every call of the run, once`);
      for (const x of got) assert.equal(x.shown, `= ${x.result}`, `${x.line}: its result is shown`);
    }
    // The rows are compare's, aligned: row k of each side at the same height.
    const rowsY = await o.page.$$eval('g.item.call[data-row]', (els) => els.map((e) => ({
      row: e.getAttribute('data-row'), side: e.closest('g.side')!.getAttribute('data-side'), y: e.getBoundingClientRect().top })));
    for (const a of rowsY.filter((x) => x.side === 'left')) {
      const b = rowsY.find((x) => x.side === 'right' && x.row === a.row);
      if (b) assert.ok(Math.abs(a.y - b.y) < 1, `row ${a.row} is at the same height on both sides`);
    }
    for (const lane of await laneOrder(o.page)) assert.deepEqual(lane.bad, [], `${lane.side}: lanes in time order`);
    oneScale(await scales(o.page), 2);
    assert.deepEqual(await overflow(o.page), [], 'every mark within the figure');
    // The article's case, on each side's time axis. (Only anonymous functions
    // run in the page: tsx would wrap a named one in a helper the page lacks.)
    const marks = await o.page.$$eval('g.side', (sides) => sides.map((s) => ({
      side: s.getAttribute('data-side')!,
      calls: [...s.querySelectorAll('g.item.call')].map((e) => ({ id: e.getAttribute('data-call')!, line: e.getAttribute('data-line')! })),
      packets: [...s.querySelectorAll('g.item.packet')].map((e) => ({ id: e.getAttribute('data-packet')!, line: e.getAttribute('data-line')!,
        t: Number(e.getAttribute('data-t')) })),
      bars: [...s.querySelectorAll('rect.bar')].map((e) => ({ id: e.getAttribute('data-call')!, t0: Number(e.getAttribute('data-t0')),
        t1: Number(e.getAttribute('data-t1')) })),
      arrows: [...s.querySelectorAll('path.arrow')].map((e) => ({ from: e.getAttribute('data-from')!, to: e.getAttribute('data-to')! })),
    })));
    const wireEmpty = /Wire lane empty/.test((await o.page.textContent('body'))!);
    const article = marks.map((m) => {
      const send = m.calls.find((x) => /^sendto\(A, "123", 3, 0, NULL, 0\) = 3$/.test(x.line));
      const recv = m.calls.find((x) => /^recvfrom\(A, .*= -1 ECONNREFUSED \(Connection refused\)$/.test(x.line));
      const icmp = m.packets.find((x) => /ICMP 127\.0\.0\.1 udp port 1060 unreachable/.test(x.line));
      return {
        side: m.side, send: send?.id ?? null, recv: recv?.id ?? null,
        sendT: m.bars.find((b) => b.id === send?.id)?.t0 ?? NaN, recvEnd: m.bars.find((b) => b.id === recv?.id)?.t1 ?? NaN,
        icmp: icmp?.t ?? null, icmpId: icmp?.id ?? null, arrowFrom: m.arrows.find((a) => a.to === recv?.id)?.from ?? null, wireEmpty,
      };
    });
    for (const a of article) {
      assert.ok(a.send && a.recv, `${a.side}: sendto = 3 and recvfrom = -1 ECONNREFUSED are on the page`);
      assert.ok(a.sendT < a.recvEnd, `${a.side}: sendto began before recvfrom returned`);
      if (isRoot) {
        assert.ok(a.icmp !== null, `${a.side}: as root the ICMP port unreachable was captured`);
        assert.ok(a.sendT < a.icmp! && a.icmp! < a.recvEnd, `${a.side}: the ICMP arrived after sendto began and before recvfrom returned`);
        assert.equal(a.arrowFrom, a.icmpId, `${a.side}: an arrow joins the ICMP to the recvfrom it was reported to`);
      } else {
        assert.ok(a.wireEmpty, 'without the privilege the page says the wire lane is empty');
      }
    }
    notBlank(await screenshotStats(o.page));
    await o.page.close();
  });

test('compare --html --no-capture: the wire lane is empty and says why; SO_ERROR is drawn as the interval it must lie in',
  { skip: noChromium || noStrace }, async () => {
    const file = path.join(tmp, 'c-nocap.html');
    const r = await cli(['compare', '--html', file, '--no-capture', 'examples/program1.py', 'examples/program1.ts']);
    assert.equal(r.status, 0, r.stderr);
    const o = await open(file, 'dark');
    loadedClean(o, file);
    const text = await o.page.textContent('body');
    assert.match(text!, /Wire lane empty: no capture: --no-capture was given\./);
    assert.equal(await o.page.locator('g.packet-mark').count(), 0);
    // No packet times the ICMP: each side's SO_ERROR is a hatched interval, from sendto's entry to recvfrom's return.
    const bounded = await o.page.$$eval('rect.state.so_error.bounded', (els) => els.length);
    assert.equal(bounded, 2, 'one bounded SO_ERROR per side');
    assert.match(text!, /SO_ERROR = ECONNREFUSED/);
    notBlank(await screenshotStats(o.page));
    await o.page.close();
  });

// ---- explain --html ------------------------------------------------------------------

/** The trace lines explain's narration shows (indented by six spaces). */
const narrated = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('      ') && /^\w+\(/.test(l.trim()))
  .map((l) => l.trim()).filter((l) => !/^IP6? /.test(l));

// The tracer writes the SO_TIMESTAMPNS control message of c's recvmsg as its
// bare type (cmsg_type=0x23), where strace decodes it: that one line is
// matched by its call, descriptor and result.
const loose = (line: string) => { const m = /^(\w+\(\d+),.*\) = (.*)$/.exec(line); return m ? `${m[1]} … = ${m[2]}` : line; };

async function checkExplainPage(file: string, stdout: string): Promise<{ o: Opened; calls: CallOnPage[] }> {
  const o = await open(file);
  loadedClean(o, file);
  const calls = await callsOnPage(o.page);
  const lines = narrated(stdout);
  assert.ok(lines.length >= 15, `the narration shows the steps' calls: ${lines.length}`);
  for (const line of lines) {
    const n = /cmsg_type=0x/.test(line) ? calls.filter((c) => c.line === line || loose(c.line) === loose(line)).length
      : calls.filter((c) => c.line === line).length;
    assert.equal(n, 1, `${line}: on the page once`);
  }
  for (const c of calls) assert.equal(c.shown, `= ${c.result}`, `${c.line}: its result is shown`);
  for (const lane of await laneOrder(o.page)) assert.deepEqual(lane.bad, [], 'lanes in time order');
  if (await o.page.getAttribute('g.side', 'data-clock') === 'strace') oneScale(await scales(o.page), 1);
  assert.deepEqual(await overflow(o.page), [], 'every mark within the figure');
  // The labels are in time order too (a single side: each at its call's entry, packet or change).
  const ts = await o.page.$$eval('g.item', (els) => els.map((e) => e.getAttribute('data-t')).filter((t) => t).map(Number));
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'labels in time order');
  notBlank(await screenshotStats(o.page));
  return { o, calls };
}

test('explain --html: the probe\'s calls under strace, every one once, and the ICMP joined to the calls it was reported to',
  { skip: noChromium || noStrace }, async () => {
    const file = path.join(tmp, 'e.html');
    const r = await cli(['explain', '--html', file]);
    assert.equal(r.status, 0, r.stderr);
    const { o, calls } = await checkExplainPage(file, r.stdout);
    assert.equal(await o.page.getAttribute('g.side', 'data-clock'), 'strace');
    const recv = calls.find((c) => /^recvfrom\(/.test(c.line) && c.result.startsWith('-1 ECONNREFUSED'))!;
    const getsockopt = calls.find((c) => /SO_ERROR, \[ECONNREFUSED\]/.test(c.line))!;
    const errqueue = calls.find((c) => /MSG_ERRQUEUE\) = 3$/.test(c.line))!;
    assert.ok(recv && getsockopt && errqueue, 'recvfrom = -1 ECONNREFUSED, SO_ERROR read as ECONNREFUSED, the error queue read');
    const arrows = await o.page.$$eval('path.arrow', (els) => els.map((e) => ({ from: e.getAttribute('data-from')!, to: e.getAttribute('data-to')! })));
    const to = (id: string) => arrows.filter((a) => a.to === id).map((a) => a.from);
    if (isRoot) {
      const icmps = await o.page.$$eval('g.item.packet', (els) => els.filter((e) => /ICMP .* unreachable/.test(e.getAttribute('data-line')!))
        .map((e) => e.getAttribute('data-packet')!));
      assert.ok(icmps.length >= 4, `one ICMP per datagram sent (a, b, c, d): ${icmps.length}`);
      for (const c of [recv, getsockopt, errqueue]) {
        assert.equal(to(c.id).length, 1, `${c.line}: one arrow in`);
        assert.ok(icmps.includes(to(c.id)[0]), `${c.line}: the arrow comes from a captured ICMP`);
      }
    } else {
      // c's queued entry is timed by its own SCM_TIMESTAMPNS, so it has an arrow even without a capture.
      assert.equal(to(errqueue.id).length, 1);
    }
    await o.page.close();
  });

test('explain --html without the privilege to capture: the wire lane says why; c\'s error-queue entry is still timed by its own kernel stamp',
  { skip: noChromium || noStrace || (!isRoot ? false : !existsSync('/usr/bin/setpriv') && 'needs setpriv to drop root') }, async () => {
    const file = path.join(tmp, 'e-nobody.html');
    const prefix = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const r = await cli(['explain', '--html', file], prefix);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\(no capture: PermissionError: \[Errno 1\] Operation not permitted; run as root to see the packets\)/);
    const { o } = await checkExplainPage(file, r.stdout);
    const text = (await o.page.textContent('body'))!;
    assert.match(text, /Wire lane empty: no capture: PermissionError: \[Errno 1\] Operation not permitted: capturing needs CAP_NET_RAW, run as root\./);
    assert.equal(await o.page.locator('g.packet-mark').count(), 0);
    assert.equal(await o.page.locator('rect.state.so_error.bounded').count(), 2, 'a\'s and b\'s SO_ERROR: an interval each');
    assert.match(text, /queued at \d+\.\d{9}: the entry's own kernel timestamp \(SCM_TIMESTAMPNS\)/);
    await o.page.close();
  });

test('explain --html without strace: the tracer\'s order and durations, said to be no time axis', { skip: noChromium }, async () => {
  // A PATH with node alone: strace is not found.
  const dir = mkdtempSync(path.join(tmp, 'path-'));
  symlinkSync(process.execPath, path.join(dir, 'node'));
  const file = path.join(tmp, 'e-order.html');
  const r = await cli(['explain', '--html', file, '--no-capture'], [], { ...process.env, PATH: dir });
  assert.equal(r.status, 0, r.stderr);
  const { o } = await checkExplainPage(file, r.stdout);
  assert.equal(await o.page.getAttribute('g.side', 'data-clock'), 'order');
  assert.equal(await o.page.locator('.tick-label').count(), 0, 'no time ticks');
  const text = (await o.page.textContent('body'))!;
  assert.match(text, /not a time axis/);
  assert.match(text, /No entry times: strace is not installed/);
  assert.match(text, /the calls are drawn in that order, one row each; the rows are not a time axis/i);
  await o.page.close();
});

// ---- lab --html ----------------------------------------------------------------------

test('lab --html: one cell of the lab in Python and TypeScript, every call once, the router\'s ICMP on c0 joined to the calls it was reported to',
  { skip: noChromium || noLab || noStrace }, async () => {
    // A cell loopback cannot show: a prohibit route on the router, a hard
    // error (ICMP 3/13, EHOSTUNREACH) that reaches a connected socket
    // without IP_RECVERR. Family, mode and IP_RECVERR are the defaults.
    const file = path.join(tmp, 'lab.html');
    const json = path.join(tmp, 'lab.json');
    const netns = namespaces().sort();
    const r = await cli(['lab', 'prohibit', '--html', file, '--json', json]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(namespaces().sort(), netns, 'the lab is removed');
    assert.match(r.stdout, /^prohibit\/ipv4\/udp-connected {2}\(administratively prohibited, IPv4, UDP, connected, IP_RECVERR off\) {2}MATCH: /);
    const cells = JSON.parse(readFileSync(json, 'utf8')) as { comparison: { rows: { left: string | null; right: string | null }[] } }[];
    // One cell was run, not the matrix: one line of results and one entry.
    assert.equal(cells.length, 1, r.stdout);
    assert.equal(r.stdout.split('\n').filter((l) => /^\w+\/ipv[46]\/[\w-]+ {2}\(/.test(l)).length, 1, r.stdout);
    const [c] = cells;
    const o = await open(file);
    loadedClean(o, file);
    const calls = await callsOnPage(o.page);
    for (const side of ['left', 'right'] as const) {
      const want = c.comparison.rows.map((row) => row[side]).filter((l): l is string => l !== null).sort();
      const got = calls.filter((x) => x.side === side);
      assert.deepEqual(got.map((x) => x.line).sort(), want, `${side}: every call of the run, once`);
      for (const x of got) assert.equal(x.shown, `= ${x.result}`, `${x.line}: its result is shown`);
    }
    const rowsY = await o.page.$$eval('g.item.call[data-row]', (els) => els.map((e) => ({
      row: e.getAttribute('data-row'), side: e.closest('g.side')!.getAttribute('data-side'), y: e.getBoundingClientRect().top })));
    for (const a of rowsY.filter((x) => x.side === 'left')) {
      const b = rowsY.find((x) => x.side === 'right' && x.row === a.row);
      if (b) assert.ok(Math.abs(a.y - b.y) < 1, `row ${a.row} is at the same height on both sides`);
    }
    for (const lane of await laneOrder(o.page)) assert.deepEqual(lane.bad, [], `${lane.side}: lanes in time order`);
    oneScale(await scales(o.page), 2);
    assert.deepEqual(await overflow(o.page), [], 'every mark within the figure');
    const marks = await o.page.$$eval('g.side', (sides) => sides.map((s) => ({
      side: s.getAttribute('data-side')!,
      wire: [...s.querySelectorAll('g.lane.wire')].map((e) => e.getAttribute('data-lane')!),
      calls: [...s.querySelectorAll('g.item.call')].map((e) => ({ id: e.getAttribute('data-call')!, line: e.getAttribute('data-line')! })),
      packets: [...s.querySelectorAll('g.item.packet')].map((e) => ({ id: e.getAttribute('data-packet')!, line: e.getAttribute('data-line')!,
        t: Number(e.getAttribute('data-t')) })),
      bars: [...s.querySelectorAll('rect.bar')].map((e) => ({ id: e.getAttribute('data-call')!, t0: Number(e.getAttribute('data-t0')),
        t1: Number(e.getAttribute('data-t1')) })),
      arrows: [...s.querySelectorAll('path.arrow')].map((e) => ({ from: e.getAttribute('data-from')!, to: e.getAttribute('data-to')! })),
    })));
    assert.equal(marks.length, 2);
    for (const m of marks) {
      assert.deepEqual(m.wire.map((w) => w.replace(/^.*\|wire\|/, '')), ['c0'], `${m.side}: one wire lane, the client's link`);
      const bar = (id: string) => m.bars.find((b) => b.id === id)!;
      const sends = m.calls.filter((x) => /^sendto\(A, "xxx", 3, 0, NULL, 0\) = 3$/.test(x.line)).map((x) => bar(x.id));
      const icmps = m.packets.filter((x) => /^IP 192\.0\.2\.1 > 192\.0\.2\.\d+: ICMP host 203\.0\.113\.129 unreachable - admin prohibited filter/.test(x.line));
      assert.equal(sends.length, 2, `${m.side}: two datagrams sent`);
      assert.equal(icmps.length, 2, `${m.side}: the router answered each with an ICMP 3/13 (${m.packets.map((p) => p.line).join('; ')})`);
      // Each ICMP came after its datagram's send began, and is joined to the call that reported it: SO_ERROR for the first, recvfrom for the second.
      const told = [
        m.calls.find((x) => /^getsockopt\(A, SOL_SOCKET, SO_ERROR, \[EHOSTUNREACH\], \[4\]\) = 0$/.test(x.line)),
        m.calls.find((x) => /^recvfrom\(A, .*= -1 EHOSTUNREACH \(No route to host\)$/.test(x.line)),
      ];
      told.forEach((x, k) => {
        assert.ok(x, `${m.side}: ${k === 0 ? 'SO_ERROR read as EHOSTUNREACH' : 'recvfrom failing with EHOSTUNREACH'} is on the page`);
        const into = m.arrows.filter((a) => a.to === x!.id).map((a) => a.from);
        assert.deepEqual(into, [icmps[k].id], `${m.side}: ${x!.line}: one arrow in, from the ${k === 0 ? 'first' : 'second'} ICMP`);
        assert.ok(sends[k].t0 < icmps[k].t && icmps[k].t < bar(x!.id).t1,
          `${m.side}: the ICMP arrived after the send began and before ${x!.line.replace(/\(.*/, '')} returned`);
      });
    }
    const text = (await o.page.textContent('body'))!;
    assert.match(text, /a packet socket on the client's link \(c0, inside the lab's client namespace\)/);
    assert.doesNotMatch(text, /Wire lane empty/);
    notBlank(await screenshotStats(o.page));
    await o.page.close();
  });

// ---- the model and the renderer alone, on made-up runs ---------------------------------

const call = (tid: number, time: number, seconds: number, name: string, args: string, result: string): Syscall =>
  ({ tid, name, args, result, unfinished: false, time, seconds });
const T = 1_700_000_000;

/** A made-up UDP frame or ICMP error, as the capture child writes it. */
function frame(time: string, kind: 'udp' | 'icmp', sport: number): string {
  const eth = '000000000000000000000000' + '0800';
  const udp = (sp: number) => sp.toString(16).padStart(4, '0') + '0424' + '000b' + '0000' + '313233';
  const ip = (proto: string, len: number, body: string) =>
    `4500${len.toString(16).padStart(4, '0')}00004000${'40'}${proto}0000 7f000001 7f000001`.replace(/ /g, '') + body;
  const hex = kind === 'udp' ? eth + ip('11', 31, udp(sport)) : eth + ip('01', 59, '0303000000000000' + ip('11', 31, udp(sport)));
  return `p ${time} ${hex}`;
}

test('the model: a captured ICMP sets SO_ERROR at its time and the recvfrom that returns 111 clears it, with an arrow', () => {
  const calls = [
    call(10, T + 0.000100, 0.000010, 'socket', 'AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP', '3'),
    call(10, T + 0.000200, 0.000010, 'connect', '3, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("127.0.0.1")}, 16', '0'),
    call(10, T + 0.000300, 0.000050, 'sendto', '3, "123", 3, 0, NULL, 0', '3'),
    call(10, T + 0.000900, 0.000010, 'recvfrom', '3, 0x1, 65535, 0, 0x2, [16]', '-1 ECONNREFUSED (Connection refused)'),
  ].map((c) => ({ call: c, line: `${c.name}(${c.args}) = ${c.result}` }));
  const frames = [frame(`${T}.000320000`, 'udp', 40000), frame(`${T}.000330000`, 'icmp', 40000),
    frame(`${T}.000500000`, 'udp', 50000)].map((l) => parseFrameLine(l)!);
  const side = buildSide({ title: 'made up', prefix: 'M', clock: 'strace', calls, capture: { ok: true, frames, untimed: 0 }, mainTids: [10] });
  assert.deepEqual(side.packets.map((p) => p.line), ['IP 127.0.0.1.40000 > 127.0.0.1.1060: UDP, length 3',
    'IP 127.0.0.1 > 127.0.0.1: ICMP 127.0.0.1 udp port 1060 unreachable, length 39'], 'the other port\'s datagram is not the run\'s');
  assert.deepEqual(side.kernel.map((k) => [k.state, k.time]), [['SO_ERROR = ECONNREFUSED', T + 0.000330], ['SO_ERROR = 0', T + 0.000910]]);
  assert.deepEqual(side.arrows.map((a) => [a.from, a.to]), [[side.packets[1].id, side.calls[3].id]]);
  assert.equal(side.threads[0].label, 'main thread');

  // Without a capture the same run's SO_ERROR is an interval: from the send's entry to recvfrom's return.
  const blind = buildSide({ title: 'made up', prefix: 'N', clock: 'strace', calls, capture: { ok: false, why: 'no privilege' } });
  assert.deepEqual(blind.kernel[0].span, [T + 0.000300, T + 0.000910]);
  assert.equal(blind.kernel[0].time, null);
  assert.equal(blind.wireNote, 'no capture: no privilege');
  assert.equal(blind.arrows.length, 0);

  // An error-queue read strace does not decode (IPV6_RECVERR's control message) still takes the entry off.
  const q = [
    call(10, T + 0.000100, 0.000010, 'socket', 'AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP', '4'),
    call(10, T + 0.000200, 0.000030, 'sendto', '4, "123", 3, 0, {sa_family=AF_INET6, sin6_port=htons(1060), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28', '3'),
    call(10, T + 0.000400, 0.000010, 'recvmsg', '4, {msg_control=[{cmsg_len=60, cmsg_level=SOL_IPV6, cmsg_type=0x19}], msg_flags=MSG_ERRQUEUE}, MSG_ERRQUEUE', '3'),
  ].map((c) => ({ call: c, line: `${c.name}(${c.args}) = ${c.result}` }));
  const six = buildSide({ title: 'made up', prefix: 'Q', clock: 'strace', calls: q, capture: null });
  assert.deepEqual(six.kernel.map((k) => [k.kind, k.state, k.span ?? k.time]),
    [['errqueue', 'error queue: 1', [T + 0.000200, T + 0.000410]], ['errqueue', 'error queue: 0', T + 0.000410]]);
});

test('the renderer: bars as long as their durations, a long idle stretch cut and labelled with its length, text escaped', () => {
  const calls = [
    call(7, T, 0.000100, 'getsockopt', '3, SOL_SOCKET, SO_ERROR, [0], [4]', '0'),
    call(7, T + 0.000150, 0.000250, 'recvfrom', '3, "<b>&", 65535, 0, NULL, NULL', '-1 EAGAIN (Resource temporarily unavailable)'),
    call(7, T + 0.000500, 0.000050, 'getsockname', '3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("0.0.0.0")}, [16]', '0'),
    call(7, T + 0.500000, 0.000020, 'close', '3', '0'),
  ].map((c) => ({ call: c, line: `${c.name}(${c.args}) = ${c.result}` }));
  const side = buildSide({ title: 'made up', prefix: 'R', clock: 'strace', calls, capture: null, noCapture: 'not asked' });
  const tl: Timeline = { title: 'a <made-up> run', summary: 'one line', sides: [side] };
  const html = renderTimeline(tl);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /<title>a &lt;made-up&gt; run<\/title>/);
  assert.match(html, /data-line="recvfrom\(3, &quot;&lt;b&gt;&amp;&quot;/);
  const bars = [...html.matchAll(/<rect class="bar[^"]*" data-call="(Rc\d)"[^>]* y="([\d.]+)" width="12" height="([\d.]+)"/g)];
  const heights = bars.map((m) => Number(m[3]));
  const tops = bars.map((m) => Number(m[2]));
  assert.equal(heights.length, 4);
  // Entries are placed by their times, not spaced evenly: 150 µs, then 350 µs, at one scale.
  const perUs = [(tops[1] - tops[0]) / 150, (tops[2] - tops[1]) / 350];
  assert.ok(perUs[0] > 0 && Math.abs(perUs[0] / perUs[1] - 1) < 0.02, `one scale for the gaps between entries: ${perUs}`);
  assert.ok(heights[0] > 4 && Math.abs(heights[1] / heights[0] - 2.5) < 0.1, `a 250 µs bar is 2.5 times a 100 µs one: ${heights}`);
  assert.ok(Math.abs(heights[2] / heights[0] - 0.5) < 0.1, `a 50 µs bar is half of it: ${heights}`);
  const cuts = [...html.matchAll(/<g class="cut" data-seconds="([\d.e-]+)"/g)].map((m) => Number(m[1]));
  assert.equal(cuts.length, 1, 'the half second of nothing is cut, and nothing else');
  // From getsockname's return (+0.55 ms) to close (+500 ms), less a sliver of 0.2 ms kept at each end.
  assert.ok(Math.abs(cuts[0] - 0.49905) < 1e-6, `its measured length: ${cuts[0]}`);
  assert.match(html, />499\.050 ms cut</);
  assert.deepEqual(wrap('connect(A, {sa_family=AF_INET, sin_port=htons(1060)}, 16)', 30),
    ['connect(A, {sa_family=AF_INET,', 'sin_port=htons(1060)}, 16)']);
});

test('the model, on a lab-like run: a time exceeded is an ICMP error; with IP_RECVERR it sets SO_ERROR and queues an entry, ' +
  'each joined to its call; a call on the main thread does not take a later ICMP meant for the addon thread\'s call', () => {
  const A = '3';
  const calls = [
    call(10, T + 0.000100, 0.000010, 'socket', 'AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP', A),
    call(10, T + 0.000120, 0.000010, 'getsockname', `${A}, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("192.0.2.10")}, [16]`, '0'),
    call(11, T + 0.000200, 0.000010, 'connect', `${A}, {sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("198.51.100.2")}, 16`, '0'),
    call(11, T + 0.000300, 0.000050, 'sendto', `${A}, "xxx", 3, 0, NULL, 0`, '3'),
    // The main thread's next call is far off (close, at +10 ms): its bound must not reach the second ICMP.
    call(10, T + 0.000900, 0.000010, 'getsockopt', `${A}, SOL_SOCKET, SO_ERROR, [EHOSTUNREACH], [4]`, '0'),
    call(11, T + 0.001200, 0.000010, 'recvmsg', `${A}, {msg_name={sa_family=AF_INET, sin_port=htons(1060), sin_addr=inet_addr("198.51.100.2")}, ` +
      'msg_control=[{cmsg_len=48, cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=EHOSTUNREACH, ee_origin=SO_EE_ORIGIN_ICMP, ' +
      'ee_type=11, ee_code=0, ee_info=0, ee_data=0, offender={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("192.0.2.1")}}}], ' +
      `msg_flags=MSG_ERRQUEUE}, MSG_ERRQUEUE`, '3'),
    call(11, T + 0.002000, 0.000050, 'sendto', `${A}, "xxx", 3, 0, NULL, 0`, '3'),
    call(11, T + 0.005000, 0.000020, 'recvfrom', `${A}, 0x1, 65535, 0, 0x2, [16]`, '-1 EHOSTUNREACH (No route to host)'),
    call(10, T + 0.010000, 0.000010, 'close', A, '0'),
  ].map((c) => ({ call: c, line: `${c.name}(${c.args}) = ${c.result}` }));
  const udp = (t: string): LabPacket => ({ t: Number(t), stamp: t, dir: 'out', ip: 4, src: '192.0.2.10', dst: '198.51.100.2', protocol: 17,
    sport: 40000, dport: 1060, line: 'IP 192.0.2.10.40000 > 198.51.100.2.1060: UDP, length 3' });
  const ttl = (t: string): LabPacket => ({ t: Number(t), stamp: t, dir: 'in', ip: 4, src: '192.0.2.1', dst: '192.0.2.10', protocol: 1,
    icmp: { type: 11, code: 0, quoted: { src: '192.0.2.10', dst: '198.51.100.2', protocol: 17, sport: 40000, dport: 1060 } },
    line: 'IP 192.0.2.1 > 192.0.2.10: ICMP time exceeded in-transit, length 36' });
  const frames = [udp(`${T}.000320000`), ttl(`${T}.000340000`), udp(`${T}.002020000`), ttl(`${T}.002040000`)].map(capturedOf);
  const side = buildSide({ title: 'made up', prefix: 'W', clock: 'strace', calls, capture: { ok: true, frames, untimed: 0 }, mainTids: [10],
    wire: { lane: 'c0', note: 'Wire: made up.' } });
  assert.equal(side.packets.length, 4);
  assert.ok(side.packets.every((p) => p.lane === 'c0'), 'the packets are on the lane of the interface captured');
  assert.ok(side.notes.includes('Wire: made up.'), 'and the note says how they were taken');
  const [icmp1, icmp2] = [side.packets[1].id, side.packets[3].id];
  const id = (name: string, n = 0) => side.calls.filter((c) => c.name === name)[n].id;
  assert.deepEqual(side.arrows.map((a) => [a.from, a.to, a.label]).sort(), [
    [icmp1, id('getsockopt'), 'EHOSTUNREACH'], [icmp1, id('recvmsg'), 'queued'], [icmp2, id('recvfrom'), 'EHOSTUNREACH'],
  ].sort());
  assert.deepEqual(side.kernel.filter((k) => k.pending).map((k) => [k.state, k.time]), [
    ['SO_ERROR = EHOSTUNREACH', T + 0.000340], ['error queue: 1 (ee_errno EHOSTUNREACH)', T + 0.000340], ['SO_ERROR = EHOSTUNREACH', T + 0.002040],
  ]);
});
