// A UDP server and its client on one port, as the network programming books
// write them (udp_local.py): `14-udp-echo.ts server` answers every datagram
// with its text in capitals; `14-udp-echo.ts client` sends one and prints
// the answer. Ported line by line from 14-udp-echo.py.
import { socket, AF_INET, SOCK_DGRAM, type Address } from 'sockcall';

const MAX_BYTES = 65535;
const PORT = 1065;

async function server() {
  const sock = socket(AF_INET, SOCK_DGRAM);
  sock.bind(['127.0.0.1', PORT]);
  console.log(`Listening at ${(sock.getsockname() as [string, number]).join(':')}`);
  while (true) {
    const [data, address] = await sock.recvfrom(MAX_BYTES);
    const text = data.toString('ascii');
    console.log(`The client at ${(address as [string, number]).join(':')} says ${text}`);
    await sock.sendto(Buffer.from(text.toUpperCase(), 'ascii'), address as Address);
  }
}

async function client() {
  const sock = socket(AF_INET, SOCK_DGRAM);
  await sock.sendto(Buffer.from('the time is now', 'ascii'), ['127.0.0.1', PORT]);
  console.log(`The OS assigned me the address ${(sock.getsockname() as [string, number]).join(':')}`);
  const [data, address] = await sock.recvfrom(MAX_BYTES);
  console.log(`The server ${(address as [string, number]).join(':')} replied ${data.toString('ascii')}`);
}

await ({ server, client } as Record<string, () => Promise<void>>)[process.argv[2]]();
