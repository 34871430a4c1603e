// A TCP server and client that trade sixteen-byte messages (tcp_sixteen.py):
// the client sends with sendall and both read with a recv loop until the
// whole message is in, since TCP may hand it over in pieces. Ported line by
// line from 15-tcp-echo.py.
import { socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, type Socket } from 'sockcall';

const PORT = 1061;
const name = (a: unknown) => (a as [string, number]).join(':');

class EOFError extends Error { override name = 'EOFError'; }

async function recvall(sock: Socket, length: number): Promise<Buffer> {
  let data = Buffer.alloc(0);
  while (data.length < length) {
    const more = await sock.recv(length - data.length);
    if (more.length === 0) {
      throw new EOFError(`was expecting ${length} bytes but only received` +
                         ` ${data.length} bytes before the socket closed`);
    }
    data = Buffer.concat([data, more]);
  }
  return data;
}

async function server() {
  const sock = socket(AF_INET, SOCK_STREAM);
  sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  sock.bind(['127.0.0.1', PORT]);
  sock.listen(1);
  console.log(`Listening at ${name(sock.getsockname())}`);
  while (true) {
    const [sc, sockname] = await sock.accept();
    console.log(`We have accepted a connection from ${name(sockname)}`);
    console.log(`  Socket name: ${name(sc.getsockname())}`);
    console.log(`  Socket peer: ${name(sc.getpeername())}`);
    const message = await recvall(sc, 16);
    console.log('  Incoming sixteen-octet message:', message.toString('ascii'));
    await sc.sendall(Buffer.from('Farewell, client'));
    sc.close();
    console.log('  Reply sent, socket closed');
  }
}

async function client() {
  const sock = socket(AF_INET, SOCK_STREAM);
  await sock.connect(['127.0.0.1', PORT]);
  console.log(`Client has been assigned socket name ${name(sock.getsockname())}`);
  await sock.sendall(Buffer.from('Hi there, server'));
  const reply = await recvall(sock, 16);
  console.log('The server said', reply.toString('ascii'));
  sock.close();
}

await ({ server, client } as Record<string, () => Promise<void>>)[process.argv[2]]();
