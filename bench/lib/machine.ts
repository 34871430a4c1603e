// The machine a run was made on, for the top of the report.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';

export interface Machine {
  cpu: string;
  cores: number;
  kernel: string;
  node: string;
  python: string;
  cc: string;
  cpuidle: string;
  sockcall: string;
  peers: Record<string, string>;
  loadavg: number[];
  date: string;
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch (err) {
    return `unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}

function cpuModel(): string {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch {
    // not Linux's /proc
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

// What an idle CPU does: a sleep and a wake-up cost what this makes them
// (Documentation/virt/guest-halt-polling.rst: the haltpoll driver polls up
// to guest_halt_poll_ns before it halts, and a halted vCPU is woken through
// the host).
function cpuidle(): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver');
  if (driver === null) return 'cpuidle unknown';
  const poll = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  return `cpuidle ${driver}` + (driver === 'haltpoll' && poll !== null ? ` (guest_halt_poll_ns ${poll})` : '');
}

// node_modules/NAME/package.json read directly: a package's "exports" may
// not list its package.json (koffi's does not).
function packageVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch (err) {
    return `not installed (${(err as Error).message.split('\n')[0]})`;
  }
}

export function machine(root: string): Machine {
  const require = createRequire(`${root}/package.json`);
  const rev = firstLine('git', ['-C', root, 'describe', '--always', '--dirty']);
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: firstLine('python3', ['--version']),
    cc: firstLine('cc', ['--version']),
    cpuidle: cpuidle(),
    sockcall: `${(require('./package.json') as { version: string }).version} (${rev})`,
    peers: { koffi: packageVersion(root, 'koffi'), 'posix-socket': packageVersion(root, 'posix-socket') },
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}
