// recvmmsg(2) and sendmmsg(2), sys only (Python has no counterpart): what
// they do, and that the addon's trace of them is strace's, line by line
// (issue 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { tracerAgreement } from '../cli/calls.ts';
import { straceWorks, traceRun } from '../cli/strace.ts';

const fixture = path.join(import.meta.dirname, 'fixtures', 'mmsg.mjs');
const strace = straceWorks();

test('recvmmsg and sendmmsg, both forms: every message, its buffers, its sender, its fds; and the tracer says what strace saw',
  { skip: strace.ok ? false : strace.why }, async () => {
    const r = await traceRun([process.execPath, fixture], {});
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(out, [
      { sent: 3 }, { got: ['one', 'two2', 'three'], from: [2, 2, 2] },
      { sent: 2 }, { got: ['p1', 'p22'], names: [null, null] },
      { sent: 40 }, { count: 40, last: 'm39' },
      { error: 'EAGAIN' },
      { rights: 1, second: 0 },
    ]);
    const agreement = tracerAgreement(r)!;
    assert.deepEqual(agreement.unmatched, []);
    assert.deepEqual(agreement.tracer, agreement.strace);
    const lines = agreement.strace.filter((l) => /^(recvmmsg|sendmmsg)\(/.test(l));
    assert.equal(lines.length, 9);
    // strace's way with a long vector, and with a timeout.
    assert.ok(lines.some((l) => l.startsWith('sendmmsg(') && /\}, \.\.\.\], 40, 0\) = 40$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /, MSG_WAITFORONE, \{tv_sec=1, tv_nsec=0\}\) = 2 \(left \{(tv_sec=0, tv_nsec=\d+|\.\.\.)\}\)$/.test(l)));
    assert.ok(lines.some((l) => /^recvmmsg\(B, PTR, 2, MSG_DONTWAIT, NULL\) = -1 EAGAIN/.test(l)));
  });
