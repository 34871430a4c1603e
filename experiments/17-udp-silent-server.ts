// A client that waits for a server that never answers (udp_remote.py's
// exponential backoff): each try sets a longer timeout, so the kernel sees
// a poll() with 50, 100, 200 then 400 ms before each recv, none of them
// answered, and the client gives up. The server reads and says nothing.
// Ported line by line from 17-udp-silent-server.py.
import { socket, AF_INET, SOCK_DGRAM, TimeoutError } from 'sockcall';

const PORT = 1063;

class RuntimeError extends Error { override name = 'RuntimeError'; }

async function server() {
  const sock = socket(AF_INET, SOCK_DGRAM);
  sock.bind(['127.0.0.1', PORT]);
  while (true) {
    const [data] = await sock.recvfrom(65535);
    console.log(`heard ${data.length} bytes and said nothing`);
  }
}

async function client() {
  const sock = socket(AF_INET, SOCK_DGRAM);
  await sock.connect(['127.0.0.1', PORT]);
  let delay = 0.05;
  let data: Buffer;
  while (true) {
    await sock.send(Buffer.from('are you there?'));
    console.log(`Waiting up to ${delay} seconds for a reply`);
    sock.settimeout(delay);
    try {
      data = await sock.recv(65535);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      delay *= 2;
      if (delay > 0.4) throw new RuntimeError('I think the server is down');
      continue;
    }
    break;
  }
  console.log('The server says', data.toString('ascii'));
}

await ({ server, client } as Record<string, () => Promise<void>>)[process.argv[2]]();
