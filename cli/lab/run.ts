// Running jobs inside a lab: the runner (runner.ts) is started in the
// client namespace with `ip netns exec`, given the jobs on stdin, and read
// back as JSON. `ip` itself is never traced: compare's strace starts inside
// the runner, on the programs alone.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownScript, packageRoot } from '../runtime.ts';
import { LabError } from './netns.ts';
import type { Lab } from './topology.ts';
import type { Job, RunnerInput, RunnerOutput } from './runner.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = packageRoot(here);
export const labDir = path.join(root, 'experiments', 'lab');

export function runInLab(lab: Lab, jobs: Job[], options: { concurrency: number; capture: boolean }): Promise<RunnerOutput> {
  const input: RunnerInput = { jobs, concurrency: options.concurrency, capture: options.capture ? 'c0' : null };
  const argv = lab.ns.exec(lab.ns.client, ownScript(here, 'runner'));
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (status !== 0) {
        reject(new LabError(`the lab's runner ended with ${signal ?? `status ${status}`}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as RunnerOutput);
      } catch {
        reject(new LabError(`the lab's runner printed no JSON: ${out.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
