// sockcall's native layer: one thin function per socket system call.
//
// Every call converts its arguments, makes the system call once, and
// returns what the kernel returned or throws the errno it set, read on the
// thread that made the call, immediately after it. No retries except the
// EINTR retry that PEP 475 describes, no extra system calls.
//
// The rooms (ARCHITECTURE.md draws them all):
//   addon.cc        the module's entry point, per-environment AddonData
//   args.{h,cc}     argument readers: every check of what JavaScript passed
//   results.{h,cc}  what goes back: errors (errno, gaierror) and lib/'s result makers
//   sockaddr.{h,cc} struct sockaddr <-> JavaScript objects
//   calls.{h,cc}    the Op (one system call), the traced run, the EINTR policy,
//                   the Sync and Promise forms, and the registration of the tables
//   socket_calls.cc socket, socketpair, bind, listen, shutdown, close, getsockname,
//                   getpeername, getsockopt, setsockopt, ioctl
//   io_calls.cc     send, sendto, sendmsg, recv, recvfrom, recvmsg
//   wait_calls.cc   connect, accept4, poll, select
//   lookup.cc       functions of the C library that are not system calls
//   pool.{h,cc}     the threads the Promise forms run on, and their cancellation
//   promise.cc      per-environment delivery of results (the threadsafe function)
//   ready.{h,cc}    the readiness form: the event loop waits, the call is made on the JS thread
//   trace.{h,cc}    SOCKCALL_TRACE, in strace's syntax
//   names.h, constants.cc  the constants, from the system headers
#pragma once

#include <napi.h>

namespace sockcall {

// Property names of the objects the addon makes, created once per
// environment and kept in an array (a reference can hold only an object in
// Node-API 8): napi_set_named_property would make the key string anew on
// every call, which was most of the cost of a received address (callgrind).
enum Key { kFamily, kAddr, kPath, kProtocol, kIfindex, kHatype, kPkttype, kData, kKeyCount };

struct EnvCalls;  // promise.cc: the Promise-form calls of one environment

// Per-environment state (the main thread and each worker_threads Worker
// has its own): the JavaScript functions lib/ hands over with setup().
struct AddonData {
  Napi::ObjectReference keys;              // an array of the Key names, in order
  Napi::FunctionReference make_error;      // (errno, syscall) => OSError
  Napi::FunctionReference make_gai_error;  // (code, message) => gaierror
  Napi::FunctionReference make_inet;       // (family, addr, port) => {family, addr, port}
  Napi::FunctionReference make_inet6;      // (family, addr, port, flowinfo, scope_id) => {...}
  Napi::FunctionReference make_pair;       // (a, b) => [a, b]
  // (first, addr (host order), port) => [first, {family: AF_INET, addr, port}]:
  // a result and the IPv4 address it came from (recvfrom, accept4) in one
  // call of lib/'s, with the address's text made (and kept) there.
  Napi::FunctionReference make_pair_inet;
  // The memory of the Float64Array setup() returns, in the layout lib/
  // reads it in (native.ts). The array's memory is this, not V8's: were it
  // ever detached, the addon's writes would still land here.
  static constexpr size_t kSlots = 256;
  static constexpr double kSlotScale = 4294967296.0;  // 2^32: a count is less
  struct Shared {
    // What a Sync recvfrom into a caller's buffer returns, for lib/ to read
    // at once (native.ts, recvfromSyncResult): the kernel's count, and an
    // AF_INET sender as [AF_INET, address (host order), port], 0 in its
    // second place otherwise (the address is then the return value). No
    // [n, address] array and no object made through Node-API: those were
    // 1,150 and 1,650 of the 4,340 instructions a call took (callgrind),
    // the call itself 500.
    double sync_result[4] = {0, 0, 0, 0};
    // The IPv4 senders of Promise-form recvfroms into a caller's buffer:
    // slot k is [AF_INET, address (host order), port, 0], 0 in its first
    // place while free. Such a call resolves with a number, slot *
    // kSlotScale + the kernel's count, and lib/'s reaction reads the slot
    // and frees it (native.ts, delivered()). Resolved with an [n, address]
    // array, the Promise asked the array for a `then` (ECMA-262, Promise
    // Resolve Functions: any object may be a thenable) and lib/ was called
    // to make the array: 2,300 of the 4,400 instructions of a delivery
    // (callgrind). A call whose slot is still unread (more than kSlots
    // delivered before their reactions ran) is resolved with the array.
    double slots[4 * kSlots] = {};
  } shared;
  size_t next_slot = 0;
  // The next slot if it is free, else nullptr; *index is its number.
  double* ClaimSlot(size_t* index) {
    size_t k = next_slot;
    double* s = &shared.slots[4 * k];
    if (s[0] != 0) return nullptr;
    next_slot = (k + 1) % kSlots;
    *index = k;
    return s;
  }
  EnvCalls* calls = nullptr;
};

AddonData* GetData(Napi::Env env);

// Registration of each source file's functions on the exports object.
void InitConstants(Napi::Env env, Napi::Object exports);
void InitCalls(Napi::Env env, Napi::Object exports);
void InitLookup(Napi::Env env, Napi::Object exports);
void InitPromise(Napi::Env env, Napi::Object exports);

}  // namespace sockcall
