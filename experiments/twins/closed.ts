// Every call on a closed socket goes to the kernel with fd -1 and gets EBADF;
// a second close() makes no system call.
import { socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, SHUT_RDWR, OSError } from 'sockcall';
import { print, repr } from 'sockcall/builtins';
import { twin } from './form.ts';
const s = twin(socket(AF_INET, SOCK_DGRAM));
s.close();
s.close();
print(s.fileno());
for (const [name, call] of [['recv', () => s.recv(1)], ['send', () => s.send(Buffer.from('x'))],
                   ['getsockname', () => s.getsockname()], ['connect', () => s.connect(['127.0.0.1', 9])],
                   ['settimeout', () => s.settimeout(1)], ['setsockopt', () => s.setsockopt(SOL_SOCKET, SO_RCVBUF, 1)],
                   ['bind', () => s.bind(['127.0.0.1', 0])], ['shutdown', () => s.shutdown(SHUT_RDWR)]] as const) {
    try {
        await call();
    } catch (e) {
        if (!(e instanceof OSError)) throw e;
        print(name, repr(e));
    }
}
