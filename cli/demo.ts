// `npm start`: the article's two programs, Python and TypeScript side by
// side, then why errno 111 appears, told from what these runs recorded (and
// two more experiments: an unconnected socket, and the error queue), not
// from canned text: a claim whose evidence is missing from the runs is left
// out, and one the runs contradict is said the other way.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorcode, SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6, SO_EE_ORIGIN_LOCAL } from 'sockcall';
import { compare, defaultStyle, formatComparison, type Comparison } from './compare.ts';
import { packageRoot } from './runtime.ts';

const origins = new Map([[SO_EE_ORIGIN_LOCAL, 'SO_EE_ORIGIN_LOCAL'], [SO_EE_ORIGIN_ICMP, 'SO_EE_ORIGIN_ICMP (an ICMP message)'],
  [SO_EE_ORIGIN_ICMP6, 'SO_EE_ORIGIN_ICMP6 (an ICMPv6 message)']]);

const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
const exp = (name: string, ext: string) => path.join(root, 'experiments', `${name}.${ext}`);

function find(c: Comparison, name: string): string | undefined {
  return c.rows.find((r) => !r.teardown && r.left?.startsWith(`${name}(`))?.left ?? undefined;
}

function result(line: string | undefined): string | undefined {
  return line === undefined ? undefined : /\) = (.*)$/.exec(line)?.[1];
}

export function explainRuns(p1: Comparison, p2: Comparison, unconnected: Comparison, queue: Comparison): string[] {
  const out: string[] = [];
  const sent = find(p1, 'sendto');
  const recv = find(p1, 'recvfrom');
  const sentResult = result(sent);
  const recvResult = result(recv);
  if (sent && sentResult && /^\d+$/.test(sentResult)) {
    out.push(`In program 1, sendto returned ${sentResult}: the datagram was handed to the kernel and the call ` +
      'succeeded, although nothing listens on the port.');
  }
  if (recvResult?.includes('ECONNREFUSED')) {
    out.push(`The next call on that socket, recvfrom, returned ${recvResult}: errno 111, shown as ` +
      `"${p1.left.outcome.error}" by Python and "${p1.right.outcome.error}" by the TypeScript port.`);
  } else if (recvResult !== undefined) {
    out.push(`Here recvfrom returned ${recvResult}: not the ECONNREFUSED the article shows.`);
  }
  if (p2.left.outcome.blockedIn && p2.right.outcome.blockedIn) {
    out.push(`Program 2 sent nothing: both versions were ${p2.left.outcome.text.replace(/^blocked/, 'still blocked')}.`);
  }
  // The ICMP itself, as the error queue of a socket with IP_RECVERR recorded it.
  const qline = queue.rows.find((r) => r.left?.startsWith('recvmsg(') && r.left.includes('ee_origin='))?.left;
  if (qline) {
    const get = (k: string) => new RegExp(`${k}=(\\d+)`).exec(qline)?.[1];
    const type = get('ee_type');
    const code = get('ee_code');
    const described = type === '3' && code === '3' ? ' (destination unreachable: port unreachable)' : '';
    out.push(`Why: nothing listens on the port, so the kernel answered the datagram with an ICMP error. A socket ` +
      `with IP_RECVERR (experiment 12) read it from its error queue: origin ${get('ee_origin')} = ` +
      `${origins.get(Number(get('ee_origin'))) ?? 'unknown'}, type ${type}, code ${code}${described}, ` +
      `errno ${get('ee_errno')} = ${errorcode[Number(get('ee_errno'))]}.`);
  }
  if (sent && recvResult?.includes('ECONNREFUSED')) {
    out.push('That ICMP arrives after sendto has already returned, so it cannot be sendto\'s result: the kernel ' +
      'keeps it on the socket (its SO_ERROR) and hands it to the next call made on it, here recvfrom. ' +
      'This is the "asynchronous error" of the article.');
  }
  const usent = result(find(unconnected, 'sendto'));
  if (usent && unconnected.left.outcome.blockedIn) {
    out.push(`Only a connected socket is told. The unconnected socket of experiment 3 sent the same datagram ` +
      `(sendto returned ${usent}), and its recvfrom was ${unconnected.left.outcome.text.replace(/^blocked/, 'still blocked')}: ` +
      'the kernel does not report the error to a socket that did not name a peer.');
  }
  return out;
}

export async function demo(): Promise<number> {
  const style = defaultStyle(process.stdout);
  const bold = (s: string) => (style.color ? `\x1b[1m${s}\x1b[0m` : s);
  const wrap = (text: string) => text.replace(/(.{1,78})(\s+|$)/g, '$1\n').trimEnd();

  process.stdout.write(bold('The article\'s program 1: a connected UDP socket sends to a closed port') + '\n\n');
  const deadline = Number(process.env.SOCKCALL_COMPARE_DEADLINE) || 2;
  const p1 = await compare(path.join(root, 'examples/program1.py'), path.join(root, 'examples/program1.ts'), { deadline });
  process.stdout.write(formatComparison(p1, style) + '\n');

  process.stdout.write(bold('Program 2: the same without the send') + '\n\n');
  const p2 = await compare(path.join(root, 'examples/program2.py'), path.join(root, 'examples/program2.ts'), { deadline });
  process.stdout.write(formatComparison(p2, style) + '\n');

  const [unconnected, queue] = await Promise.all([
    compare(exp('03-unconnected', 'py'), exp('03-unconnected', 'ts'), { deadline }),
    compare(exp('12-ip-recverr', 'py'), exp('12-ip-recverr', 'ts'), { deadline }),
  ]);
  process.stdout.write(bold('What the runs show') + '\n\n');
  for (const para of explainRuns(p1, p2, unconnected, queue)) process.stdout.write(wrap(para) + '\n\n');
  process.stdout.write('More: npx sockcall compare --all (the experiment suite), npx sockcall explain.\n');
  return p1.match && p2.match ? 0 : 1;
}
