// Argument readers: every check of what JavaScript passed, in one place.
// `name` is the argument's name as lib/ documents it; the message names it.
// None of them makes a system call. A reader may run JavaScript (a getter,
// a Proxy) only where it reads an object's property; ToBytes runs none, so
// a pointer it takes stays valid until the next property read.
#pragma once

#include <alloca.h>

#include "results.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sockcall {

// A view of the bytes of an ArrayBuffer, TypedArray, DataView or Buffer.
struct Bytes {
  char* data = nullptr;
  size_t len = 0;
};

// The arguments of a call as JavaScript passed them. A call of the tables
// (calls.h) reads them with one napi_get_cb_info that asks for no `this`
// and no data, rather than through node-addon-api's CallbackInfo (which
// asks for both, and is most of the cost of a Sync call's entry that is
// not the kernel's: callgrind). A function registered through
// node-addon-api passes its CallbackInfo, copied.
class Args {
 public:
  // The most any call of the tables takes (sendmsg: fd, iov, control,
  // flags, name, and the Promise form's how).
  static constexpr size_t kMax = 8;
  Args(napi_env env, napi_callback_info info);
  Args(const Napi::CallbackInfo& info);  // NOLINT: lookup.cc's readers pass theirs
  Napi::Env Env() const { return Napi::Env(env_); }
  size_t Length() const { return argc_; }
  // undefined past what was passed, as CallbackInfo's.
  Napi::Value operator[](size_t i) const { return Napi::Value(env_, i < kMax ? argv_[i] : Undefined()); }
  // For the readers' inline halves, with i < kMax.
  napi_env env() const { return env_; }
  napi_value raw(size_t i) const { return argv_[i]; }

 private:
  napi_value Undefined() const;
  napi_env env_;
  size_t argc_ = 0;
  napi_value argv_[kMax];
};

// Each reader of an integer or a buffer has two halves: what almost every
// call is given (a number that is exactly an int32, a TypedArray or Buffer
// of a kind it knows) is read inline; anything else goes to the
// out-of-line half (…Slow), which reads it again and says what is wrong.
// Inline, a Sync round trip's readers cost about half (callgrind).
namespace fast {

inline bool Int32(const Args& info, size_t i, int32_t* out) {
  double d;
  if (napi_get_value_double(info.env(), info.raw(i), &d) != napi_ok) return false;
  if (!(d >= INT32_MIN && d <= INT32_MAX)) return false;  // NaN too
  int32_t n = static_cast<int32_t>(d);
  if (static_cast<double>(n) != d) return false;
  *out = n;
  return true;
}

enum class Typed { kNot, kBytes, kRefused };

// A TypedArray's (or Buffer's) bytes. Asked at once, not after
// napi_is_typedarray(): anything else is napi_invalid_arg, and a Buffer is
// what almost every call is given.
inline Typed TypedArray(napi_env env, napi_value v, Bytes* out) {
  napi_typedarray_type type = napi_uint8_array;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) return Typed::kNot;
  size_t size;
  switch (type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: size = 1; break;
    case napi_int16_array: case napi_uint16_array: size = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: size = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: size = 8; break;
    // A kind this build does not know (Float16Array, in a later Node):
    // refused, rather than guessed at a size that could overrun it.
    default: return Typed::kRefused;
  }
  out->data = static_cast<char*>(data);
  out->len = data == nullptr ? 0 : length * size;  // a detached buffer has no bytes
  return Typed::kBytes;
}

}  // namespace fast

int32_t ArgInt32Slow(const Args& info, size_t i, const char* name);
inline int32_t ArgInt32(const Args& info, size_t i, const char* name) {
  int32_t n;
  return fast::Int32(info, i, &n) ? n : ArgInt32Slow(info, i, name);
}
uint32_t ArgUint32Slow(const Args& info, size_t i, const char* name);
inline uint32_t ArgUint32(const Args& info, size_t i, const char* name) {
  int32_t n;
  return fast::Int32(info, i, &n) && n >= 0 ? static_cast<uint32_t>(n) : ArgUint32Slow(info, i, name);
}
// Any int: lib/ keeps negative numbers away from sys callers, but the facade
// passes -1 on purpose for a closed socket, as CPython does, so that the
// kernel answers EBADF.
inline int ArgFd(const Args& info, size_t i) { return ArgInt32(info, i, "fd"); }
bool ArgBool(const Args& info, size_t i, const char* name);
// A length argument that may not exceed `max` (the buffer's size).
size_t ArgLength(const Args& info, size_t i, const char* name, size_t max);
// A socklen_t for an address the kernel fills: null or undefined means
// "pass NULL pointers" (returns false). At most sizeof(sockaddr_storage).
bool ArgAddrlenSlow(const Args& info, size_t i, const char* name, socklen_t* out);
inline bool ArgAddrlen(const Args& info, size_t i, const char* name, socklen_t* out) {
  int32_t n;
  if (fast::Int32(info, i, &n) && n >= 0 && static_cast<size_t>(n) <= sizeof(sockaddr_storage)) {
    *out = static_cast<socklen_t>(n);
    return true;
  }
  return ArgAddrlenSlow(info, i, name, out);
}
// An array of at most `max` entries.
Napi::Array ArgArray(const Args& info, size_t i, const char* name, uint32_t max);
// An object's integer field, from min to max; `where` names the object
// ("address", "fds[2]"). An optional field that is undefined reads as 0.
double FieldInt(Napi::Env env, Napi::Object o, const char* key, const std::string& where, double min, double max,
                bool optional = false);

bool ToBytes(Napi::Value v, Bytes* out);
Bytes ArgBytes(const Args& info, size_t i, const char* name);

// Bytes a call reads or writes: borrowed from a JavaScript buffer (a Sync
// call, made before JavaScript can run again) or owned (a Promise-form
// call: JavaScript may detach or collect the buffer while the call is
// pending, and the kernel would then write into freed memory).
extern const char kNoBytes[1];

struct Memory {
  char* data = nullptr;
  size_t len = 0;
  std::unique_ptr<char[]> owned;
  // An empty buffer's data is NULL in Node-API; the call is given a pointer
  // to no bytes instead, as C and CPython give one (strace shows "", not
  // NULL), and as the Promise form's own memory is.
  void Borrow(const Bytes& b) { data = b.data != nullptr ? b.data : const_cast<char*>(kNoBytes); len = b.len; }
  void Own(size_t n);
  void CopyOf(const Bytes& b);
};

// An owned copy (Promise form) is bounded, so that a list of views of one
// huge ArrayBuffer cannot ask for terabytes.
constexpr size_t kMaxOwned = size_t{1} << 30;

// Data to send: borrowed (Sync) or copied (Promise form).
void ArgDataSlow(const Args& info, size_t i, const char* name, bool own, Memory* out);
inline void ArgData(const Args& info, size_t i, const char* name, bool own, Memory* out) {
  Bytes b;
  if (!own && fast::TypedArray(info.env(), info.raw(i), &b) == fast::Typed::kBytes) return out->Borrow(b);
  ArgDataSlow(info, i, name, own, out);
}

// Where a receive goes: a buffer written in place (Sync), or a size, which
// asks for a new Buffer of exactly the bytes received (Python's recv(n)
// returns bytes of the received length). A Promise-form call receives into
// memory of its own: for a size, handed back as the new Buffer; for a
// buffer, copied into it on the JavaScript thread when the call is
// delivered (Deliver()), the buffer held by a reference until then and
// looked at again then, since it may have been detached or shrunk
// meanwhile. The kernel never writes into JavaScript's memory off its
// thread.
//
// A Promise form's room of at most kStackRoom bytes is not held while the
// call waits: its thread receives on its own stack and keeps only the
// bytes stored (Receive()). Held, 10,000 pending recvfrom(2048) calls kept
// 20 MiB of it that no datagram had touched.
struct Target {
  static constexpr size_t kStackRoom = 65536;
  Memory mem;               // with on_stack: len is the room's size; data the bytes kept, once received
  bool new_buffer = false;  // the result is a new Buffer of the received bytes
  bool on_stack = false;
  bool dropped = false;     // received, but no memory to keep the bytes in
  napi_ref dest = nullptr;  // the caller's buffer, for a Promise form given one
  // On the thread that makes the call: `call(room)` makes the system call
  // into room of mem.len bytes (and reads errno at once); returns its
  // value. With on_stack the room is on this thread's stack, and the bytes
  // stored are copied to memory of the Target's before it returns.
  template <class F>
  long Receive(F call) {
    if (!on_stack) return call(mem.data);
    char* room = static_cast<char*>(alloca(mem.len == 0 ? 1 : mem.len));
    long r = call(room);
    Keep(room, r);
    return r;
  }
  void Keep(const char* room, long r);
  // On the JavaScript thread: the `stored` bytes received into the
  // caller's buffer; a TypeError naming `syscall` if it no longer holds them.
  void CopyOut(Napi::Env env, size_t stored, const char* syscall);
  // On the JavaScript thread: lets go of the caller's buffer (Op::Settled).
  void Forget(Napi::Env env);
};
// on_stack: a Promise form may receive into its thread's stack (Target).
void ArgTargetSlow(const Args& info, size_t i, const char* name, bool own, Target* t, bool on_stack);
inline void ArgTarget(const Args& info, size_t i, const char* name, bool own, Target* t, bool on_stack = false) {
  Bytes b;
  if (!own && fast::TypedArray(info.env(), info.raw(i), &b) == fast::Typed::kBytes) return t->mem.Borrow(b);
  ArgTargetSlow(info, i, name, own, t, on_stack);
}

// An iovec of buffers. `writing`: the kernel writes into them (recvmsg), so
// an owned copy needs room, not the bytes.
void ArgIov(const Args& info, size_t i, const char* name, bool own, bool writing,
            std::vector<Memory>* bufs, std::vector<iovec>* iov);
// The same for a value that is not an argument (one message of sendmmsg's).
void ValueIov(Napi::Env env, Napi::Value v, const std::string& name, bool own, bool writing, std::vector<Memory>* bufs,
              std::vector<iovec>* iov);

}  // namespace sockcall
