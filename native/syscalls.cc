// The synchronous functions: the calls that never block, and the ...Sync
// form of those that can, made on the calling thread.
#include "ops.h"
#include "trace.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netdb.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <new>
#include <linux/errqueue.h>

namespace sockcall {

// close() must first end calls pending on the fd (async.cc).
void EndPendingCallsOn(int fd);

namespace {

using trace::Int;

// Times a call for the tracer; nothing when tracing is off.
struct Timed {
  timespec t0{};
  Timed() {
    if (trace::enabled) trace::Now(&t0);
  }
  template <typename F>
  void Emit(long ret, int err, F call, const std::string& suffix = "") const {
    if (!trace::enabled) return;
    timespec t1;
    trace::Now(&t1);
    trace::Emit(call(), ret, err, t0, t1, suffix);
  }
};

Napi::Value Socket(const Napi::CallbackInfo& info) {
  int domain = ArgInt32(info, 0, "domain");
  int type = ArgInt32(info, 1, "type");
  int protocol = ArgInt32(info, 2, "protocol");
  Timed t;
  int fd = socket(domain, type, protocol);
  int err = errno;
  t.Emit(fd, err, [&] {
    return "socket(" + trace::Domain(domain) + ", " + trace::Type(type) + ", " + trace::Protocol(domain, protocol) + ")";
  });
  if (fd < 0) ThrowErrno(info.Env(), err, "socket");
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value Socketpair(const Napi::CallbackInfo& info) {
  int domain = ArgInt32(info, 0, "domain");
  int type = ArgInt32(info, 1, "type");
  int protocol = ArgInt32(info, 2, "protocol");
  int sv[2] = {-1, -1};
  Timed t;
  int r = socketpair(domain, type, protocol, sv);
  int err = errno;
  t.Emit(r, err, [&] {
    return "socketpair(" + trace::Domain(domain) + ", " + trace::Type(type) + ", " + trace::Protocol(domain, protocol) +
           ", " + (r < 0 ? trace::Ptr(sv) : "[" + Int(sv[0]) + ", " + Int(sv[1]) + "]") + ")";
  });
  if (r < 0) ThrowErrno(info.Env(), err, "socketpair");
  return MakePair(info.Env(), Napi::Number::New(info.Env(), sv[0]), Napi::Number::New(info.Env(), sv[1]));
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  Sockaddr addr;
  ParseSockaddr(info.Env(), info[1], "address", &addr);
  Timed t;
  int r = bind(fd, addr.sa(), addr.len);
  int err = errno;
  t.Emit(r, err, [&] { return "bind(" + Int(fd) + ", " + trace::Sockaddr(addr.sa(), addr.len) + ", " + Int(addr.len) + ")"; });
  if (r < 0) ThrowErrno(info.Env(), err, "bind");
  return info.Env().Undefined();
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int backlog = ArgInt32(info, 1, "backlog");
  Timed t;
  int r = listen(fd, backlog);
  int err = errno;
  t.Emit(r, err, [&] { return "listen(" + Int(fd) + ", " + Int(backlog) + ")"; });
  if (r < 0) ThrowErrno(info.Env(), err, "listen");
  return info.Env().Undefined();
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  int how = ArgInt32(info, 1, "how");
  Timed t;
  int r = shutdown(fd, how);
  int err = errno;
  t.Emit(r, err, [&] { return "shutdown(" + Int(fd) + ", " + trace::Shut(how) + ")"; });
  if (r < 0) ThrowErrno(info.Env(), err, "shutdown");
  return info.Env().Undefined();
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  // A call pending on another thread would otherwise go on using the fd
  // number after it has been closed and perhaps reused for another file.
  EndPendingCallsOn(fd);
  Timed t;
  int r = close(fd);
  int err = errno;
  t.Emit(r, err, [&] { return "close(" + Int(fd) + ")"; });
  if (r < 0) ThrowErrno(info.Env(), err, "close");
  return info.Env().Undefined();
}

Napi::Value GetName(const Napi::CallbackInfo& info, bool peer) {
  int fd = ArgFd(info, 0);
  uint32_t given = ArgUint32(info, 1, "addrlen");
  if (given > sizeof(sockaddr_storage)) {
    ThrowRangeError(info.Env(), "addrlen must be from 0 to " + std::to_string(sizeof(sockaddr_storage)) +
                    " (sizeof(struct sockaddr_storage)), got " + std::to_string(given));
  }
  Sockaddr addr;
  memset(&addr.ss, 0, sizeof addr.ss);
  addr.len = given;
  Timed t;
  int r = peer ? getpeername(fd, addr.sa(), &addr.len) : getsockname(fd, addr.sa(), &addr.len);
  int err = errno;
  t.Emit(r, err, [&] {
    return std::string(peer ? "getpeername(" : "getsockname(") + Int(fd) + ", " +
           trace::SockaddrOut(addr.sa(), given, addr.len, r == 0) + ", " + trace::Socklen(given, addr.len, r == 0) + ")";
  });
  if (r < 0) ThrowErrno(info.Env(), err, peer ? "getpeername" : "getsockname");
  return MakeSockaddr(info.Env(), addr.sa(), addr.len < given ? addr.len : given);
}

Napi::Value Getsockname(const Napi::CallbackInfo& info) { return GetName(info, false); }
Napi::Value Getpeername(const Napi::CallbackInfo& info) { return GetName(info, true); }

std::string TraceGetsockopt(int fd, int level, int optname, const void* val, socklen_t given, socklen_t got, bool ok) {
  return "getsockopt(" + Int(fd) + ", " + trace::Level(level) + ", " + trace::Optname(level, optname) + ", " +
         (ok ? trace::Optval(level, optname, val, got < given ? got : given) : trace::Ptr(val)) + ", " +
         trace::Socklen(given, got, ok) + ")";
}

// getsockopt(fd, level, optname, optlen | null): with null, an int option
// (the int CPython's getsockopt(level, optname) reads); with a length, the
// raw bytes the kernel wrote, as a Buffer of the length it reported.
Napi::Value Getsockopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int level = ArgInt32(info, 1, "level");
  int optname = ArgInt32(info, 2, "optname");
  if (info[3].IsNull() || info[3].IsUndefined()) {
    int value = 0;
    socklen_t len = sizeof value;
    Timed t;
    int r = getsockopt(fd, level, optname, &value, &len);
    int err = errno;
    t.Emit(r, err, [&] { return TraceGetsockopt(fd, level, optname, &value, sizeof value, len, r == 0); });
    if (r < 0) ThrowErrno(env, err, "getsockopt");
    return Napi::Number::New(env, value);
  }
  size_t optlen = ArgLength(info, 3, "optlen", 1u << 20);
  std::unique_ptr<char[]> buf(new char[optlen == 0 ? 1 : optlen]());
  socklen_t len = static_cast<socklen_t>(optlen);
  Timed t;
  int r = getsockopt(fd, level, optname, buf.get(), &len);
  int err = errno;
  t.Emit(r, err, [&] {
    return TraceGetsockopt(fd, level, optname, buf.get(), static_cast<socklen_t>(optlen), len, r == 0);
  });
  if (r < 0) ThrowErrno(env, err, "getsockopt");
  size_t n = len < optlen ? len : optlen;
  return Napi::Buffer<char>::Copy(env, buf.get(), n);
}

// setsockopt(fd, level, optname, value, optlen):
//   value an integer: a 4-byte int, as CPython passes one;
//   value a buffer: its bytes (optlen may not exceed them);
//   value null: a NULL pointer with optlen (CPython's setsockopt(l, o, None, n)).
Napi::Value Setsockopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int level = ArgInt32(info, 1, "level");
  int optname = ArgInt32(info, 2, "optname");
  Napi::Value v = info[3];
  int value = 0;
  const void* optval;
  socklen_t optlen;
  if (v.IsNumber()) {
    value = ArgInt32(info, 3, "value");
    optval = &value;
    optlen = sizeof value;
  } else if (v.IsNull()) {
    optval = nullptr;
    optlen = ArgUint32(info, 4, "optlen");
  } else {
    Bytes b = ArgBytes(info, 3, "value");
    optval = b.data;
    optlen = static_cast<socklen_t>(b.len);
    if (!info[4].IsUndefined() && !info[4].IsNull()) optlen = static_cast<socklen_t>(ArgLength(info, 4, "optlen", b.len));
  }
  Timed t;
  int r = setsockopt(fd, level, optname, optval, optlen);
  int err = errno;
  t.Emit(r, err, [&] {
    return "setsockopt(" + Int(fd) + ", " + trace::Level(level) + ", " + trace::Optname(level, optname) + ", " +
           trace::Optval(level, optname, optval, optlen) + ", " + Int(optlen) + ")";
  });
  if (r < 0) ThrowErrno(env, err, "setsockopt");
  return env.Undefined();
}

// ioctl(2) with the requests sockcall names, and no other: a request
// number from JavaScript passed through unchecked could, as root,
// reconfigure the machine (SIOCSIF*). Those named only read:
//   FIONBIO (value 0 or 1), FIONREAD -> count,
//   SIOCGIFINDEX (interface name) -> index, SIOCGIFNAME (index) -> name;
// the last two are what CPython asks of an AF_PACKET socket to convert its
// addresses (netdevice(7)).
Napi::Value Ioctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  uint32_t request = ArgUint32(info, 1, "request");
  if (request == SIOCGIFINDEX) {
    if (!info[2].IsString()) ThrowTypeError(env, "value must be an interface name for SIOCGIFINDEX");
    std::string name = info[2].As<Napi::String>().Utf8Value();
    ifreq ifr{};
    if (name.size() >= sizeof ifr.ifr_name || name.find('\0') != std::string::npos) {
      ThrowRangeError(env, "value must be an interface name shorter than IFNAMSIZ (" +
                      std::to_string(sizeof ifr.ifr_name) + ") without NUL characters");
    }
    memcpy(ifr.ifr_name, name.data(), name.size());
    Timed t;
    int r = ioctl(fd, SIOCGIFINDEX, &ifr);
    int err = errno;
    t.Emit(r, err, [&] {
      return "ioctl(" + Int(fd) + ", SIOCGIFINDEX, {ifr_name=" + trace::Str(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ)) +
             (r == 0 ? ", ifr_ifindex=" + Int(ifr.ifr_ifindex) : std::string()) + "})";
    });
    if (r < 0) ThrowErrno(env, err, "ioctl");
    return Napi::Number::New(env, ifr.ifr_ifindex);
  }
  if (request == SIOCGIFNAME) {
    ifreq ifr{};
    ifr.ifr_ifindex = ArgInt32(info, 2, "value");
    Timed t;
    int r = ioctl(fd, SIOCGIFNAME, &ifr);
    int err = errno;
    t.Emit(r, err, [&] {
      return "ioctl(" + Int(fd) + ", SIOCGIFNAME, {ifr_ifindex=" + Int(ifr.ifr_ifindex) +
             (r == 0 ? ", ifr_name=" + trace::Str(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ)) : std::string()) + "})";
    });
    if (r < 0) ThrowErrno(env, err, "ioctl");
    return Napi::String::New(env, ifr.ifr_name, strnlen(ifr.ifr_name, sizeof ifr.ifr_name));
  }
  if (request == FIONBIO) {
    int value = ArgInt32(info, 2, "value");
    Timed t;
    int r = ioctl(fd, FIONBIO, &value);
    int err = errno;
    t.Emit(r, err, [&] { return "ioctl(" + Int(fd) + ", FIONBIO, [" + Int(value) + "])"; });
    if (r < 0) ThrowErrno(env, err, "ioctl");
    return env.Undefined();
  }
  if (request == FIONREAD) {
    int value = 0;
    Timed t;
    int r = ioctl(fd, FIONREAD, &value);
    int err = errno;
    t.Emit(r, err, [&] { return "ioctl(" + Int(fd) + ", FIONREAD, " + (r == 0 ? "[" + Int(value) + "]" : trace::Ptr(&value)) + ")"; });
    if (r < 0) ThrowErrno(env, err, "ioctl");
    return Napi::Number::New(env, value);
  }
  ThrowRangeError(env, "request must be FIONBIO, FIONREAD, SIOCGIFINDEX or SIOCGIFNAME, got " + std::to_string(request));
}

// getaddrinfo(host | null, service | null, family, socktype, protocol, flags)
Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host, service;
  bool has_host = false, has_service = false;
  for (int k = 0; k < 2; k++) {
    Napi::Value v = info[k];
    if (v.IsNull() || v.IsUndefined()) continue;
    if (!v.IsString()) ThrowTypeError(env, std::string(k == 0 ? "host" : "service") + " must be a string or null");
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) {
      ThrowTypeError(env, std::string(k == 0 ? "host" : "service") + " must not contain a NUL character");
    }
    if (k == 0) { host = s; has_host = true; } else { service = s; has_service = true; }
  }
  addrinfo hints{};
  hints.ai_family = ArgInt32(info, 2, "family");
  hints.ai_socktype = ArgInt32(info, 3, "socktype");
  hints.ai_protocol = ArgInt32(info, 4, "protocol");
  hints.ai_flags = ArgInt32(info, 5, "flags");
  addrinfo* res = nullptr;
  errno = 0;
  int code = getaddrinfo(has_host ? host.c_str() : nullptr, has_service ? service.c_str() : nullptr, &hints, &res);
  if (code != 0) ThrowGaiError(env, code);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("family", Napi::Number::New(env, p->ai_family));
    o.Set("socktype", Napi::Number::New(env, p->ai_socktype));
    o.Set("protocol", Napi::Number::New(env, p->ai_protocol));
    o.Set("canonname", p->ai_canonname ? Napi::Value(Napi::String::New(env, p->ai_canonname)) : env.Null());
    o.Set("address", MakeSockaddr(env, p->ai_addr, p->ai_addrlen));
    out.Set(i++, o);
  }
  freeaddrinfo(res);
  return out;
}

// inet_pton(af, text) -> Buffer of 4 or 16 bytes, or null when text is not
// an address of that family (inet_pton(3) returned 0).
Napi::Value InetPton(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af = ArgInt32(info, 0, "af");
  if (!info[1].IsString()) ThrowTypeError(env, "src must be a string");
  std::string s = info[1].As<Napi::String>().Utf8Value();
  unsigned char buf[sizeof(in6_addr)];
  if (s.find('\0') != std::string::npos) return env.Null();
  int r = inet_pton(af, s.c_str(), buf);
  if (r < 0) ThrowErrno(env, errno, "inet_pton");
  if (r == 0) return env.Null();
  return Napi::Buffer<char>::Copy(env, reinterpret_cast<char*>(buf), af == AF_INET ? 4 : 16);
}

Napi::Value InetNtop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af = ArgInt32(info, 0, "af");
  Bytes b = ArgBytes(info, 1, "src");
  // An unknown family is inet_ntop(3)'s to refuse (EAFNOSUPPORT).
  size_t need = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
  if (need != 0 && b.len != need) {
    ThrowRangeError(env, "src must be " + std::to_string(need) + " bytes for this family, got " + std::to_string(b.len));
  }
  unsigned char in[16] = {};
  if (need != 0) memcpy(in, b.data, need);
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(af, in, text, sizeof text) == nullptr) ThrowErrno(env, errno, "inet_ntop");
  return Napi::String::New(env, text);
}

// struct sock_extended_err (linux/errqueue.h), as IP_RECVERR and
// IPV6_RECVERR control messages carry it, followed by the offender's address
// (SO_EE_OFFENDER). Not a system call: the layout is the headers'.
Napi::Value SockExtendedErr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes b = ArgBytes(info, 0, "data");
  if (b.len < sizeof(sock_extended_err)) {
    ThrowRangeError(env, "data must hold a struct sock_extended_err (" + std::to_string(sizeof(sock_extended_err)) +
                    " bytes), got " + std::to_string(b.len));
  }
  sock_extended_err ee;
  memcpy(&ee, b.data, sizeof ee);
  Napi::Object o = Napi::Object::New(env);
  o.Set("ee_errno", Napi::Number::New(env, ee.ee_errno));
  o.Set("ee_origin", Napi::Number::New(env, ee.ee_origin));
  o.Set("ee_type", Napi::Number::New(env, ee.ee_type));
  o.Set("ee_code", Napi::Number::New(env, ee.ee_code));
  o.Set("ee_pad", Napi::Number::New(env, ee.ee_pad));
  o.Set("ee_info", Napi::Number::New(env, ee.ee_info));
  o.Set("ee_data", Napi::Number::New(env, ee.ee_data));
  size_t rest = b.len - sizeof ee;
  Napi::Value offender = env.Null();
  if (rest >= sizeof(sa_family_t)) {
    sockaddr_storage ss{};
    memcpy(&ss, b.data + sizeof ee, rest < sizeof ss ? rest : sizeof ss);
    socklen_t len = static_cast<socklen_t>(rest < sizeof ss ? rest : sizeof ss);
    // The kernel fills the offender only for errors from the network; a
    // local error leaves it AF_UNSPEC.
    if (ss.ss_family != AF_UNSPEC) offender = MakeSockaddr(env, reinterpret_cast<sockaddr*>(&ss), len);
  }
  o.Set("offender", offender);
  return o;
}

Napi::Value IfNametoindex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowTypeError(env, "ifname must be a string");
  std::string s = info[0].As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) ThrowTypeError(env, "ifname must not contain a NUL character");
  errno = 0;
  unsigned idx = if_nametoindex(s.c_str());
  if (idx == 0) ThrowErrno(env, errno ? errno : ENODEV, "if_nametoindex");
  return Napi::Number::New(env, idx);
}

Napi::Value IfIndextoname(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t idx = ArgUint32(info, 0, "ifindex");
  char name[IF_NAMESIZE];
  if (if_indextoname(idx, name) == nullptr) ThrowErrno(env, errno, "if_indextoname");
  return Napi::String::New(env, name);
}

// The Sync form of a call that can block: the same Op the Promise form runs,
// on this thread. EINTR is retried, as PEP 475 has CPython do: JavaScript
// signal handlers cannot run while this thread is in the kernel, so there is
// nothing to interrupt the call for.
template <std::unique_ptr<Op> (*Make)(const Napi::CallbackInfo&, bool)>
Napi::Value RunSync(const Napi::CallbackInfo& info) {
  std::unique_ptr<Op> op;
  try {
    op = Make(info, false);
  } catch (const std::bad_alloc&) {
    ThrowRangeError(info.Env(), "the buffers of this call could not be allocated (out of memory)");
  }
  do {
    RunOnce(op.get());
  } while (op->ret < 0 && op->err == EINTR && op->RetryOnEintr());
  if (op->ret < 0) ThrowErrno(info.Env(), op->err, op->Name());
  return op->Result(info.Env());
}

}  // namespace

void InitSyscalls(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) {
    exports.Set(name, Napi::Function::New(env, cb, name));
  };
  fn("socket", Socket);
  fn("socketpair", Socketpair);
  fn("bind", Bind);
  fn("listen", Listen);
  fn("shutdown", Shutdown);
  fn("close", Close);
  fn("getsockname", Getsockname);
  fn("getpeername", Getpeername);
  fn("getsockopt", Getsockopt);
  fn("setsockopt", Setsockopt);
  fn("ioctl", Ioctl);
  fn("getaddrinfo", Getaddrinfo);
  fn("inet_pton", InetPton);
  fn("inet_ntop", InetNtop);
  fn("sock_extended_err", SockExtendedErr);
  fn("if_nametoindex", IfNametoindex);
  fn("if_indextoname", IfIndextoname);
  fn("connectSync", RunSync<MakeConnect>);
  fn("accept4Sync", RunSync<MakeAccept4>);
  fn("sendSync", RunSync<MakeSend>);
  fn("sendtoSync", RunSync<MakeSendto>);
  fn("sendmsgSync", RunSync<MakeSendmsg>);
  fn("recvSync", RunSync<MakeRecv>);
  fn("recvfromSync", RunSync<MakeRecvfrom>);
  fn("recvmsgSync", RunSync<MakeRecvmsg>);
  fn("pollSync", RunSync<MakePoll>);
}

}  // namespace sockcall
