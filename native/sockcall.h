// sockcall's native layer: one thin function per socket system call.
//
// Every function converts its arguments, makes the system call once, and
// returns what the kernel returned or throws the errno it set, read on the
// thread that made the call, immediately after it. No retries except the
// EINTR retry that PEP 475 describes, no extra system calls.
#pragma once

#include <napi.h>

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace sockcall {

// Per-environment state (main thread and each worker_threads Worker has its
// own): the JavaScript functions lib/ hands over at start-up.
// Property names of the objects the addon makes, created once per
// environment and kept in an array (a reference can hold only an object in
// Node-API 8): napi_set_named_property would make the key string anew on
// every call, which was most of the cost of a received address (callgrind).
enum Key { kFamily, kAddr, kPath, kProtocol, kIfindex, kHatype, kPkttype, kData, kKeyCount };

struct AddonData {
  Napi::ObjectReference keys;  // an array of the Key names, in order
  Napi::FunctionReference make_error;      // (errno, syscall) => OSError
  Napi::FunctionReference make_gai_error;  // (code, message) => gaierror
  Napi::FunctionReference complete;        // (id, error, result) => void
  Napi::FunctionReference make_inet;       // (family, addr, port) => {family, addr, port}
  Napi::FunctionReference make_inet6;      // (family, addr, port, flowinfo, scope_id) => {...}
  Napi::FunctionReference make_pair;       // (a, b) => [a, b]
  struct Async* async = nullptr;           // pending calls (async.cc)
};

AddonData* GetData(Napi::Env env);

// Throws the OSError subclass for `err` (lib/errors.ts decides the class).
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall);
Napi::Value MakeErrnoError(Napi::Env env, int err, const char* syscall);
[[noreturn]] void ThrowGaiError(Napi::Env env, int code);

// Results are made by lib/'s functions (AddonData), which setup() hands
// over: an array or object literal made in JavaScript takes its shape from
// V8's inline cache, where the same value built through Node-API goes
// through V8's generic property path for every element (callgrind: about
// 1,000 instructions each). A maker's exception stays pending and is thrown.
Napi::Value CallMaker(Napi::Env env, const Napi::FunctionReference& maker, const napi_value* argv, size_t argc);
// [first, second]
Napi::Value MakePair(Napi::Env env, napi_value first, napi_value second);

// Argument checks. `name` is the argument's name as lib/ documents it; the
// message names it. None of them makes a system call.
[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& msg);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& msg);
int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name);
uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name);
int ArgFd(const Napi::CallbackInfo& info, size_t i);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name);

// A view of the bytes of an ArrayBuffer, TypedArray, DataView or Buffer.
struct Bytes {
  char* data = nullptr;
  size_t len = 0;
};
bool ToBytes(Napi::Value v, Bytes* out);
Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name);
// A length argument that may not exceed `max` (the buffer's size).
size_t ArgLength(const Napi::CallbackInfo& info, size_t i, const char* name,
                 size_t max);

// Socket addresses: a JavaScript object such as
// { family: AF_INET, addr: '127.0.0.1', port: 1060 } in, and out.
struct Sockaddr {
  sockaddr_storage ss;
  socklen_t len = 0;
  sockaddr* sa() { return reinterpret_cast<sockaddr*>(&ss); }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&ss); }
};
void ParseSockaddr(Napi::Env env, Napi::Value v, const char* name,
                   Sockaddr* out);
// null when len is 0 (no address, as recvfrom on a connected stream gives).
Napi::Value MakeSockaddr(Napi::Env env, const sockaddr* sa, socklen_t len);

// Registration of each source file's functions on the exports object.
void InitConstants(Napi::Env env, Napi::Object exports);
void InitSyscalls(Napi::Env env, Napi::Object exports);
void InitAsync(Napi::Env env, Napi::Object exports);

}  // namespace sockcall
