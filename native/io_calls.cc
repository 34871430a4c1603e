// Sending and receiving, in both forms. Argument layout:
//   send(fd, data, flags)                                -> nbytes
//   sendto(fd, data, flags, address | null)              -> nbytes
//   sendmsg(fd, buffers, control, flags, address | null) -> nbytes
//   recv(fd, buffer | size, flags)                       -> nbytes | [Buffer, nbytes]
//   recvfrom(fd, buffer | size, flags, addrlen | null)   -> [nbytes | [Buffer, nbytes], address]
//   recvmsg(fd, buffers | size, controllen, flags, namelen | null)
//                                     -> [nbytes | [Buffer, nbytes], address, control, msg_flags]
//   recvmmsg(fd, [buffers...], [controllen...], [namelen | null...], flags, timeout | null)
//                                     -> [[nbytes | [Buffer, nbytes], address, control, msg_flags]...]
//   sendmmsg(fd, [buffers...], [control...], [address | null...], flags) -> messages sent
//   sendfile(out_fd, in_fd, offset | null, count)        -> nbytes
// A size instead of a buffer asks for a new Buffer of exactly the bytes
// received; a Promise-form receive always gets one (args.h, Target).
#include "calls.h"
#include "sockaddr.h"
#include "trace.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/sendfile.h>

#include <cmath>
#include <cstring>

namespace sockcall {
namespace {

using trace::Int;

// What a receive put in its buffer. With MSG_TRUNC the kernel returns a
// datagram's full length, which may be more than the buffer held
// (udp(7), "MSG_TRUNC"): the bytes are never more than the buffer's size.
size_t Stored(const Memory& m, long ret) {
  size_t n = ret < 0 ? 0 : static_cast<size_t>(ret);
  return n < m.len ? n : m.len;
}

// A receive's buffer as strace shows it: the bytes received, or the
// pointer when the call failed.
std::string TraceReceived(const Memory& m, long ret) {
  return ret >= 0 ? trace::Str(m.data, Stored(m, ret)) : trace::Ptr(m.data);
}

// The kernel's count, or the bytes received as a new Buffer with the count
// beside them (with MSG_TRUNC the count can be larger).
Napi::Value Received(Napi::Env env, Target& t, long n, const char* syscall) {
  t.CopyOut(env, Stored(t.mem, n), syscall);
  if (!t.new_buffer) return Napi::Number::New(env, static_cast<double>(n));
  return MakePair(env, Napi::Buffer<char>::Copy(env, t.mem.data, Stored(t.mem, n)),
                  Napi::Number::New(env, static_cast<double>(n)));
}

Napi::Value Count(Napi::Env env, long ret) { return Napi::Number::New(env, static_cast<double>(ret)); }

class SendOp : public Op {
 public:
  Readiness WaitsFor() const override { return kWritable; }
  Memory data;
  int flags = 0;
  void Parse(const Args& info, bool own) override {
    fd = ArgFd(info, 0);
    flags = ArgInt32(info, 2, "flags");
    ArgData(info, 1, "data", own, &data);
  }
  void Run() override { ret = send(fd, data.data, data.len, flags); err = errno; }
  Napi::Value Result(Napi::Env env) override { return Count(env, ret); }
  const char* Name() const override { return "send"; }
  // send(2) is sendto(2) with no address to the kernel (glibc makes it so).
  std::string Trace() const override {
    return "sendto(" + Int(fd) + ", " + trace::Str(data.data, data.len) + ", " + Int(static_cast<long>(data.len)) +
           ", " + trace::MsgFlags(flags) + ", NULL, 0)";
  }
};

class SendtoOp : public SendOp {
 public:
  bool has_addr = false;
  Sockaddr addr;
  void Parse(const Args& info, bool own) override {
    fd = ArgFd(info, 0);
    flags = ArgInt32(info, 2, "flags");
    // The address first: its getters may run JavaScript, which could detach
    // or shrink the data's buffer. Nothing runs JavaScript after ArgData.
    if (!info[3].IsNull() && !info[3].IsUndefined()) {
      has_addr = true;
      ParseSockaddr(info.Env(), info[3], "address", &addr);
    }
    ArgData(info, 1, "data", own, &data);
  }
  void Run() override {
    ret = sendto(fd, data.data, data.len, flags, has_addr ? addr.sa() : nullptr, has_addr ? addr.len : 0);
    err = errno;
  }
  const char* Name() const override { return "sendto"; }
  std::string Trace() const override {
    return "sendto(" + Int(fd) + ", " + trace::Str(data.data, data.len) + ", " + Int(static_cast<long>(data.len)) +
           ", " + trace::MsgFlags(flags) + ", " +
           (has_addr ? trace::Sockaddr(addr.sa(), addr.len) + ", " + Int(addr.len) : std::string("NULL, 0")) + ")";
  }
};

// Control messages to send, laid out as CPython lays them: each takes
// CMSG_SPACE(len) bytes, and msg_controllen is their sum.
struct ControlOut {
  std::unique_ptr<char[]> buf;
  size_t len = 0;
  // Whether an SCM_RIGHTS message among them passes descriptor f. The
  // layout is ours (ArgControl), so each message lies within the buffer.
  bool Passes(int f) const {
    size_t at = 0;
    while (at + CMSG_LEN(0) <= len) {
      const auto* c = reinterpret_cast<const cmsghdr*>(buf.get() + at);
      size_t data = c->cmsg_len - CMSG_LEN(0);
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        for (size_t k = 0; k + sizeof(int) <= data; k += sizeof(int)) {
          int passed;
          memcpy(&passed, CMSG_DATA(c) + k, sizeof passed);
          if (passed == f) return true;
        }
      }
      at += CMSG_SPACE(data);
    }
    return false;
  }
};

void ValueControl(Napi::Env env, Napi::Value v, const std::string& name, ControlOut* out) {
  if (!v.IsArray()) ThrowTypeError(env, name + " must be an array");
  Napi::Array control = v.As<Napi::Array>();
  if (control.Length() > 65536) ThrowRangeError(env, name + " has more than 65536 entries");
  // Each message's data is copied as soon as it is read: reading the next
  // message may run JavaScript.
  struct Message { int level, type; std::string data; };
  std::vector<Message> messages;
  size_t total = 0;
  for (uint32_t k = 0; k < control.Length(); k++) {
    Napi::Value v = control.Get(k);
    std::string at = name + "[" + std::to_string(k) + "]";
    if (!v.IsObject()) ThrowTypeError(env, at + " must be an object { level, type, data }");
    Napi::Object o = v.As<Napi::Object>();
    int level = static_cast<int>(FieldInt(env, o, "level", at, INT32_MIN, INT32_MAX));
    int type = static_cast<int>(FieldInt(env, o, "type", at, INT32_MIN, INT32_MAX));
    Bytes d;
    if (!ToBytes(o.Get("data"), &d)) ThrowTypeError(env, at + ".data must be a Buffer");
    total += CMSG_SPACE(d.len);
    if (d.len > (1u << 20) || total > (1u << 20)) ThrowRangeError(env, "control holds more than 1 MiB of control messages");
    messages.push_back({level, type, std::string(d.data == nullptr ? "" : d.data, d.len)});
  }
  if (total == 0) return;
  out->buf.reset(new char[total]());
  out->len = total;
  char* p = out->buf.get();
  for (const Message& m : messages) {
    auto* c = reinterpret_cast<cmsghdr*>(p);
    c->cmsg_level = m.level;
    c->cmsg_type = m.type;
    c->cmsg_len = CMSG_LEN(m.data.size());
    if (!m.data.empty()) memcpy(CMSG_DATA(c), m.data.data(), m.data.size());
    p += CMSG_SPACE(m.data.size());
  }
}

void ArgControl(const Args& info, size_t i, ControlOut* out) { ValueControl(info.Env(), info[i], "control", out); }

class SendmsgOp : public Op {
 public:
  Readiness WaitsFor() const override { return kWritable; }
  std::vector<Memory> bufs;
  std::vector<iovec> iov;
  ControlOut control;
  bool has_addr = false;
  Sockaddr addr;
  int flags = 0;
  msghdr msg{};
  void Parse(const Args& info, bool own) override {
    fd = ArgFd(info, 0);
    // Control messages first: they only read their arguments, and the iov
    // copies (own) are the larger allocation.
    ArgControl(info, 2, &control);
    flags = ArgInt32(info, 3, "flags");
    if (!info[4].IsNull() && !info[4].IsUndefined()) {
      has_addr = true;
      ParseSockaddr(info.Env(), info[4], "address", &addr);
    }
    ArgIov(info, 1, "buffers", own, false, &bufs, &iov);
  }
  void Run() override {
    msg = msghdr{};
    msg.msg_name = has_addr ? addr.sa() : nullptr;
    msg.msg_namelen = has_addr ? addr.len : 0;
    msg.msg_iov = iov.empty() ? nullptr : iov.data();
    msg.msg_iovlen = iov.size();
    msg.msg_control = control.len ? control.buf.get() : nullptr;
    msg.msg_controllen = control.len;
    ret = sendmsg(fd, &msg, flags);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override { return Count(env, ret); }
  const char* Name() const override { return "sendmsg"; }
  // The numbers in SCM_RIGHTS are the kernel's to resolve, inside sendmsg(2)
  // (scm_fp_copy(), net/core/scm.c): close() of one of them must end this
  // call first, or the peer could be handed whatever file took the number.
  bool Uses(int f) const override { return f >= 0 && (f == fd || control.Passes(f)); }
  std::string Trace() const override {
    return "sendmsg(" + Int(fd) + ", " + trace::Msghdr(&msg, msg.msg_namelen, control.len, ret, false) + ", " +
           trace::MsgFlags(flags) + ")";
  }
};

class RecvOp : public Op {
 public:
  Readiness WaitsFor() const override { return kReadable; }
  Target target;
  int flags = 0;
  void Parse(const Args& info, bool own) override {
    fd = ArgFd(info, 0);
    flags = ArgInt32(info, 2, "flags");
    ArgTarget(info, 1, "buffer", own, &target, /*on_stack=*/true);
  }
  void Run() override {
    ret = target.Receive([&](char* room) {
      long r = recv(fd, room, target.mem.len, flags);
      err = errno;
      return r;
    });
  }
  Napi::Value Result(Napi::Env env) override { return Received(env, target, ret, Name()); }
  void Settled(Napi::Env env) override { target.Forget(env); }
  const char* Name() const override { return "recv"; }
  // recv(2) is recvfrom(2) with no address to the kernel.
  std::string Trace() const override {
    return "recvfrom(" + Int(fd) + ", " + TraceReceived(target.mem, target.dropped ? -1 : ret) + ", " + Int(static_cast<long>(target.mem.len)) +
           ", " + trace::MsgFlags(flags) + ", NULL, NULL)";
  }
};

class RecvfromOp : public RecvOp {
 public:
  NameOut name;
  void Parse(const Args& info, bool own) override {
    fd = ArgFd(info, 0);
    flags = ArgInt32(info, 2, "flags");
    name.want = ArgAddrlen(info, 3, "addrlen", &name.given);
    ArgTarget(info, 1, "buffer", own, &target, /*on_stack=*/true);
  }
  void Run() override {
    name.Arm();
    ret = target.Receive([&](char* room) {
      long r = recvfrom(fd, room, target.mem.len, flags, name.ptr(), name.lenp());
      err = errno;
      return r;
    });
  }
  Napi::Value Result(Napi::Env env) override {
    return name.Pair(env, Received(env, target, ret, Name()));
  }
  // Into a caller's buffer: the count and an IPv4 sender in the addon's
  // sync_result (addon.h), any other address as the return value.
  Napi::Value SyncResult(Napi::Env env) override {
    if (target.new_buffer) return Result(env);
    double* out = GetData(env)->shared.sync_result;
    out[0] = static_cast<double>(ret);
    uint32_t addr;
    uint16_t port;
    if (name.Ipv4(&addr, &port)) {
      out[1] = AF_INET;
      out[2] = addr;
      out[3] = port;
      return env.Undefined();
    }
    out[1] = 0;
    return name.Make(env);
  }
  // Into a caller's buffer from an IPv4 sender: a number, the sender in a
  // slot (addon.h, AddonData::Shared). A count the number cannot carry
  // (2^32 or more: a buffer is at most kMaxOwned) takes the array.
  Napi::Value Delivered(Napi::Env env) override {
    uint32_t addr;
    uint16_t port;
    if (target.new_buffer || static_cast<double>(ret) >= AddonData::kSlotScale || !name.Ipv4(&addr, &port)) {
      return Result(env);
    }
    AddonData* d = GetData(env);
    size_t k;
    double* slot = d->ClaimSlot(&k);
    if (slot == nullptr) return Result(env);
    // First, as Result(): a buffer that shrank throws, and the slot stays free.
    target.CopyOut(env, Stored(target.mem, ret), Name());
    slot[0] = AF_INET;
    slot[1] = addr;
    slot[2] = port;
    return Napi::Number::New(env, static_cast<double>(k) * AddonData::kSlotScale + static_cast<double>(ret));
  }
  const char* Name() const override { return "recvfrom"; }
  std::string Trace() const override {
    return "recvfrom(" + Int(fd) + ", " + TraceReceived(target.mem, target.dropped ? -1 : ret) + ", " + Int(static_cast<long>(target.mem.len)) +
           ", " + trace::MsgFlags(flags) + ", " + name.Trace(ret >= 0) + ")";
  }
};

// One message to receive (recvmsg's, or one of recvmmsg's): its buffers,
// the room for its sender's address and for its control messages, and what
// the kernel wrote there.
struct ReceivedMsg {
  std::vector<Memory> bufs;
  std::vector<iovec> iov;
  bool new_buffer = false;
  std::unique_ptr<char[]> control;
  size_t controllen = 0;
  size_t controllen_out = 0;
  int msg_flags = 0;
  NameOut name;
  // Fills hdr for the call; `After` reads back what the kernel wrote.
  void Arm(msghdr* hdr) {
    name.Arm();
    *hdr = msghdr{};
    hdr->msg_name = name.ptr();
    hdr->msg_namelen = name.want ? name.sa.len : 0;
    hdr->msg_iov = iov.empty() ? nullptr : iov.data();
    hdr->msg_iovlen = iov.size();
    hdr->msg_control = controllen ? control.get() : nullptr;
    hdr->msg_controllen = controllen;
  }
  void After(const msghdr& hdr) {
    if (name.want) name.sa.len = hdr.msg_namelen;
    controllen_out = hdr.msg_controllen;
    msg_flags = hdr.msg_flags;
  }
  // The bytes received, gathered from the iov in order (never more than the
  // iov holds: with MSG_TRUNC, n is the datagram's full length), with n
  // beside them.
  Napi::Value Gathered(Napi::Env env, long n) const {
    size_t room = 0;
    for (const Memory& m : bufs) room += m.len;
    size_t total = static_cast<size_t>(n) < room ? static_cast<size_t>(n) : room;
    Napi::Buffer<char> out = Napi::Buffer<char>::New(env, total);
    size_t at = 0;
    for (const Memory& m : bufs) {
      size_t k = m.len < total - at ? m.len : total - at;
      if (k > 0) memcpy(out.Data() + at, m.data, k);
      at += k;
    }
    return MakePair(env, out, Count(env, n));
  }
  // The control messages the kernel wrote, walked with CMSG_FIRSTHDR and
  // CMSG_NXTHDR (cmsg(3)); a message cut short by MSG_CTRUNC is given with
  // the bytes that fit, as CPython's recvmsg does.
  Napi::Array ControlIn(Napi::Env env) const {
    Napi::Array cmsgs = Napi::Array::New(env);
    if (controllen_out == 0) return cmsgs;
    msghdr m{};
    m.msg_control = control.get();
    m.msg_controllen = controllen_out < controllen ? controllen_out : controllen;
    uint32_t i = 0;
    char* end = control.get() + m.msg_controllen;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
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
    return cmsgs;
  }
  // [nbytes | [Buffer, nbytes], address, control, msg_flags]
  Napi::Value Make(Napi::Env env, long n) const {
    Napi::Array a = Napi::Array::New(env, 4);
    a.Set(0u, new_buffer ? Gathered(env, n) : Count(env, n));
    a.Set(1u, name.Make(env));
    a.Set(2u, ControlIn(env));
    a.Set(3u, Napi::Number::New(env, msg_flags));
    return a;
  }
  void SetControl(size_t n) {
    controllen = n;
    if (controllen > 0) control.reset(new char[controllen]());
  }
};

class RecvmsgOp : public Op {
 public:
  Readiness WaitsFor() const override { return kReadable; }
  ReceivedMsg m;
  int flags = 0;
  msghdr msg{};
  void Parse(const Args& info, bool own) override {
    fd = ArgFd(info, 0);
    m.SetControl(ArgLength(info, 2, "controllen", 1u << 20));
    flags = ArgInt32(info, 3, "flags");
    m.name.want = ArgAddrlen(info, 4, "namelen", &m.name.given);
    if (info[1].IsNumber()) {
      Target t;
      ArgTarget(info, 1, "buffers", true, &t);
      m.new_buffer = true;
      m.bufs.resize(1);
      m.bufs[0] = std::move(t.mem);
      m.iov.resize(1);
      m.iov[0].iov_base = m.bufs[0].data;
      m.iov[0].iov_len = m.bufs[0].len;
    } else {
      ArgIov(info, 1, "buffers", own, true, &m.bufs, &m.iov);
      m.new_buffer = own;
    }
  }
  void Run() override {
    m.Arm(&msg);
    ret = recvmsg(fd, &msg, flags);
    err = errno;
    m.After(msg);
  }
  Napi::Value Result(Napi::Env env) override { return m.Make(env, ret); }
  const char* Name() const override { return "recvmsg"; }
  std::string Trace() const override {
    return "recvmsg(" + Int(fd) + ", " + trace::Msghdr(&msg, m.name.want ? m.name.given : 0, m.controllen, ret, true) +
           ", " + trace::MsgFlags(flags) + ")";
  }
};

// recvmmsg(2) and sendmmsg(2): many messages in one call (no Python
// counterpart; sys only). recvmmsg's timeout is checked only after each
// datagram (recvmmsg(2), BUGS): a call with none waiting blocks whatever it
// says, unless MSG_DONTWAIT or MSG_WAITFORONE with one received.
constexpr uint32_t kMaxMmsg = 1024;  // UIO_MAXIOV, the kernel's own cap on vlen

// strace prints a vector of messages as their first 32 (-s 32), then "...".
template <class F>
std::string Vector(size_t n, F each) {
  std::string out = "[";
  for (size_t i = 0; i < n && i < 32; i++) out += (i ? ", " : "") + each(i);
  if (n > 32) out += ", ...";
  return out + "]";
}

class RecvmmsgOp : public Op {
 public:
  Readiness WaitsFor() const override { return kReadable; }
  std::vector<ReceivedMsg> msgs;
  std::vector<mmsghdr> vec;
  int flags = 0;
  bool has_timeout = false;
  timespec timeout{}, timeout_in{};
  void Parse(const Args& info, bool own) override {
    Napi::Env env = info.Env();
    fd = ArgFd(info, 0);
    Napi::Array iovs = ArgArray(info, 1, "msgs", kMaxMmsg);
    Napi::Array controllens = ArgArray(info, 2, "controllens", kMaxMmsg);
    Napi::Array namelens = ArgArray(info, 3, "namelens", kMaxMmsg);
    uint32_t n = iovs.Length();
    if (controllens.Length() != n || namelens.Length() != n) ThrowTypeError(env, "msgs, controllens and namelens differ in length");
    flags = ArgInt32(info, 4, "flags");
    if (!info[5].IsNull() && !info[5].IsUndefined()) {
      has_timeout = true;
      if (!info[5].IsObject()) ThrowTypeError(env, "timeout must be { tv_sec, tv_nsec } or null");
      Napi::Object t = info[5].As<Napi::Object>();
      timeout.tv_sec = static_cast<time_t>(FieldInt(env, t, "tv_sec", "timeout", 0, 9007199254740991.0));
      timeout.tv_nsec = static_cast<long>(FieldInt(env, t, "tv_nsec", "timeout", 0, 999999999));
    }
    msgs.resize(n);
    for (uint32_t i = 0; i < n; i++) {
      std::string at = "msgs[" + std::to_string(i) + "]";
      ReceivedMsg& m = msgs[i];
      Napi::Value len = controllens.Get(i);
      if (!len.IsNumber()) ThrowTypeError(env, "controllens[" + std::to_string(i) + "] must be a number");
      double c = len.As<Napi::Number>().DoubleValue();
      if (!(c >= 0 && c <= (1u << 20)) || c != std::floor(c)) ThrowRangeError(env, "controllens[" + std::to_string(i) + "] must be 0 to 1048576");
      m.SetControl(static_cast<size_t>(c));
      Napi::Value nl = namelens.Get(i);
      if (!nl.IsNull() && !nl.IsUndefined()) {
        if (!nl.IsNumber()) ThrowTypeError(env, "namelens[" + std::to_string(i) + "] must be a number or null");
        double v = nl.As<Napi::Number>().DoubleValue();
        if (!(v >= 0 && v <= sizeof(sockaddr_storage)) || v != std::floor(v)) {
          ThrowRangeError(env, "namelens[" + std::to_string(i) + "] must be 0 to " + std::to_string(sizeof(sockaddr_storage)));
        }
        m.name.want = true;
        m.name.given = static_cast<socklen_t>(v);
      }
      ValueIov(env, iovs.Get(i), at, own, true, &m.bufs, &m.iov);
      m.new_buffer = own;
    }
    vec.resize(n);
  }
  void Run() override {
    for (size_t i = 0; i < msgs.size(); i++) {
      vec[i] = mmsghdr{};
      msgs[i].Arm(&vec[i].msg_hdr);
    }
    timeout_in = timeout;
    ret = recvmmsg(fd, vec.empty() ? nullptr : vec.data(), static_cast<unsigned>(vec.size()), flags,
                   has_timeout ? &timeout : nullptr);
    err = errno;
    for (long i = 0; i < ret; i++) msgs[i].After(vec[i].msg_hdr);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, static_cast<size_t>(ret));
    for (long i = 0; i < ret; i++) out.Set(static_cast<uint32_t>(i), msgs[i].Make(env, vec[i].msg_len));
    return out;
  }
  const char* Name() const override { return "recvmmsg"; }
  static std::string Timespec(const timespec& t) {
    return "{tv_sec=" + Int(static_cast<long>(t.tv_sec)) + ", tv_nsec=" + Int(t.tv_nsec) + "}";
  }
  std::string Trace() const override {
    std::string v = ret < 0 ? trace::Ptr(vec.data())
                            : Vector(static_cast<size_t>(ret), [&](size_t i) {
                                const ReceivedMsg& m = msgs[i];
                                return "{msg_hdr=" + trace::Msghdr(&vec[i].msg_hdr, m.name.want ? m.name.given : 0,
                                                                   m.controllen, vec[i].msg_len, true) +
                                       ", msg_len=" + Int(static_cast<long>(vec[i].msg_len)) + "}";
                              });
    return "recvmmsg(" + Int(fd) + ", " + v + ", " + Int(static_cast<long>(vec.size())) + ", " + trace::MsgFlags(flags) +
           ", " + (has_timeout ? Timespec(timeout_in) : std::string("NULL")) + ")";
  }
  // strace: "= 2 (left {tv_sec=0, tv_nsec=998898})" when a timeout was given.
  std::string TraceSuffix() const override { return has_timeout ? " (left " + Timespec(timeout) + ")" : ""; }
};

class SendmmsgOp : public Op {
 public:
  Readiness WaitsFor() const override { return kWritable; }
  struct Message {
    std::vector<Memory> bufs;
    std::vector<iovec> iov;
    ControlOut control;
    bool has_addr = false;
    Sockaddr addr;
  };
  std::vector<Message> msgs;
  std::vector<mmsghdr> vec;
  int flags = 0;
  void Parse(const Args& info, bool own) override {
    Napi::Env env = info.Env();
    fd = ArgFd(info, 0);
    Napi::Array iovs = ArgArray(info, 1, "msgs", kMaxMmsg);
    Napi::Array controls = ArgArray(info, 2, "controls", kMaxMmsg);
    Napi::Array names = ArgArray(info, 3, "names", kMaxMmsg);
    uint32_t n = iovs.Length();
    if (controls.Length() != n || names.Length() != n) ThrowTypeError(env, "msgs, controls and names differ in length");
    flags = ArgInt32(info, 4, "flags");
    msgs.resize(n);
    for (uint32_t i = 0; i < n; i++) {
      std::string at = "msgs[" + std::to_string(i) + "]";
      Message& m = msgs[i];
      ValueControl(env, controls.Get(i), at + ".control", &m.control);
      Napi::Value name = names.Get(i);
      if (!name.IsNull() && !name.IsUndefined()) {
        m.has_addr = true;
        ParseSockaddr(env, name, (at + ".name").c_str(), &m.addr);
      }
      ValueIov(env, iovs.Get(i), at + ".iov", own, false, &m.bufs, &m.iov);
    }
    vec.resize(n);
  }
  void Run() override {
    for (size_t i = 0; i < msgs.size(); i++) {
      Message& m = msgs[i];
      vec[i] = mmsghdr{};
      msghdr& h = vec[i].msg_hdr;
      h.msg_name = m.has_addr ? m.addr.sa() : nullptr;
      h.msg_namelen = m.has_addr ? m.addr.len : 0;
      h.msg_iov = m.iov.empty() ? nullptr : m.iov.data();
      h.msg_iovlen = m.iov.size();
      h.msg_control = m.control.len ? m.control.buf.get() : nullptr;
      h.msg_controllen = m.control.len;
    }
    ret = sendmmsg(fd, vec.empty() ? nullptr : vec.data(), static_cast<unsigned>(vec.size()), flags);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override { return Count(env, ret); }
  const char* Name() const override { return "sendmmsg"; }
  // As sendmsg's: the fds in SCM_RIGHTS are resolved inside the call.
  bool Uses(int f) const override {
    if (f < 0) return false;
    if (f == fd) return true;
    for (const Message& m : msgs) if (m.control.Passes(f)) return true;
    return false;
  }
  // Every message, with its msg_len once sent (strace shows it for the
  // ones the call sent).
  std::string Trace() const override {
    std::string v = Vector(vec.size(), [&](size_t i) {
      std::string e = "{msg_hdr=" + trace::Msghdr(&vec[i].msg_hdr, vec[i].msg_hdr.msg_namelen, msgs[i].control.len, ret,
                                                  false);
      if (ret >= 0 && static_cast<long>(i) < ret) e += ", msg_len=" + Int(static_cast<long>(vec[i].msg_len));
      return e + "}";
    });
    return "sendmmsg(" + Int(fd) + ", " + v + ", " + Int(static_cast<long>(vec.size())) + ", " + trace::MsgFlags(flags) + ")";
  }
};

// sendfile(2): count bytes of in_fd (a file) to the socket, from offset
// (in_fd's own position is left alone then) or from in_fd's position.
class SendfileOp : public Op {
 public:
  Readiness WaitsFor() const override { return kWritable; }
  int in_fd = -1;
  bool has_offset = false;
  off_t offset = 0, offset_in = 0;
  size_t count = 0;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    in_fd = ArgInt32(info, 1, "in_fd");
    if (!info[2].IsNull() && !info[2].IsUndefined()) {
      has_offset = true;
      offset = static_cast<off_t>(ArgLength(info, 2, "offset", size_t{1} << 53));
    }
    count = ArgLength(info, 3, "count", 0x7ffff000);  // the most sendfile(2) moves at once
  }
  void Run() override {
    offset_in = offset;
    ret = sendfile(fd, in_fd, has_offset ? &offset : nullptr, count);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override { return Count(env, ret); }
  const char* Name() const override { return "sendfile"; }
  // The offset as strace shows an in-out argument: "[5] => [25]" once moved.
  std::string Trace() const override {
    std::string off = "NULL";
    if (has_offset) off = "[" + Int(offset_in) + "]" + (offset != offset_in ? " => [" + Int(offset) + "]" : "");
    return "sendfile(" + Int(fd) + ", " + Int(in_fd) + ", " + off + ", " + Int(static_cast<long>(count)) + ")";
  }
  bool Uses(int f) const override { return f >= 0 && (f == fd || f == in_fd); }
};

constexpr Entry kRows[] = {
    Blocking<SendOp>("send"),
    Blocking<SendtoOp>("sendto"),
    Blocking<SendmsgOp>("sendmsg"),
    Blocking<RecvOp>("recv"),
    Blocking<RecvfromOp>("recvfrom"),
    Blocking<RecvmsgOp>("recvmsg"),
    Blocking<RecvmmsgOp>("recvmmsg"),
    Blocking<SendmmsgOp>("sendmmsg"),
    Blocking<SendfileOp>("sendfile"),
};

}  // namespace

const Table kIoCalls = TableOf(kRows);

}  // namespace sockcall
