// Program 1 of the article, ported line by line from program1.py: the same
// system calls (strace them side by side), the same error, exit status 1.
// Run: npx tsx examples/program1.ts
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const [hostname, port] = ['localhost', 1060];
let data: Buffer | unknown = Buffer.from('123');
const MAX_BYTES = 65535;
const sock = socket(AF_INET, SOCK_DGRAM);                 //[1]
await sock.connect([hostname, port]);                     //[2]
await sock.send(data as Buffer);                          //[3]
data = await sock.recvfrom(MAX_BYTES);                    //[4]
console.log(`The server says ${JSON.stringify((data as Buffer).toString('ascii'))}`);

// [1] AF_INET is IP and SOCK_DGRAM is UDP: this line makes a UDP socket.
// [2] connect makes no network traffic: it only stores hostname and port
//     in the kernel, as the socket's peer.
// [3] sends the bytes '123'.
// [4] receives the answer, on a thread of sockcall's so that the event loop
//     lives: here it fails with
//     ConnectionRefusedError: [Errno 111] Connection refused
