// What makefile() and its files refuse, with CPython's exceptions and words:
// modes outside r, w, b; unbuffered text; a closed file (ValueError, which
// each class words its own way); what a file's kind cannot do
// (io.UnsupportedOperation); arguments of the wrong type. None of it makes a
// system call.
import { socketpair, OSError, type SocketFile } from 'sockcall';
import { print, repr, ValueError, LookupError, AttributeError } from 'sockcall/builtins';
import { twin } from './form.ts';
const [a, b] = socketpair().map(twin);
async function t(name: string, call: () => unknown): Promise<void> {
  try {
    const r = await call();
    print(name, repr(r).replace(String(a.fileno()), 'FD'));
  } catch (e) {
    if (!(e instanceof ValueError || e instanceof TypeError || e instanceof OSError || e instanceof LookupError ||
      e instanceof AttributeError)) throw e;
    print(name, repr(e), e instanceof ValueError, e instanceof OSError);
  }
}
const any = (f: unknown) => f as Record<string, (...args: unknown[]) => unknown>;
for (const mode of ['x', 'rt', 'a', 'rwx', 'b', '', 'rr', 'bw', 'wrb', 'br']) {
  await t('mode ' + mode, () => a.makefile(mode).close());
}
for (const mode of ['b', '', 'rr', 'bw']) {
  const f = a.makefile(mode);
  print(repr(f).replace(String(a.fileno()), 'FD'), (f as { mode?: string }).mode);
  await f.close();
}
await t('int mode', () => a.makefile(1 as never));
await t('float buffering', () => a.makefile('rb', 1.5));
await t('str buffering', () => a.makefile('rb', 'x' as never));
await t('encoding type', () => a.makefile('r', { encoding: 5 as never }));
await t('errors type', () => a.makefile('r', { errors: 5 as never }));
await t('newline', () => a.makefile('r', { newline: 'x' }));
await t('unbuffered text', () => a.makefile('r', 0));
await t('unknown encoding', () => a.makefile('r', { encoding: 'utf-9' }));
const f = a.makefile('rb');
const g = a.makefile('wb');
const r = a.makefile('r');
const w = a.makefile('w');
const raw = a.makefile('rb', 0);
const rawr = a.makefile('rb', 0);
const raww = a.makefile('wb', 0);
const p = a.makefile('rwb');
await t('rb write', () => f.write(Buffer.from('x')));
await t('rb read -2', () => f.read(-2));
await t('rb read str', () => f.read('x' as never));
await t('rb readline float', () => f.readline(1.5));
await t('rb readinto bytes-like', () => f.readinto('x' as never));
await t('rb tell', () => f.tell());
await t('rb seek', () => f.seek(0));
await t('rb writelines', () => f.writelines([Buffer.from('x')]));
await t('wb read', () => g.read());
await t('wb readline', () => g.readline());
await t('wb readinto', () => g.readinto(new Uint8Array(1)));
await t('wb read1', () => g.read1());
await t('wb write str', () => g.write('x' as never));
await t('wb writelines str', () => g.writelines(['x' as never]));
await t('wb writelines int', () => g.writelines(5 as never));
await t('r write', () => r.write('x'));
await t('r tell', () => r.tell());
await t('r seek', () => r.seek(0));
await t('w read', () => w.read());
await t('w readline', () => w.readline());
await t('w write bytes', () => w.write(Buffer.from('x') as never));
await t('w write int', () => w.write(5 as never));
await t('raw w read', () => raww.read(1));
await t('raw w readline', () => raww.readline());
await t('raw r write', () => rawr.write(Buffer.from('x')));
await t('raw seek', () => raw.seek(0));
await t('raw tell', () => raw.tell());
await t('raw fileno', () => raw.fileno() === a.fileno());
await t('rwb fileno', () => p.fileno());
await t('rwb isatty', () => p.isatty());
const rw = a.makefile('rw');
await t('rw name', () => rw.name);
await rw.close();
for (const x of [f, g, r, w, raw, rawr, raww, p] as SocketFile[]) {
  await x.close();
  await x.close();
}
for (const [name, x] of [['rb', f], ['wb', g], ['r', r], ['w', w], ['raw', raw], ['rwb', p]] as [string, SocketFile][]) {
  print(name, x.closed, repr(x).replace(String(a.fileno()), 'FD').split(' at ')[0]);
  await t(name + ' read', () => any(x).read());
  await t(name + ' readline', () => x.readline());
  await t(name + ' readlines', () => x.readlines());
  await t(name + ' iter', () => x[Symbol.asyncIterator]());
  await t(name + ' flush', () => x.flush());
  await t(name + ' fileno', () => x.fileno());
  await t(name + ' readable', () => x.readable());
  await t(name + ' writable', () => x.writable());
  await t(name + ' seekable', () => x.seekable());
  await t(name + ' isatty', () => x.isatty());
  await t(name + ' writelines', () => x.writelines([]));
  await t(name + ' close', () => x.close());
}
for (const [name, x] of [['rb', f], ['rwb', p]] as const) {
  await t(name + ' peek', () => x.peek());
  await t(name + ' read1', () => x.read1());
  await t(name + ' readinto', () => x.readinto(new Uint8Array(1)));
}
for (const [name, x] of [['wb', g], ['w', w], ['raw', raww], ['rwb', p]] as [string, SocketFile][]) {
  await t(name + ' write', () => any(x).write(name === 'w' ? 's' : Buffer.from('b')));
}
a.close();
b.close();
