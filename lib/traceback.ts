// An uncaught OSError printed as Python prints it, so that a ported script
// ends the way its Python original does:
//
//   Traceback (most recent call last):
//     File "/path/program1.ts", line 8, in <module>
//       const data = sock.recvfromSync(MAX_BYTES);
//   ConnectionRefusedError: [Errno 111] Connection refused
//
// and exit status 1. Node would print the error's stack and then a line
// with its own version, after the error line. This is installed as sockcall
// loads, on the main thread only (in a worker_threads Worker, an uncaught
// error is the parent's to see, on the Worker's 'error' event); it acts only
// on an OSError, or one of Python's built-in exceptions (sockcall/builtins),
// that nobody else handles (no 'uncaughtException' listener, no
// capture callback), and is switched off by SOCKCALL_TRACEBACK=0.
// Everything else Node prints as it always does.
import { readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { BaseException } from './errors';

// Frames of sockcall itself are not the user's: its compiled files, and its
// sources when a source map points back at them.
const ours = [__dirname, path.resolve(__dirname, '..', '..', 'lib')];
let installed = false;

export function installTraceback(): void {
  if (installed) return;
  installed = true;
  if (process.env.SOCKCALL_TRACEBACK === '0' || !isMainThread) return;
  process.on('uncaughtExceptionMonitor', (err) => {
    if (!(err instanceof BaseException)) return;
    if (process.listenerCount('uncaughtException') > 0) return;
    if (process.hasUncaughtExceptionCaptureCallback()) return;
    writeSync(2, formatTraceback(err));
    process.exit(1);
  });
}

interface Frame { file: string; line: number; fn: string }

// V8's frames: "    at fn (file:line:col)", "    at file:line:col",
// "    at async fn (file:line:col)".
const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+):\d+\)?$/;

function userFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split('\n')) {
    const m = FRAME.exec(text);
    if (m === null) continue;
    let file = m[2];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file.startsWith('node:') || !path.isAbsolute(file)) continue;
    if (ours.some((dir) => file.startsWith(dir + path.sep))) continue;
    if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const fn = m[1] === undefined || m[1] === '' || m[1] === '<anonymous>' || m[1].startsWith('Object.<anonymous>')
      ? '<module>' : m[1];
    frames.push({ file, line: Number(m[3]), fn });
  }
  return frames.reverse();
}

function sourceLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[line - 1]?.trim();
  } catch {
    return undefined;
  }
}

export function formatTraceback(err: BaseException): string {
  const lines: string[] = [];
  const frames = userFrames(err.stack ?? '');
  if (frames.length > 0) {
    lines.push('Traceback (most recent call last):');
    for (const f of frames) {
      lines.push(`  File "${f.file}", line ${f.line}, in ${f.fn}`);
      const src = sourceLine(f.file, f.line);
      if (src) lines.push(`    ${src}`);
    }
  }
  lines.push(err.message === '' ? err.name : `${err.name}: ${err.message}`);
  return lines.join('\n') + '\n';
}
