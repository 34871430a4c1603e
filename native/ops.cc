// The calls that can block, as Ops (see ops.h). Argument layout, the same
// for the Sync and the Promise form:
//   connect(fd, address)
//   accept4(fd, flags, addrlen | null)           -> [newfd, address | null]
//   send(fd, data, flags)                        -> nbytes
//   sendto(fd, data, flags, address | null)      -> nbytes
//   sendmsg(fd, buffers, control, flags, address | null) -> nbytes
//   recv(fd, buffer | size, flags)               -> nbytes | Buffer
//   recvfrom(fd, buffer | size, flags, addrlen | null)  -> [nbytes | Buffer, address]
//   recvmsg(fd, buffers | size, controllen, flags, namelen | null)
//                                    -> [nbytes | Buffer, address, control, msg_flags]
//   poll(fds, timeout)                           -> [nready, revents]
// A size instead of a buffer asks for a new Buffer of exactly the bytes
// received, as Python's recv(n) returns bytes of the received length.
#include "ops.h"

#include "trace.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <new>

namespace sockcall {

void Memory::Own(size_t n) {
  owned.reset(new char[n == 0 ? 1 : n]);
  data = owned.get();
  len = n;
}

void Memory::CopyOf(const Bytes& b) {
  Own(b.len);
  if (b.len > 0) memcpy(data, b.data, b.len);
}

void RunOnce(Op* op) {
  if (!trace::enabled) {
    op->Run();
    return;
  }
  timespec t0, t1;
  trace::Now(&t0);
  op->Run();
  trace::Now(&t1);
  // The call is made and its result kept: a trace line that cannot be
  // built (out of memory) is dropped rather than ending the process.
  try {
    trace::Emit(op->TraceCall(), op->ret, op->err, t0, t1, op->TraceSuffix());
  } catch (const std::bad_alloc&) {
  }
}

namespace {

using trace::Int;

// Largest size a "size" argument may ask for: Node's Buffer limit.
constexpr double kMaxSize = 4294967296.0;  // 4 GiB
// An owned copy (Promise form) is bounded, so that a list of views of one
// huge ArrayBuffer cannot ask for terabytes.
constexpr size_t kMaxOwned = size_t{1} << 30;

// socklen_t argument: null means "pass NULL pointers" (no address wanted).
bool ArgAddrlen(const Napi::CallbackInfo& info, size_t i, const char* name, socklen_t* out) {
  if (info[i].IsNull() || info[i].IsUndefined()) return false;
  uint32_t n = ArgUint32(info, i, name);
  if (n > sizeof(sockaddr_storage)) {
    ThrowRangeError(info.Env(), std::string(name) + " must be from 0 to " +
                    std::to_string(sizeof(sockaddr_storage)) + " (sizeof(struct sockaddr_storage)), got " +
                    std::to_string(n));
  }
  *out = n;
  return true;
}

// The destination of a receive: a buffer written in place (Sync), or a size.
struct Target {
  Memory mem;
  bool fresh = false;  // return a new Buffer of the received bytes
};

void ArgTarget(const Napi::CallbackInfo& info, size_t i, const char* name, bool owned, Target* t) {
  Napi::Value v = info[i];
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::trunc(d)) {
      ThrowTypeError(info.Env(), std::string(name) + " must be an integer size or a buffer");
    }
    if (d < 0 || d >= kMaxSize) {
      ThrowRangeError(info.Env(), std::string(name) + " must be a size from 0 to 4294967295");
    }
    t->mem.Own(static_cast<size_t>(d));
    t->fresh = true;
    return;
  }
  Bytes b = ArgBytes(info, i, name);
  if (owned) {
    if (b.len > kMaxOwned) {
      ThrowRangeError(info.Env(), std::string(name) + " is larger than 1 GiB, the most a call on sockcall's threads copies");
    }
    t->mem.Own(b.len);
    t->fresh = true;
  } else {
    t->mem.Borrow(b);
  }
}

// What a receive put in its buffer. With MSG_TRUNC the kernel returns a
// datagram's full length, which may be more than the buffer held
// (udp(7), "MSG_TRUNC"): the bytes are never more than the buffer's size.
size_t Stored(const Memory& m, long ret) {
  size_t n = ret < 0 ? 0 : static_cast<size_t>(ret);
  return n < m.len ? n : m.len;
}

// A receive's buffer as strace shows it: the bytes received, or the
// pointer when the call failed.
std::string Data(const Memory& m, long ret) {
  return ret >= 0 ? trace::Str(m.data, Stored(m, ret)) : trace::Ptr(m.data);
}

// The bytes received, as a new Buffer (a receive asked for by size, or made
// on sockcall's threads); the kernel's return value goes with them, since
// with MSG_TRUNC it can be larger.
Napi::Value Received(Napi::Env env, const Target& t, long n) {
  if (!t.fresh) return Napi::Number::New(env, static_cast<double>(n));
  return MakePair(env, Napi::Buffer<char>::Copy(env, t.mem.data, Stored(t.mem, n)),
                  Napi::Number::New(env, static_cast<double>(n)));
}

// Sockaddr out-parameter with the length the caller chose.
struct NameOut {
  bool want = false;
  socklen_t given = 0;
  Sockaddr sa;
  sockaddr* ptr() { return want ? sa.sa() : nullptr; }
  socklen_t* lenp() { return want ? &sa.len : nullptr; }
  void Arm() { memset(&sa.ss, 0, sizeof sa.ss); sa.len = given; }
  // The kernel reports the address's full length, which may exceed the
  // room it was given (the address is then truncated): decode only what
  // it wrote.
  Napi::Value Make(Napi::Env env) {
    if (!want) return env.Null();
    socklen_t n = sa.len < given ? sa.len : given;
    return MakeSockaddr(env, sa.sa(), n);
  }
};

class ConnectOp : public Op {
 public:
  Sockaddr addr;
  void Run() override { ret = connect(fd, addr.sa(), addr.len); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "connect"; }
  bool RetryOnEintr() const override { return false; }
  std::string TraceCall() const override {
    return "connect(" + Int(fd) + ", " + trace::Sockaddr(addr.sa(), addr.len) + ", " + Int(addr.len) + ")";
  }
};

class Accept4Op : public Op {
 public:
  int flags = 0;
  NameOut name;
  void Run() override {
    name.Arm();
    ret = accept4(fd, name.ptr(), name.lenp(), flags);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    return MakePair(env, Napi::Number::New(env, static_cast<double>(ret)), name.Make(env));
  }
  const char* Name() const override { return "accept4"; }
  std::string TraceCall() const override {
    bool ok = ret >= 0;
    std::string a = name.want ? trace::SockaddrOut(name.sa.sa(), name.given, name.sa.len, ok) + ", " +
                                    trace::Socklen(name.given, name.sa.len, ok)
                              : "NULL, NULL";
    return "accept4(" + Int(fd) + ", " + a + ", " + trace::SockFlags(flags) + ")";
  }
};

class SendOp : public Op {
 public:
  Memory data;
  int flags = 0;
  void Run() override { ret = send(fd, data.data, data.len, flags); err = errno; }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(ret)); }
  const char* Name() const override { return "send"; }
  // send(2) is sendto(2) with no address to the kernel (glibc makes it so).
  std::string TraceCall() const override {
    return "sendto(" + Int(fd) + ", " + trace::Str(data.data, data.len) + ", " + Int(static_cast<long>(data.len)) +
           ", " + trace::MsgFlags(flags) + ", NULL, 0)";
  }
};

class SendtoOp : public Op {
 public:
  Memory data;
  int flags = 0;
  bool has_addr = false;
  Sockaddr addr;
  void Run() override {
    ret = sendto(fd, data.data, data.len, flags, has_addr ? addr.sa() : nullptr, has_addr ? addr.len : 0);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(ret)); }
  const char* Name() const override { return "sendto"; }
  std::string TraceCall() const override {
    return "sendto(" + Int(fd) + ", " + trace::Str(data.data, data.len) + ", " + Int(static_cast<long>(data.len)) +
           ", " + trace::MsgFlags(flags) + ", " +
           (has_addr ? trace::Sockaddr(addr.sa(), addr.len) + ", " + Int(addr.len) : std::string("NULL, 0")) + ")";
  }
};

class SendmsgOp : public Op {
 public:
  std::vector<Memory> bufs;
  std::vector<iovec> iov;
  std::unique_ptr<char[]> control;
  size_t controllen = 0;
  bool has_addr = false;
  Sockaddr addr;
  int flags = 0;
  msghdr msg{};
  void Run() override {
    msg = msghdr{};
    msg.msg_name = has_addr ? addr.sa() : nullptr;
    msg.msg_namelen = has_addr ? addr.len : 0;
    msg.msg_iov = iov.empty() ? nullptr : iov.data();
    msg.msg_iovlen = iov.size();
    msg.msg_control = controllen ? control.get() : nullptr;
    msg.msg_controllen = controllen;
    ret = sendmsg(fd, &msg, flags);
    err = errno;
  }
  std::string TraceCall() const override {
    return "sendmsg(" + Int(fd) + ", " + trace::Msghdr(&msg, msg.msg_namelen, controllen, ret, false) + ", " +
           trace::MsgFlags(flags) + ")";
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(ret)); }
  const char* Name() const override { return "sendmsg"; }
};

class RecvOp : public Op {
 public:
  Target target;
  int flags = 0;
  void Run() override { ret = recv(fd, target.mem.data, target.mem.len, flags); err = errno; }
  Napi::Value Result(Napi::Env env) override { return Received(env, target, ret); }
  const char* Name() const override { return "recv"; }
  // recv(2) is recvfrom(2) with no address to the kernel.
  std::string TraceCall() const override {
    return "recvfrom(" + Int(fd) + ", " + Data(target.mem, ret) + ", " + Int(static_cast<long>(target.mem.len)) + ", " +
           trace::MsgFlags(flags) + ", NULL, NULL)";
  }
};

class RecvfromOp : public Op {
 public:
  Target target;
  int flags = 0;
  NameOut name;
  void Run() override {
    name.Arm();
    ret = recvfrom(fd, target.mem.data, target.mem.len, flags, name.ptr(), name.lenp());
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    return MakePair(env, Received(env, target, ret), name.Make(env));
  }
  const char* Name() const override { return "recvfrom"; }
  std::string TraceCall() const override {
    bool ok = ret >= 0;
    std::string a = name.want ? trace::SockaddrOut(name.sa.sa(), name.given, name.sa.len, ok) + ", " +
                                    trace::Socklen(name.given, name.sa.len, ok)
                              : "NULL, NULL";
    return "recvfrom(" + Int(fd) + ", " + Data(target.mem, ret) + ", " + Int(static_cast<long>(target.mem.len)) + ", " +
           trace::MsgFlags(flags) + ", " + a + ")";
  }
};

class RecvmsgOp : public Op {
 public:
  std::vector<Memory> bufs;
  std::vector<iovec> iov;
  bool fresh = false;
  std::unique_ptr<char[]> control;
  size_t controllen = 0;
  size_t controllen_out = 0;
  int msg_flags = 0;
  NameOut name;
  int flags = 0;
  msghdr msg{};
  void Run() override {
    name.Arm();
    msg = msghdr{};
    msg.msg_name = name.ptr();
    msg.msg_namelen = name.want ? name.sa.len : 0;
    msg.msg_iov = iov.empty() ? nullptr : iov.data();
    msg.msg_iovlen = iov.size();
    msg.msg_control = controllen ? control.get() : nullptr;
    msg.msg_controllen = controllen;
    ret = recvmsg(fd, &msg, flags);
    err = errno;
    if (name.want) name.sa.len = msg.msg_namelen;
    controllen_out = msg.msg_controllen;
    msg_flags = msg.msg_flags;
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array a = Napi::Array::New(env, 4);
    if (fresh) {
      // Asked for by size, or received into memory of ours (Promise form):
      // the bytes received, gathered from the iov in order (never more than
      // the iov holds: with MSG_TRUNC, ret is the datagram's full length),
      // with ret itself beside them.
      size_t room = 0;
      for (const Memory& m : bufs) room += m.len;
      size_t total = static_cast<size_t>(ret) < room ? static_cast<size_t>(ret) : room;
      Napi::Buffer<char> out = Napi::Buffer<char>::New(env, total);
      size_t at = 0;
      for (const Memory& m : bufs) {
        size_t n = m.len < total - at ? m.len : total - at;
        if (n > 0) memcpy(out.Data() + at, m.data, n);
        at += n;
      }
      a.Set(0u, MakePair(env, out, Napi::Number::New(env, static_cast<double>(ret))));
    } else {
      a.Set(0u, Napi::Number::New(env, static_cast<double>(ret)));
    }
    a.Set(1u, name.Make(env));
    // The control messages the kernel wrote, walked with CMSG_FIRSTHDR and
    // CMSG_NXTHDR (cmsg(3)); a message cut short by MSG_CTRUNC is given with
    // the bytes that fit, as CPython's recvmsg does.
    Napi::Array cmsgs = Napi::Array::New(env);
    if (controllen_out > 0) {
      msghdr msg{};
      msg.msg_control = control.get();
      msg.msg_controllen = controllen_out < controllen ? controllen_out : controllen;
      uint32_t i = 0;
      char* end = control.get() + msg.msg_controllen;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        char* data = reinterpret_cast<char*>(CMSG_DATA(c));
        if (data > end || c->cmsg_len < CMSG_LEN(0)) break;
        size_t n = c->cmsg_len - CMSG_LEN(0);
        if (data + n > end) n = static_cast<size_t>(end - data);
        Napi::Object o = Napi::Object::New(env);
        o.Set("level", Napi::Number::New(env, c->cmsg_level));
        o.Set("type", Napi::Number::New(env, c->cmsg_type));
        o.Set("data", Napi::Buffer<char>::Copy(env, data, n));
        cmsgs.Set(i++, o);
      }
    }
    a.Set(2u, cmsgs);
    a.Set(3u, Napi::Number::New(env, msg_flags));
    return a;
  }
  const char* Name() const override { return "recvmsg"; }
  std::string TraceCall() const override {
    return "recvmsg(" + Int(fd) + ", " + trace::Msghdr(&msg, name.want ? name.given : 0, controllen, ret, true) + ", " +
           trace::MsgFlags(flags) + ")";
  }
};

class PollOp : public Op {
 public:
  std::vector<pollfd> fds;
  int timeout = -1;
  bool started = false;
  timespec deadline{};
  int wait = -1;  // the timeout of the last attempt
  void Run() override {
    // PEP 475: a poll() retried after EINTR waits only for the time left.
    wait = timeout;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!started) {
      started = true;
      deadline = now;
      deadline.tv_sec += timeout / 1000;
      deadline.tv_nsec += static_cast<long>(timeout % 1000) * 1000000L;
      if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    } else if (timeout > 0) {
      long long left = (deadline.tv_sec - now.tv_sec) * 1000LL + (deadline.tv_nsec - now.tv_nsec) / 1000000LL;
      wait = left < 0 ? 0 : static_cast<int>(left);
    }
    ret = poll(fds.empty() ? nullptr : fds.data(), fds.size(), wait);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array revents = Napi::Array::New(env, fds.size());
    for (uint32_t i = 0; i < fds.size(); i++) revents.Set(i, Napi::Number::New(env, fds[i].revents));
    return MakePair(env, Napi::Number::New(env, static_cast<double>(ret)), revents);
  }
  const char* Name() const override { return "poll"; }
  std::string TraceCall() const override {
    return "poll(" + trace::PollFds(fds.data(), fds.size(), false) + ", " + Int(static_cast<long>(fds.size())) + ", " +
           Int(wait) + ")";
  }
  std::string TraceSuffix() const override { return trace::PollResult(fds.data(), fds.size(), ret); }
  bool Uses(int f) const override {
    for (const pollfd& p : fds) if (f >= 0 && p.fd == f) return true;
    return false;
  }
};

Napi::Array ArgArray(const Napi::CallbackInfo& info, size_t i, const char* name, uint32_t max) {
  if (!info[i].IsArray()) ThrowTypeError(info.Env(), std::string(name) + " must be an array");
  Napi::Array a = info[i].As<Napi::Array>();
  if (a.Length() > max) {
    ThrowRangeError(info.Env(), std::string(name) + " has " + std::to_string(a.Length()) +
                    " entries; the limit is " + std::to_string(max));
  }
  return a;
}

// IOV_MAX is 1024 on Linux (sysconf(_SC_IOV_MAX)); more is EMSGSIZE from the
// kernel, which is its answer to give: the limit here only bounds memory.
constexpr uint32_t kMaxIov = 65536;

void ArgIov(const Napi::CallbackInfo& info, size_t i, const char* name, bool owned, bool writing,
            std::vector<Memory>* bufs, std::vector<iovec>* iov) {
  Napi::Array a = ArgArray(info, i, name, kMaxIov);
  uint32_t n = a.Length();
  // Every element first: reading one may run JavaScript (a getter, a Proxy),
  // which could detach or shrink a buffer whose pointer was already taken.
  // ToBytes runs none, so the pointers taken after this stay valid.
  std::vector<Napi::Value> values;
  values.reserve(n);
  for (uint32_t k = 0; k < n; k++) values.push_back(a.Get(k));
  bufs->resize(n);
  iov->resize(n);
  size_t total = 0;
  for (uint32_t k = 0; k < n; k++) {
    Bytes b;
    if (!ToBytes(values[k], &b)) {
      ThrowTypeError(info.Env(), std::string(name) + "[" + std::to_string(k) +
                     "] must be a Buffer, TypedArray, DataView or ArrayBuffer");
    }
    total += b.len;
    if (owned && total > kMaxOwned) {
      ThrowRangeError(info.Env(), std::string(name) + " holds more than 1 GiB, the most a call on sockcall's threads copies");
    }
    Memory& m = (*bufs)[k];
    if (!owned) m.Borrow(b);
    else if (writing) m.Own(b.len);
    else m.CopyOf(b);
    (*iov)[k].iov_base = m.data;
    (*iov)[k].iov_len = m.len;
  }
}

}  // namespace

std::unique_ptr<Op> MakeConnect(const Napi::CallbackInfo& info, bool) {
  auto op = std::make_unique<ConnectOp>();
  op->fd = ArgFd(info, 0);
  ParseSockaddr(info.Env(), info[1], "address", &op->addr);
  return op;
}

std::unique_ptr<Op> MakeAccept4(const Napi::CallbackInfo& info, bool) {
  auto op = std::make_unique<Accept4Op>();
  op->fd = ArgFd(info, 0);
  op->flags = ArgInt32(info, 1, "flags");
  op->name.want = ArgAddrlen(info, 2, "addrlen", &op->name.given);
  return op;
}

std::unique_ptr<Op> MakeSend(const Napi::CallbackInfo& info, bool owned) {
  auto op = std::make_unique<SendOp>();
  op->fd = ArgFd(info, 0);
  op->flags = ArgInt32(info, 2, "flags");
  Bytes b = ArgBytes(info, 1, "data");
  if (owned && b.len > kMaxOwned) ThrowRangeError(info.Env(), "data is larger than 1 GiB, the most a call on sockcall's threads copies");
  if (owned) op->data.CopyOf(b); else op->data.Borrow(b);
  return op;
}

std::unique_ptr<Op> MakeSendto(const Napi::CallbackInfo& info, bool owned) {
  auto op = std::make_unique<SendtoOp>();
  op->fd = ArgFd(info, 0);
  op->flags = ArgInt32(info, 2, "flags");
  // The address first: its getters may run JavaScript, which could detach
  // or shrink the data's buffer. Nothing runs JavaScript after ArgBytes.
  if (!info[3].IsNull() && !info[3].IsUndefined()) {
    op->has_addr = true;
    ParseSockaddr(info.Env(), info[3], "address", &op->addr);
  }
  Bytes b = ArgBytes(info, 1, "data");
  if (owned && b.len > kMaxOwned) ThrowRangeError(info.Env(), "data is larger than 1 GiB, the most a call on sockcall's threads copies");
  if (owned) op->data.CopyOf(b); else op->data.Borrow(b);
  return op;
}

std::unique_ptr<Op> MakeSendmsg(const Napi::CallbackInfo& info, bool owned) {
  Napi::Env env = info.Env();
  auto op = std::make_unique<SendmsgOp>();
  op->fd = ArgFd(info, 0);
  // Control messages first: they only read their arguments, and the iov
  // copies (owned) are the larger allocation.
  Napi::Array control = ArgArray(info, 2, "control", 65536);
  op->flags = ArgInt32(info, 3, "flags");
  if (!info[4].IsNull() && !info[4].IsUndefined()) {
    op->has_addr = true;
    ParseSockaddr(env, info[4], "address", &op->addr);
  }
  // Each control message takes CMSG_SPACE(len) bytes, as CPython lays them
  // out (msg_controllen is their sum). Each message's data is copied as soon
  // as it is read: reading the next message may run JavaScript.
  struct Message { int level, type; std::string data; };
  std::vector<Message> messages;
  size_t total = 0;
  for (uint32_t k = 0; k < control.Length(); k++) {
    Napi::Value v = control.Get(k);
    std::string at = "control[" + std::to_string(k) + "]";
    if (!v.IsObject()) ThrowTypeError(env, at + " must be an object { level, type, data }");
    Napi::Object o = v.As<Napi::Object>();
    Napi::Value level = o.Get("level"), type = o.Get("type");
    if (!level.IsNumber() || !type.IsNumber()) ThrowTypeError(env, at + ".level and .type must be integers");
    double l = level.As<Napi::Number>().DoubleValue(), t = type.As<Napi::Number>().DoubleValue();
    if (!(l >= INT32_MIN && l <= INT32_MAX && l == std::trunc(l)) || !(t >= INT32_MIN && t <= INT32_MAX && t == std::trunc(t))) {
      ThrowRangeError(env, at + ".level and .type must be 32-bit integers");
    }
    Napi::Value dv = o.Get("data");
    Bytes d;
    if (!ToBytes(dv, &d)) ThrowTypeError(env, at + ".data must be a Buffer");
    total += CMSG_SPACE(d.len);
    if (d.len > (1u << 20) || total > (1u << 20)) ThrowRangeError(env, "control holds more than 1 MiB of control messages");
    messages.push_back({static_cast<int>(l), static_cast<int>(t), std::string(d.data == nullptr ? "" : d.data, d.len)});
  }
  if (total > 0) {
    op->control.reset(new char[total]());
    op->controllen = total;
    char* p = op->control.get();
    for (const Message& m : messages) {
      auto* c = reinterpret_cast<cmsghdr*>(p);
      c->cmsg_level = m.level;
      c->cmsg_type = m.type;
      c->cmsg_len = CMSG_LEN(m.data.size());
      if (!m.data.empty()) memcpy(CMSG_DATA(c), m.data.data(), m.data.size());
      p += CMSG_SPACE(m.data.size());
    }
  }
  ArgIov(info, 1, "buffers", owned, false, &op->bufs, &op->iov);
  return op;
}

std::unique_ptr<Op> MakeRecv(const Napi::CallbackInfo& info, bool owned) {
  auto op = std::make_unique<RecvOp>();
  op->fd = ArgFd(info, 0);
  op->flags = ArgInt32(info, 2, "flags");
  ArgTarget(info, 1, "buffer", owned, &op->target);
  return op;
}

std::unique_ptr<Op> MakeRecvfrom(const Napi::CallbackInfo& info, bool owned) {
  auto op = std::make_unique<RecvfromOp>();
  op->fd = ArgFd(info, 0);
  op->flags = ArgInt32(info, 2, "flags");
  op->name.want = ArgAddrlen(info, 3, "addrlen", &op->name.given);
  ArgTarget(info, 1, "buffer", owned, &op->target);
  return op;
}

std::unique_ptr<Op> MakeRecvmsg(const Napi::CallbackInfo& info, bool owned) {
  auto op = std::make_unique<RecvmsgOp>();
  op->fd = ArgFd(info, 0);
  op->controllen = ArgLength(info, 2, "controllen", 1u << 20);
  op->flags = ArgInt32(info, 3, "flags");
  op->name.want = ArgAddrlen(info, 4, "namelen", &op->name.given);
  if (op->controllen > 0) op->control.reset(new char[op->controllen]());
  if (info[1].IsNumber()) {
    Target t;
    ArgTarget(info, 1, "buffers", true, &t);
    op->fresh = true;
    op->bufs.resize(1);
    op->bufs[0] = std::move(t.mem);
    op->iov.resize(1);
    op->iov[0].iov_base = op->bufs[0].data;
    op->iov[0].iov_len = op->bufs[0].len;
  } else {
    ArgIov(info, 1, "buffers", owned, true, &op->bufs, &op->iov);
    op->fresh = owned;
  }
  return op;
}

std::unique_ptr<Op> MakePoll(const Napi::CallbackInfo& info, bool) {
  Napi::Env env = info.Env();
  auto op = std::make_unique<PollOp>();
  // poll(2) takes at most RLIMIT_NOFILE entries (EINVAL beyond); this
  // bound only keeps the copy finite.
  Napi::Array a = ArgArray(info, 0, "fds", 1u << 20);
  op->fds.resize(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    std::string at = "fds[" + std::to_string(k) + "]";
    if (!v.IsObject()) ThrowTypeError(env, at + " must be an object { fd, events }");
    Napi::Object o = v.As<Napi::Object>();
    Napi::Value fd = o.Get("fd"), events = o.Get("events");
    if (!fd.IsNumber() || !events.IsNumber()) ThrowTypeError(env, at + ".fd and .events must be integers");
    double f = fd.As<Napi::Number>().DoubleValue(), e = events.As<Napi::Number>().DoubleValue();
    if (!(f >= INT32_MIN && f <= INT32_MAX && f == std::trunc(f))) ThrowRangeError(env, at + ".fd must be a 32-bit integer");
    if (!(e >= INT16_MIN && e <= UINT16_MAX && e == std::trunc(e))) ThrowRangeError(env, at + ".events must be a 16-bit integer");
    op->fds[k].fd = static_cast<int>(f);
    op->fds[k].events = static_cast<short>(static_cast<int>(e));
    op->fds[k].revents = 0;
  }
  op->timeout = ArgInt32(info, 1, "timeout");
  return op;
}

}  // namespace sockcall
