// TCP has a handshake: the closed port answers the SYN with a RST, and the
// error comes at connect itself.
import { socket, AF_INET, SOCK_STREAM } from 'sockcall';
const sock = socket(AF_INET, SOCK_STREAM);
await sock.connect(['127.0.0.1', 1060]);
