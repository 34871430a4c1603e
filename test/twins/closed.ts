// Every call on a closed socket goes to the kernel with fd -1 and gets EBADF;
// a second close() makes no system call.
import { socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, SHUT_RDWR, OSError } from 'sockcall';
import { print, repr } from './repr.ts';
const s = socket(AF_INET, SOCK_DGRAM);
s.close();
s.close();
print(s.fileno());
for (const [name, call] of [['recv', () => s.recvSync(1)], ['send', () => s.sendSync(Buffer.from('x'))],
                   ['getsockname', () => s.getsockname()], ['connect', () => s.connectSync(['127.0.0.1', 9])],
                   ['settimeout', () => s.settimeout(1)], ['setsockopt', () => s.setsockopt(SOL_SOCKET, SO_RCVBUF, 1)],
                   ['bind', () => s.bind(['127.0.0.1', 0])], ['shutdown', () => s.shutdown(SHUT_RDWR)]] as const) {
    try {
        call();
    } catch (e) {
        if (!(e instanceof OSError)) throw e;
        print(name, repr(e));
    }
}
