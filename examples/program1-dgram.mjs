// Program 1 with Node's own dgram module, to put beside the port and see
// what a libuv socket asks of the kernel instead: SOCK_NONBLOCK, a bind to
// 0.0.0.0 before the connect, and the error read by libuv's recvmsg when
// the socket turns readable (npx sockcall compare examples/program1.py
// "node examples/program1-dgram.mjs").
import dgram from 'node:dgram';

const sock = dgram.createSocket('udp4');
sock.on('error', (err) => {
  console.error(`${err.code === 'ECONNREFUSED' ? 'ConnectionRefusedError' : 'OSError'}: [Errno ${-err.errno}] ${err.message}`);
  process.exit(1);
});
sock.on('message', (data) => console.log(`The server says ${JSON.stringify(data.toString('ascii'))}`));
sock.connect(1060, '127.0.0.1', () => sock.send('123'));
