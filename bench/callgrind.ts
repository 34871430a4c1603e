// Where sockcall's sync calls spend their instructions, counted with
// valgrind's callgrind (reproducible, unlike the clock on a shared VM):
//
//   node --import tsx bench/callgrind.ts [rt:sys ...]   (needs valgrind; about 7 minutes)
//   node --import tsx bench/callgrind.ts --steady [rt:sys async:sys-pending ...]
//
// Runs the bench contenders for `sys` and for the minimal N-API addon
// (bench/c/floor.c) under callgrind, counting only inside the addon's entry
// points (--toggle-collect), so JavaScript, JIT and start-up are left out and
// what remains is the addon's side of each call: argument conversion, the
// libc wrapper, building the result. The kernel's side is never counted.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { Contender } from './lib/proc.ts';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench', 'results', 'callgrind');
const N = 5_000;

interface Case { spec: string; toggle: string[]; show: [string, RegExp][]; n?: number; id?: string }

// The table's calls are registered as SyncForm<Op> itself (native/calls.h);
// the pattern ends at its parameters so that a lambda of its is not a
// toggle of its own.
const SOCKCALL_ENTRY = '*sockcall::SyncForm<*>(napi_env__*, napi_callback_info__*)';
const cases: Case[] = only(process.argv.slice(2), [
  {
    spec: 'rt:floor', toggle: ['floor_*'],
    show: [['floor send()', /:floor_send /], ['floor recvfrom()', /:floor_recvfrom /]],
  },
  {
    spec: 'rt:sys', toggle: [SOCKCALL_ENTRY],
    show: [
      ['sys.sendSync(): SyncForm<SendOp>', /SyncForm<sockcall::\(anonymous namespace\)::SendOp>/],
      ['sys.recvfromSync(fd, buf): SyncForm<RecvfromOp>', /SyncForm<sockcall::\(anonymous namespace\)::RecvfromOp>/],
      ['  of which RecvfromOp::Parse (arguments)', /RecvfromOp::Parse/],
      ['  of which RecvfromOp::Result', /RecvfromOp::Result/],
      ["    of which MakeSockaddr (the address object, lib/'s literal)", /sockcall::MakeSockaddr\(/],
      ["    of which MakePair (the [n, address] array, lib/'s literal)", /sockcall::MakePair\(/],
    ],
  },
  {
    spec: 'rt:sys-noaddr', toggle: [SOCKCALL_ENTRY],
    show: [
      ['sys.recvfromSync(fd, buf, 0, null): SyncForm<RecvfromOp>', /SyncForm<sockcall::\(anonymous namespace\)::RecvfromOp>/],
      ['  of which RecvfromOp::Result', /RecvfromOp::Result/],
      ['    of which MakePair (the [n, null] array)', /sockcall::MakePair\(/],
    ],
  },
  // The Promise form, one entry point per run (callgrind's toggles flip on
  // each entry, so nested ones would cancel): on the main thread PromiseForm
  // (arguments, hand-off to a pool thread) and Deliver (the threadsafe
  // function's call_js: the result, then lib/'s completion callback); on the
  // pool's thread ThreadMain, all of it over the run, divided by the calls.
  {
    id: 'async-submit', spec: 'async:sys-pending', n: 2_000, toggle: ['*sockcall::PromiseForm<*RecvfromOp>(napi_env__*, napi_callback_info__*)'],
    show: [
      ['sys.recvfrom(): PromiseForm<RecvfromOp> (main thread)', /PromiseForm<sockcall::\(anonymous namespace\)::RecvfromOp>/],
      ['  of which RecvfromOp::Parse (arguments, owned buffer)', /RecvfromOp::Parse/],
      ['  of which Dispatch (hand-off to a pool thread)', /sockcall::Dispatch\(/],
    ],
  },
  {
    id: 'async-deliver', spec: 'async:sys-pending', n: 2_000, toggle: ['sockcall::*Deliver*'],
    show: [
      ['Deliver (main thread, the result back in JavaScript)', /sockcall::(\(anonymous namespace\)::)?Deliver\(/],
      ['  of which RecvfromOp::Result', /RecvfromOp::Result/],
      ['    of which MakeSockaddr', /sockcall::MakeSockaddr\(/],
      ['    of which the new Buffer (napi_create_buffer_copy)', /:napi_create_buffer_copy /],
      ['    of which MakePair (the [[data, n], address] arrays)', /sockcall::MakePair\(/],
      ["  of which napi_call_function (lib/'s literals and complete())", /:napi_call_function /],
    ],
  },
  {
    id: 'async-worker', spec: 'async:sys-pending', n: 2_000, toggle: ['sockcall::*ThreadMain*'],
    show: [
      ['ThreadMain (the pool\'s thread, per call)', /sockcall::(\(anonymous namespace\)::)?ThreadMain\(/],
      ['  of which napi_call_threadsafe_function', /:napi_call_threadsafe_function /],
      ['  of which pthread_mutex_lock + unlock', /:(__)?pthread_mutex_(un)?lock/],
    ],
  },
  { spec: 'gso:floor', toggle: ['floor_*'], show: [['floor getsockopt()', /:floor_getsockopt /]] },
  {
    spec: 'gso:sys', toggle: [SOCKCALL_ENTRY],
    show: [
      ['sys.getsockopt(): SyncForm<GetsockoptOp>', /SyncForm<sockcall::\(anonymous namespace\)::GetsockoptOp>/],
      ['  of which ArgInt32 (level, optname)', /sockcall::ArgInt32\(/],
      ['  of which ArgFd', /sockcall::ArgFd\(/],
    ],
  },
]);

/** With contender names as arguments (rt:sys, async:sys-pending ...), only those. */
function only(names: string[], all: Case[]): Case[] {
  return names.length ? all.filter((c) => names.includes(c.spec) || names.includes(c.id ?? '')) : all;
}

function main(): void {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind is not installed (apt-get install valgrind)');
    return;
  }
  mkdirSync(out, { recursive: true });
  const floor = path.join(root, 'bench', 'results', 'build', 'floor.node');
  if (!existsSync(floor)) {
    console.log('run `npm run bench` once first: it builds bench/results/build/floor.node');
    return;
  }
  console.log(`Instructions per call on the addon's side (callgrind; ${N.toLocaleString('en-US')} calls each, 2,000 for the Promise form):\n`);
  console.log('| call | instructions per call |');
  console.log('| --- | ---: |');
  for (const c of cases) {
    const n = c.n ?? N;
    const file = path.join(out, `${c.id ?? c.spec.replace(':', '-')}.out`);
    const r = spawnSync('valgrind', [
      '--tool=callgrind', `--callgrind-out-file=${file}`, ...c.toggle.map((t) => `--toggle-collect=${t}`),
      process.execPath, '--import', 'tsx', path.join(root, 'bench', 'node', 'contender.ts'), c.spec,
    ], { input: `run ${n}\nquit\n`, env: { ...process.env, BENCH_FLOOR: floor }, encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`| ${c.spec} | failed: ${r.stderr.trim().split('\n').slice(-1)[0]} |`);
      continue;
    }
    const annotated = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file],
      { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const [label, re] of c.show) {
      const line = annotated.split('\n').find((l) => re.test(l));
      const ir = line ? Number(line.trim().split(/\s+/)[0].replace(/,/g, '')) : NaN;
      console.log(`| ${label} | ${Number.isFinite(ir) ? Math.round(ir / n).toLocaleString('en-US') : 'not found'} |`);
    }
  }
  console.log(`\ncallgrind's files: ${path.relative(root, out)}/ (callgrind_annotate --inclusive=yes FILE)`);
}

/**
 * --steady: every instruction the process runs in user space, all threads
 * (JavaScript, V8, libuv, the addon and its pool threads, libc), per
 * iteration of a contender's loop: the counters zeroed after a warm-up of
 * 3,000 (callgrind_control -z), a run of `n` counted, then dumped (-d).
 * What a user's program pays on the CPU, where the toggled counts above
 * are the addon's side alone. Runs the contenders `npm run bench`
 * transpiled (bench/results/build/node), with no loader in the process.
 */
const STEADY: [string, number][] = [
  ['rt:sys', 50_000], ['rt:koffi', 50_000], ['rt:floor', 50_000],
  ['async:sys-pending', 30_000], ['async:sys-send', 30_000], ['async:koffi-pending', 30_000],
];

async function steady(names: string[]): Promise<void> {
  const script = path.join(root, 'bench', 'results', 'build', 'node', 'contender.mjs');
  const floor = path.join(root, 'bench', 'results', 'build', 'floor.node');
  if (!existsSync(script) || !existsSync(floor)) {
    console.log('run `npm run bench` once first: it builds bench/results/build/');
    return;
  }
  mkdirSync(out, { recursive: true });
  console.log('User-space instructions per iteration, all threads, after a warm-up (callgrind):\n');
  console.log('| contender | iterations counted | instructions per iteration |');
  console.log('| --- | ---: | ---: |');
  for (const [spec, n] of STEADY.filter(([s]) => names.length === 0 || names.includes(s))) {
    const file = path.join(out, `steady-${spec.replace(':', '-')}.out`);
    const proc = new Contender('valgrind', ['--tool=callgrind', `--callgrind-out-file=${file}`, process.execPath, script, spec],
      { BENCH_FLOOR: floor });
    try {
      const ready = await proc.ready(300_000);
      if (!ready.ok) {
        console.log(`| ${spec} | | unavailable: ${ready.reason} |`);
        continue;
      }
      await proc.run(3_000, 600_000);
      // valgrind runs the program in its own process: its pid is the program's.
      execFileSync('callgrind_control', ['-z', String(proc.child.pid)], { stdio: 'ignore' });
      await proc.run(n, 1_800_000);
      execFileSync('callgrind_control', ['-d', String(proc.child.pid)], { stdio: 'ignore' });
      await proc.quit();
      const annotated = execFileSync('callgrind_annotate', [`${file}.1`], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const total = Number(/([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/.exec(annotated)?.[1].replace(/,/g, ''));
      console.log(`| ${spec} | ${n.toLocaleString('en-US')} | ${Math.round(total / n).toLocaleString('en-US')} |`);
    } finally {
      proc.kill();
    }
  }
}

if (process.argv.includes('--steady')) await steady(process.argv.slice(2).filter((a) => a !== '--steady'));
else main();
