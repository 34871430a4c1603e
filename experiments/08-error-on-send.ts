// The error goes to whichever call comes next: here a second send.
import { socket, AF_INET, SOCK_DGRAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_DGRAM);
await sock.connect(['127.0.0.1', 1060]);
await sock.send(Buffer.from('123'));
await sock.send(Buffer.from('456'));
