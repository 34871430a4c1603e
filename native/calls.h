// One system call: an Op. Its arguments are read on the JavaScript thread
// (Parse), its Run() makes the call exactly once, its Result() turns what the
// kernel answered into JavaScript values, and its Trace() prints it as strace
// does. Every call sockcall makes is an Op, described once, and listed once
// in a table of its file (socket_calls.cc, io_calls.cc, wait_calls.cc), from
// which both forms are registered:
//
//   Immediate<BindOp>("bind")        bind(): a call that never blocks, made here
//   Blocking<RecvfromOp>("recvfrom") recvfromSync(), made here, and recvfrom(),
//                                    made on a thread of the addon (pool.h),
//                                    its result delivered as a Promise (promise.cc)
//
// The two forms of a blocking call differ only in where the bytes live (the
// caller's buffer in place, or memory the Op owns: args.h's Memory) and in
// how an EINTR can be asked for (an AbortSignal, close(), the environment
// going away: only the Promise form has them).
#pragma once

#include "args.h"
#include "results.h"
#include "trace.h"

#include <atomic>
#include <cerrno>
#include <memory>
#include <new>
#include <string>

namespace sockcall {

struct Op {
  virtual ~Op() = default;
  // Reads the call's arguments; `own`: the call runs on another thread, so
  // the bytes it reads or writes must be the Op's own.
  virtual void Parse(const Args& info, bool own) = 0;
  // On the thread that makes the call, before it, untimed: what must happen
  // first (close() ends the calls pending on its fd).
  virtual void Before() {}
  // Makes the system call once; sets ret and err (errno, read at once).
  virtual void Run() = 0;
  // On the JavaScript thread, after a successful Run().
  virtual Napi::Value Result(Napi::Env env) = 0;
  // The same for the Sync form, which lib/ reads before JavaScript runs
  // again; the Promise form's result waits for a microtask.
  virtual Napi::Value SyncResult(Napi::Env env) { return Result(env); }
  // The same for the Promise form, delivered (promise.cc).
  virtual Napi::Value Delivered(Napi::Env env) { return Result(env); }
  // On the JavaScript thread, once the Promise form's call is settled
  // however it ended (Deliver()): lets go of what it held of JavaScript's.
  // Not from the destructor: the last reference to a call may be dropped
  // on any thread, and Node-API may be called on the JavaScript thread only.
  virtual void Settled(Napi::Env) {}
  // The system call's name, for the error.
  virtual const char* Name() const = 0;
  // For the tracer: the call as strace shows it after it returned,
  // "recvfrom(3, ...)", and what strace adds after the return value.
  virtual std::string Trace() const = 0;
  // What strace prints after " = " when the call succeeded: the value, in
  // decimal unless strace decodes it (fcntl's F_GETFD: "0x1 (flags
  // FD_CLOEXEC)"), and what it decodes of the outcome ("(Timeout)").
  virtual std::string TraceReturn() const { return std::to_string(ret) + TraceSuffix(); }
  virtual std::string TraceSuffix() const { return ""; }
  // EINTR from a signal nobody asked to interrupt the call is retried (PEP
  // 475), except for connect(2), which retried would answer EALREADY (the
  // caller is told, and CPython then polls for the connection), and
  // close(2), after which the fd is gone whatever it answered (close(2),
  // "Dealing with error returns from close()").
  virtual bool RetryOnEintr() const { return true; }
  // Whether the call uses this fd, so that close() can end it first.
  virtual bool Uses(int f) const { return f >= 0 && f == fd; }
  // What the readiness form (ready.cc) waits for on fd before it makes the
  // call: kReadable for a call that waits for data or a connection,
  // kWritable for one that waits for room; kNoReadiness for a call that
  // has no such form (connect(2) waits inside the call; poll and select
  // are waits already).
  enum Readiness { kNoReadiness = 0, kReadable = 1, kWritable = 2 };
  virtual Readiness WaitsFor() const { return kNoReadiness; }
  // The socket the call is on; poll keeps its fds in its own list.
  int fd = -1;
  long ret = -1;
  int err = 0;
};

// Op::Run(), timed and traced when SOCKCALL_TRACE is set (trace.h): the one
// place every call is made.
void RunTraced(Op* op);

// Makes the call until it is done, under PEP 475's rule: an EINTR is
// retried unless the Op says not, or `cancel` (a Promise-form call's) was
// set, which is what sent the signal. Returns false when it was cancelled.
inline bool RunToEnd(Op* op, const std::atomic<bool>* cancel) {
  for (;;) {
    if (cancel != nullptr && cancel->load(std::memory_order_acquire)) return false;
    RunTraced(op);
    if (op->ret >= 0 || op->err != EINTR) return true;
    if (!op->RetryOnEintr() && (cancel == nullptr || !cancel->load(std::memory_order_acquire))) return true;
  }
}

// RunToEnd for the Sync form, with the Op's type known: untraced, nothing
// between the arguments and the kernel is a virtual call.
template <class O>
void RunSyncToEnd(O* op) {
  for (;;) {
    if (trace::enabled.load(std::memory_order_relaxed)) {
      RunTraced(op);
    } else {
      op->O::Before();
      op->O::Run();
    }
    if (op->ret >= 0 || op->err != EINTR || !op->O::RetryOnEintr()) return;
  }
}

// Reads the arguments; an allocation that fails is a RangeError, not an abort.
template <class F>
void ParseOrRefuse(Napi::Env env, F parse) {
  try {
    parse();
  } catch (const std::bad_alloc&) {
    ThrowRangeError(env, "the buffers of this call could not be allocated (out of memory)");
  }
}

// What node-addon-api's own wrapper does for a callback: a C++ exception
// that carries a JavaScript error (ThrowTypeError, a failed Node-API call)
// is thrown into JavaScript when the callback returns.
template <class F>
napi_value Guarded(F body) {
  try {
    return body();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

// The Sync form: the Op on this thread's stack, made here. JavaScript
// signal handlers cannot run while this thread is in the kernel, so there
// is nothing to interrupt the call for: EINTR is retried.
template <class O>
napi_value SyncForm(napi_env env, napi_callback_info cbinfo) {
  return Guarded([&]() -> napi_value {
    Args info(env, cbinfo);
    O op;
    ParseOrRefuse(info.Env(), [&] { op.Parse(info, false); });
    RunSyncToEnd(&op);
    if (op.ret < 0) ThrowErrno(info.Env(), op.err, op.Name());
    return op.SyncResult(info.Env());
  });
}

// Starts a Promise-form call (promise.cc): returns its id, and completes
// through setup()'s `complete`. The last argument is `ref`.
Napi::Value Submit(const Args& info, std::unique_ptr<Op> op);

template <class O>
napi_value PromiseForm(napi_env env, napi_callback_info cbinfo) {
  return Guarded([&]() -> napi_value {
    Args info(env, cbinfo);
    std::unique_ptr<Op> op;
    ParseOrRefuse(info.Env(), [&] {
      op = std::make_unique<O>();
      op->Parse(info, true);
    });
    return Submit(info, std::move(op));
  });
}

// A row of a file's table: the name JavaScript calls it by, its Sync form,
// and its Promise form (none for a call that never blocks).
struct Entry {
  const char* name;
  napi_callback sync;
  napi_callback promise;
};
template <class O> constexpr Entry Immediate(const char* name) { return {name, SyncForm<O>, nullptr}; }
template <class O> constexpr Entry Blocking(const char* name) { return {name, SyncForm<O>, PromiseForm<O>}; }

// The tables (one per file of calls), registered by calls.cc.
struct Table { const Entry* rows; size_t count; };
template <size_t N> constexpr Table TableOf(const Entry (&rows)[N]) { return {rows, N}; }
extern const Table kSocketCalls;
extern const Table kIoCalls;
extern const Table kWaitCalls;

}  // namespace sockcall
