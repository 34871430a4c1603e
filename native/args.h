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

int32_t ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name);
uint32_t ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name);
// Any int: lib/ keeps negative numbers away from sys callers, but the facade
// passes -1 on purpose for a closed socket, as CPython does, so that the
// kernel answers EBADF.
int ArgFd(const Napi::CallbackInfo& info, size_t i);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name);
// A length argument that may not exceed `max` (the buffer's size).
size_t ArgLength(const Napi::CallbackInfo& info, size_t i, const char* name, size_t max);
// A socklen_t for an address the kernel fills: null or undefined means
// "pass NULL pointers" (returns false). At most sizeof(sockaddr_storage).
bool ArgAddrlen(const Napi::CallbackInfo& info, size_t i, const char* name, socklen_t* out);
// An array of at most `max` entries.
Napi::Array ArgArray(const Napi::CallbackInfo& info, size_t i, const char* name, uint32_t max);
// An object's integer field, from min to max; `where` names the object
// ("address", "fds[2]"). An optional field that is undefined reads as 0.
double FieldInt(Napi::Env env, Napi::Object o, const char* key, const std::string& where, double min, double max,
                bool optional = false);

// A view of the bytes of an ArrayBuffer, TypedArray, DataView or Buffer.
struct Bytes {
  char* data = nullptr;
  size_t len = 0;
};
bool ToBytes(Napi::Value v, Bytes* out);
Bytes ArgBytes(const Napi::CallbackInfo& info, size_t i, const char* name);

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
void ArgData(const Napi::CallbackInfo& info, size_t i, const char* name, bool own, Memory* out);

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
void ArgTarget(const Napi::CallbackInfo& info, size_t i, const char* name, bool own, Target* t, bool on_stack = false);

// An iovec of buffers. `writing`: the kernel writes into them (recvmsg), so
// an owned copy needs room, not the bytes.
void ArgIov(const Napi::CallbackInfo& info, size_t i, const char* name, bool own, bool writing,
            std::vector<Memory>* bufs, std::vector<iovec>* iov);
// The same for a value that is not an argument (one message of sendmmsg's).
void ValueIov(Napi::Env env, Napi::Value v, const std::string& name, bool own, bool writing, std::vector<Memory>* bufs,
              std::vector<iovec>* iov);

}  // namespace sockcall
