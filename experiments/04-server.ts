// With a server on the port, the datagram is received and answered: no ICMP,
// no error.
import { socket, AF_INET, SOCK_DGRAM, type Address } from 'sockcall';
const server = socket(AF_INET, SOCK_DGRAM);
server.bind(['127.0.0.1', 0]);
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect(server.getsockname() as Address);
await sock.send(Buffer.from('123'));
const [data, peer] = await server.recvfrom(65535);
await server.sendto(Buffer.concat([Buffer.from(data.toString().toUpperCase()), Buffer.from('!')]), peer as Address);
console.log('The server says', (await sock.recvfrom(65535))[0].toString());
server.close();
sock.close();
