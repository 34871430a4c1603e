// A TCP server that serves two clients, one after the other, and exits. Each
// client sends its message, shuts down its side of the connection
// (SHUT_WR), and reads the server's answer until end of file (recv returns
// an empty Buffer). Ported line by line from 16-tcp-two-clients.py.
import { socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SHUT_WR, type Socket } from 'sockcall';

const PORT = 1062;

async function recvUntilEof(sock: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  while (true) {
    const data = await sock.recv(4096);
    if (data.length === 0) return Buffer.concat(chunks);
    chunks.push(data);
  }
}

async function server() {
  const listener = socket(AF_INET, SOCK_STREAM);
  listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  listener.bind(['127.0.0.1', PORT]);
  listener.listen(5);
  for (let n = 0; n < 2; n++) {
    const [conn, address] = await listener.accept();
    const message = await recvUntilEof(conn);
    const [host, port] = address as [string, number];
    console.log(`client ${n + 1} from ${host}:${port} sent ${message.length} bytes`);
    await conn.sendall(Buffer.from(`you sent ${message.length} bytes`, 'ascii'));
    conn.close();
  }
  listener.close();
  console.log('served two clients');
}

async function client() {
  const sock = socket(AF_INET, SOCK_STREAM);
  await sock.connect(['127.0.0.1', PORT]);
  await sock.sendall(Buffer.from('Beautiful is better than ugly.'));
  sock.shutdown(SHUT_WR);
  console.log((await recvUntilEof(sock)).toString('ascii'));
  sock.close();
}

await ({ server, client } as Record<string, () => Promise<void>>)[process.argv[2]]();
