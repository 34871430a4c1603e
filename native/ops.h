// The calls that can block: connect, accept4, send, sendto, sendmsg, recv,
// recvfrom, recvmsg and poll. Each is an Op whose arguments are converted on
// the JavaScript thread, whose Run() makes the system call exactly once, and
// whose Result() turns what the kernel answered into JavaScript values.
//
// The same Op serves both forms: the ...Sync function runs it on the calling
// thread; the Promise form runs it on a thread of ours (async.cc). The two
// differ only in where the bytes live: a Sync call reads and writes the
// caller's buffer in place, while a call on another thread works on memory
// the Op owns (copied in before, copied out after), because JavaScript may
// detach or collect an ArrayBuffer while the call is pending and the kernel
// would then write into freed memory.
#pragma once

#include "sockcall.h"

#include <poll.h>
#include <sys/uio.h>

#include <memory>
#include <vector>

namespace sockcall {

struct Op {
  virtual ~Op() = default;
  // Makes the system call once; sets ret and err (errno, read at once).
  virtual void Run() = 0;
  // On the JavaScript thread, after a successful Run().
  virtual Napi::Value Result(Napi::Env env) = 0;
  // The system call's name, for the error.
  virtual const char* Name() const = 0;
  // For the tracer: the call as strace shows it after it returned,
  // "recvfrom(3, ...)", and what strace adds after the return value.
  virtual std::string TraceCall() const = 0;
  virtual std::string TraceSuffix() const { return ""; }
  // EINTR from a signal nobody asked to interrupt the call is retried (PEP
  // 475), except for connect(2): retried, it would answer EALREADY, so the
  // caller is told (CPython then polls for the connection, see socket.ts).
  virtual bool RetryOnEintr() const { return true; }
  // Whether the call uses this fd, so that close() can end it first.
  virtual bool Uses(int f) const { return f >= 0 && f == fd; }
  // The socket the call is on; poll keeps its fds in its own list.
  int fd = -1;
  long ret = -1;
  int err = 0;
};

// Bytes the call reads or writes: borrowed from a JavaScript buffer (Sync)
// or owned (Promise form).
struct Memory {
  char* data = nullptr;
  size_t len = 0;
  std::unique_ptr<char[]> owned;
  void Borrow(const Bytes& b) { data = b.data; len = b.len; }
  void Own(size_t n);
  void CopyOf(const Bytes& b);
};

// Op::Run(), traced when SOCKCALL_TRACE is set (trace.h).
void RunOnce(Op* op);

std::unique_ptr<Op> MakeConnect(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeAccept4(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeSend(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeSendto(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeSendmsg(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeRecv(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeRecvfrom(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakeRecvmsg(const Napi::CallbackInfo& info, bool owned);
std::unique_ptr<Op> MakePoll(const Napi::CallbackInfo& info, bool owned);

}  // namespace sockcall
