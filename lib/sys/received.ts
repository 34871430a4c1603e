// A Promise-form recvmsg's bytes, spread over the caller's buffers once the
// call is done (the kernel wrote them into memory of the addon's own).
import { scatter, type Bytes } from '../bytes';
import { native, type Cmsg } from '../native';

const C = native.constants;

/**
 * Spreads the bytes over `iov`. A buffer that was detached or shrank while
 * the call was pending cannot take them: then the descriptors the kernel
 * passed with the message (SCM_RIGHTS) are open in this process and would
 * be lost, so they are closed, and the TypeError names them.
 */
export function scatterReceived(iov: Bytes[], data: Buffer, control: Cmsg[], syscall: string): void {
  try {
    scatter(iov, data, syscall);
  } catch (err) {
    const fds = closeRights(control);
    if (fds.length > 0 && err instanceof Error) {
      err.message += `; the ${fds.length} descriptor${fds.length === 1 ? '' : 's'} received with them ` +
        `(SCM_RIGHTS: ${fds.join(', ')}) ${fds.length === 1 ? 'was' : 'were'} closed`;
    }
    throw err;
  }
}

/** Closes the descriptors a message's SCM_RIGHTS passed, which nobody will take; returns them. */
export function closeRights(control: Cmsg[]): number[] {
  const fds: number[] = [];
  for (const c of control) {
    if (c.level !== C.SOL_SOCKET || c.type !== C.SCM_RIGHTS) continue;
    for (let i = 0; i + 4 <= c.data.length; i += 4) fds.push(c.data.readInt32LE(i));
  }
  for (const fd of fds) {
    try {
      native.close(fd);
    } catch {
      // EBADF cannot be: the kernel installed it; EINTR/EIO leave it closed (close(2)).
    }
  }
  return fds;
}
