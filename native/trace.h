// The tracer: with SOCKCALL_TRACE=1 (stderr) or SOCKCALL_TRACE=<path>, every
// system call the addon makes is written, as it returns, in strace(1)'s
// syntax, with the thread that made it and how long it took:
//
//   [pid 41230] recvfrom(19, 0x55d1..., 65535, 0, 0x7f3a..., [16]) = -1 ECONNREFUSED (Connection refused) <0.000011>
//
// strace -f prints no "[pid N]" for the process's first thread and so
// neither does this; the duration is strace -T's. Arguments are decoded as
// strace 6 decodes them for the calls sockcall makes, so that after the
// usual normalization (fd numbers, pointers, ports) the two lines agree.
// The only system call tracing adds is the write(2) of each line (and one
// gettid(2) per thread).
#pragma once

#include <sys/socket.h>
#include <poll.h>

#include <atomic>
#include <ctime>
#include <string>
#include <vector>

namespace sockcall {
namespace trace {

extern std::atomic<bool> enabled;
void Init();

inline void Now(timespec* t) { clock_gettime(CLOCK_MONOTONIC, t); }
// `returned`: what strace prints after " = " for a call that succeeded
// (the value, and what it decodes of it: "1 ([{fd=3, revents=POLLIN}])").
void Emit(const std::string& call, long ret, int err, const timespec& t0, const timespec& t1,
          const std::string& returned);

std::string Int(long v);
std::string Ptr(const void* p);
std::string Str(const void* data, size_t len);
std::string Domain(int domain);
std::string Type(int type);
std::string SockFlags(int flags);  // SOCK_CLOEXEC|SOCK_NONBLOCK
std::string Protocol(int domain, int protocol);
std::string MsgFlags(int flags);
std::string Level(int level);
std::string Optname(int level, int optname);
std::string Optval(int level, int optname, const void* val, socklen_t len);
std::string Sockaddr(const sockaddr* sa, socklen_t len);
// An address the kernel filled: decoded when the call succeeded with a
// non-empty address, the pointer otherwise (as strace shows it).
std::string SockaddrOut(const sockaddr* sa, socklen_t given, socklen_t got, bool ok);
std::string Socklen(socklen_t given, socklen_t got, bool ok);
std::string Shut(int how);
std::string PollFds(const pollfd* fds, size_t n, bool revents);
std::string PollResult(const pollfd* fds, size_t n, long ret);
std::string Msghdr(const msghdr* msg, socklen_t namelen_in, size_t controllen_in, long ret, bool recv);
std::string ErrnoName(int err);

}  // namespace trace
}  // namespace sockcall
