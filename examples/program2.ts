// Program 2 of the article, ported line by line from program2.py: no send,
// so recvfrom blocks forever, as Python's does. The blocking recvfrom runs
// on a thread of sockcall's and keeps the process alive; Ctrl+C stops it.
// Run: npx tsx examples/program2.ts
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const [hostname, port] = ['localhost', 1060];
let data: Buffer | unknown = Buffer.from('123');
const MAX_BYTES = 65535;
const sock = socket(AF_INET, SOCK_DGRAM);                 //[1]
await sock.connect([hostname, port]);
data = await sock.recvfrom(MAX_BYTES);
console.log(`The server says ${JSON.stringify((data as Buffer).toString('ascii'))}`);

// [1] AF_INET is IP and SOCK_DGRAM is UDP: this line makes a UDP socket.
