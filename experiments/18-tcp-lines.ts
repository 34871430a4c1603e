// A line protocol over TCP, read with makefile(): the client sends one
// request line at a time and reads each answer with
// sock.makefile('rb').readline(); the server iterates over the lines of its
// connection's file and answers through a second, buffered one (write,
// flush). Each readline() that finds no line buffered asks the kernel for
// 8192 bytes (recv_into), and the file's close(), not the socket's, closes
// the fd. Run as the server, it serves clients until it is stopped.
// Ported line by line from 18-tcp-lines.py.
import { socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SHUT_WR } from 'sockcall';
import { print, repr } from 'sockcall/builtins';

const PORT = 1064;

async function server() {
  const listener = socket(AF_INET, SOCK_STREAM);
  listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  listener.bind(['127.0.0.1', PORT]);
  listener.listen(1);
  print(`Listening at ${(listener.getsockname() as [string, number]).join(':')}`);
  while (true) {
    const [sc, address] = await listener.accept();
    const [host, port] = address as [string, number];
    using _sc = sc;
    await using requests = sc.makefile('rb');
    await using answers = sc.makefile('wb');
    let n = 0;
    for await (const line of requests) {
      n++;
      const words = line.toString('ascii').split(/\s+/).filter((w) => w !== '');
      print(`request ${n}: ${repr(line)}`);
      await answers.write(Buffer.from(`${n} ${words.length} words\n`, 'ascii'));
      await answers.flush();
    }
    print(`${host}:${port} sent ${n} lines`);
  }
}

async function client() {
  const sock = socket(AF_INET, SOCK_STREAM);
  await sock.connect(['127.0.0.1', PORT]);
  const f = sock.makefile('rb');
  for (const request of ['Beautiful is better than ugly.\n', 'Explicit is better than implicit.\n',
                         'Simple is better than complex.\n']) {
    await sock.sendall(Buffer.from(request));
    print('server said', await f.readline());
  }
  sock.shutdown(SHUT_WR);
  sock.close();
  print('after close, the file reads', await f.readline(), 'and keeps the fd:', f.fileno() === sock.fileno() && sock.fileno() !== -1);
  await f.close();
}

await ({ server, client } as Record<string, () => Promise<void>>)[process.argv[2]]();
