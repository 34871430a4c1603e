// Bad input for every sys function and facade method: a TypeError or
// RangeError whose message names the argument, no system call (by strace,
// between markers the fixture writes), and no crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { splitArgs, straceWorks, traceRun } from '../cli/strace.ts';

const strace = straceWorks();
const fixture = path.join(import.meta.dirname, 'fixtures', 'bad-input.ts');

test('bad input: TypeError/RangeError naming the argument, and no system call', { skip: strace.ok ? false : strace.why },
  async () => {
    const r = await traceRun([process.execPath, '--import', 'tsx', fixture],
      { trace: ['%network', 'ioctl', 'poll', 'close', 'write'] });
    assert.equal(r.status, 0, `the fixture crashed or failed:\n${r.stderr}`);
    const out = r.stdout.split('END\n')[1];
    const results = JSON.parse(out) as { name: string; arg: string; threw: string | null; message: string }[];
    assert.ok(results.length > 100);
    const control = results.length - 1;
    assert.equal(results[control].name, 'control');
    assert.equal(results[control].threw, null);
    for (const { name, arg, threw, message } of results.slice(0, control)) {
      assert.ok(threw === 'TypeError' || threw === 'RangeError', `${name} (${arg}): threw ${threw}: ${message}`);
      assert.ok(message.includes(arg), `${name}: the message does not name ${arg}: ${message}`);
      // A number is shown as JavaScript writes it (printf would say "inf").
      assert.doesNotMatch(message, /\binf\b|\bnan\b/, `${name}: ${message}`);
    }
    // The calls made between the marker of case i and the next marker.
    const mainTid = r.calls.find((x) => x.name === 'write' && x.args.includes('"CASE 0'))?.tid;
    const main = r.calls.filter((c) => c.tid === mainTid);
    let current = -1;
    const made = new Map<number, string[]>();
    for (const c of r.calls) {
      if (c.name === 'write' && splitArgs(c.args)[0].replace(/<.*$/, '') === '1') {
        const m = /"CASE (\d+)/.exec(c.args);
        current = m ? Number(m[1]) : -1;
        continue;
      }
      if (current < 0 || c.name === 'write') continue;
      // Another thread closing a file (libuv's pool finishing tsx's cache
      // write: close(26</tmp/tsx-0>)) is not the library: it makes socket
      // calls only, and strace -y names a socket's fd socket:, UDP:, UNIX:...
      if (c.tid !== mainTid && /^\d+<\//.test(c.args)) continue;
      made.set(current, [...(made.get(current) ?? []), `${c.name}(${c.args})`]);
    }
    assert.ok(main.length > 0, 'the markers were not traced');
    assert.match(made.get(control)?.[0] ?? '', /^getsockname\(/, 'the control case\'s getsockname was not seen');
    made.delete(control);
    for (const [i, calls] of made) {
      assert.deepEqual(calls, [], `case ${i} (${results[i].name}, ${results[i].arg}) made system calls`);
    }
  });
