// Every facade method against CPython, by strace: each Python script in
// experiments/twins/ and its TypeScript port run under `strace -f`, the port
// three times, in the Sync forms, in the Promise forms and in the readiness
// form of the Promise forms (SOCKCALL_FORM, see experiments/twins/form.ts). The system calls each makes on its own
// sockets, normalized (fd letters, pointers, kernel-chosen ports), must be
// the same lines, and so must stdout (its kernel-chosen ports and CPython's
// `fd=` named as in the calls, after the socket that had the number when
// the line was written: maskOutput) and the exit status; and
// sockcall's own trace of the port must say what strace saw.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { maskOutput, programLines, tracerAgreement } from '../cli/calls.ts';
import { python, straceWorks, traceRun, type TraceResult } from '../cli/strace.ts';
import { fullOnly } from './helpers/tier.ts';

const dir = path.join(import.meta.dirname, '..', 'experiments', 'twins');
const strace = straceWorks();
const skip = strace.ok ? false : strace.why;
const PY = python();
// The calls the facade can make in a Promise form, by the name strace shows.
const BLOCKING = new Set(['connect', 'accept4', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg', 'poll', 'pselect6']);
// Those that have a readiness form.
const READY = new Set(['accept4', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg']);
// npm test runs the readiness form of the twins whose sockets wait for data
// or a connection in it; the slow tier runs it for every twin (the others'
// calls are the Promise form's, or wait through SocketIO and send_fds,
// which take no options).
const READY_FAST = new Set(['cmsg', 'connect', 'program1_timeout', 'tcp', 'timeout', 'udp', 'udp6', 'unix']);

// Two twins at a time, one per core: each is two processes under strace,
// and none waits on a clock another can slow (a twin's timeouts are for
// data already sent, or for none at all). A twin's own forms run one after
// the other: they share its paths (/tmp/sockcall-twin-NAME.*); a suite's
// concurrency is inherited unless it says otherwise (node:test).
describe('twins', { concurrency: 2 }, () => {
for (const py of readdirSync(dir).filter((f) => f.endsWith('.py')).sort()) {
  const name = py.replace(/\.py$/, '');
  let original: Promise<TraceResult> | undefined;
  describe(name, { concurrency: 1 }, () => {
  for (const form of ['sync', 'promise', 'readiness']) {
    const slowTier = form === 'readiness' && !READY_FAST.has(name);
    test(`${name} (${form} forms): the same system calls as ${py}, and the tracer's lines are strace's${slowTier ? ' [full]' : ''}`,
      { skip: skip || (slowTier && fullOnly) }, async () => {
      // Unbuffered, as compare runs Python: each print is a write of its own,
      // at its time, for the fd= in it (maskOutput).
      original ??= traceRun([PY, path.join(dir, py)], { cwd: dir, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
      const p = await original;
      const t = await traceRun([process.execPath, '--import', 'tsx', path.join(dir, `${name}.ts`)],
        { cwd: dir, env: { ...process.env, SOCKCALL_FORM: form } });
      assert.equal(p.status, 0, `python failed:\n${p.stderr}`);
      assert.equal(t.stderr, '', 'the TypeScript port wrote to stderr');
      const expected = programLines(p);
      assert.ok(expected.body.length > 0, 'python made no socket calls: the trace was not read');
      const got = programLines(t);
      assert.deepEqual(got.body, expected.body);
      assert.equal(maskOutput(t.stdout, got, t.writes), maskOutput(p.stdout, expected, p.writes));
      assert.equal(t.status, p.status);
      // The tracer's lines, every one, are strace's calls on the sockets they
      // name: none of the runtime's, none missing.
      const agreement = tracerAgreement(t);
      assert.ok(agreement !== null, 'the port wrote no trace');
      assert.deepEqual(agreement.unmatched, []);
      assert.deepEqual(agreement.tracer, agreement.strace);
      // The form is the one asked for: in the Sync forms every call is the
      // main thread's; in the Promise forms a call that can block is made
      // on one of the addon's threads.
      const [{ pid, calls }] = t.tracer;
      const off = calls.filter((c) => c.tid !== pid);
      if (form === 'sync') assert.deepEqual(off, [], 'a Sync-form twin made calls off the main thread');
      else if (form === 'promise' && calls.some((c) => BLOCKING.has(c.name))) assert.ok(off.length > 0, 'no call was made on the addon\'s threads');
      // In the readiness form the socket's own calls that wait for data or
      // room are made on the main thread, after the event loop's wait.
      // (fds and makefile_* wait through send_fds/recv_fds and SocketIO,
      // which take no options: their calls stay on threads.)
      else if (form === 'readiness' && !/^(fds|makefile_)/.test(name)) {
        const ready = calls.filter((c) => READY.has(c.name));
        if (ready.length > 0) assert.ok(ready.some((c) => c.tid === pid), 'no readiness-form call was made on the main thread');
      }
    });
  }
  });
}
});
