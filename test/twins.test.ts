// Every facade method against CPython, by strace: each Python script in
// test/twins/ and its TypeScript port (Sync forms, and Promise forms where a
// .async.ts exists) run once each under `strace -f`. The system calls each
// makes on its own sockets, normalized (fd letters, pointers, kernel-chosen
// ports), must be the same lines, and so must stdout and the exit status;
// and sockcall's own trace of the port must say what strace saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { programLines, tracerAgreement } from '../cli/calls.ts';
import { python, straceWorks, traceRun } from '../cli/strace.ts';

const dir = path.join(import.meta.dirname, 'twins');
const strace = straceWorks();
const skip = strace.ok ? false : strace.why;
const PY = python();

for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'repr.ts').sort()) {
  const name = file.replace(/\.ts$/, '');
  const py = path.join(dir, `${name.replace(/\.async$/, '')}.py`);
  test(`${name}: the same system calls as ${path.basename(py)}, and the tracer's lines are strace's`, { skip }, async () => {
    const p = await traceRun([PY, py], { cwd: dir });
    const t = await traceRun([process.execPath, '--import', 'tsx', path.join(dir, file)], { cwd: dir });
    assert.equal(p.status, 0, `python failed:\n${p.stderr}`);
    assert.equal(t.stderr, '', 'the TypeScript port wrote to stderr');
    const expected = programLines(p).body;
    assert.ok(expected.length > 0, 'python made no socket calls: the trace was not read');
    assert.deepEqual(programLines(t).body, expected);
    assert.equal(t.stdout, p.stdout);
    assert.equal(t.status, p.status);
    // The tracer's lines, every one, are strace's calls on the sockets they
    // name: none of the runtime's, none missing.
    const agreement = tracerAgreement(t);
    assert.ok(agreement !== null, 'the port wrote no trace');
    assert.deepEqual(agreement.unmatched, []);
    assert.deepEqual(agreement.tracer, agreement.strace);
  });
}
