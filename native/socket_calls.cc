// The calls that never block: a socket's making, naming, options and end.
//   socket(domain, type, protocol)            -> fd
//   socketpair(domain, type, protocol)        -> [fd, fd]
//   bind(fd, address), listen(fd, backlog), shutdown(fd, how), close(fd)
//   getsockname(fd, addrlen), getpeername(fd, addrlen) -> address | null
//   getsockopt(fd, level, optname, optlen | null)      -> int | Buffer
//   setsockopt(fd, level, optname, value, optlen?)
//   ioctl(fd, request, value?)  FIONBIO, FIONREAD, FIOCLEX, FIONCLEX, SIOCGIFINDEX, SIOCGIFNAME only
//   fcntl(fd, cmd, arg?)        F_DUPFD_CLOEXEC (-> the new fd), F_GETFD (-> the flags) only
#include "calls.h"
#include "pool.h"
#include "ready.h"
#include "sockaddr.h"
#include "trace.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace sockcall {
namespace {

using trace::Int;

class SocketOp : public Op {
 public:
  int domain = 0, type = 0, protocol = 0;
  void Parse(const Args& info, bool) override {
    domain = ArgInt32(info, 0, "domain");
    type = ArgInt32(info, 1, "type");
    protocol = ArgInt32(info, 2, "protocol");
  }
  void Run() override { ret = socket(domain, type, protocol); err = errno; }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(ret)); }
  const char* Name() const override { return "socket"; }
  std::string Trace() const override {
    return "socket(" + trace::Domain(domain) + ", " + trace::Type(type) + ", " + trace::Protocol(domain, protocol) + ")";
  }
};

class SocketpairOp : public SocketOp {
 public:
  int sv[2] = {-1, -1};
  void Run() override { ret = socketpair(domain, type, protocol, sv); err = errno; }
  Napi::Value Result(Napi::Env env) override {
    return MakePair(env, Napi::Number::New(env, sv[0]), Napi::Number::New(env, sv[1]));
  }
  const char* Name() const override { return "socketpair"; }
  std::string Trace() const override {
    return "socketpair(" + trace::Domain(domain) + ", " + trace::Type(type) + ", " + trace::Protocol(domain, protocol) +
           ", " + (ret < 0 ? trace::Ptr(sv) : "[" + Int(sv[0]) + ", " + Int(sv[1]) + "]") + ")";
  }
};

class BindOp : public Op {
 public:
  Sockaddr addr;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    ParseSockaddr(info.Env(), info[1], "address", &addr);
  }
  void Run() override { ret = bind(fd, addr.sa(), addr.len); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "bind"; }
  std::string Trace() const override {
    return "bind(" + Int(fd) + ", " + trace::Sockaddr(addr.sa(), addr.len) + ", " + Int(addr.len) + ")";
  }
};

class ListenOp : public Op {
 public:
  int backlog = 0;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    backlog = ArgInt32(info, 1, "backlog");
  }
  void Run() override { ret = listen(fd, backlog); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "listen"; }
  std::string Trace() const override { return "listen(" + Int(fd) + ", " + Int(backlog) + ")"; }
};

class ShutdownOp : public Op {
 public:
  int how = 0;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    how = ArgInt32(info, 1, "how");
  }
  void Run() override { ret = shutdown(fd, how); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "shutdown"; }
  std::string Trace() const override { return "shutdown(" + Int(fd) + ", " + trace::Shut(how) + ")"; }
};

class CloseOp : public Op {
 public:
  void Parse(const Args& info, bool) override { fd = ArgFd(info, 0); }
  // A call pending on another thread, or waiting for readiness on this
  // one, would otherwise go on using the fd number after it has been
  // closed and perhaps reused for another file.
  void Before() override {
    EndReadyOn(fd);
    EndPendingCallsOn(fd);
  }
  void Run() override { ret = close(fd); err = errno; }
  bool RetryOnEintr() const override { return false; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "close"; }
  std::string Trace() const override { return "close(" + Int(fd) + ")"; }
};

class GetsocknameOp : public Op {
 public:
  NameOut name;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    name.want = true;
    if (!ArgAddrlen(info, 1, "addrlen", &name.given)) ArgUint32(info, 1, "addrlen");  // null is refused here
  }
  void Run() override {
    name.Arm();
    ret = getsockname(fd, name.sa.sa(), &name.sa.len);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override { return name.Make(env); }
  const char* Name() const override { return "getsockname"; }
  std::string Trace() const override { return "getsockname(" + Int(fd) + ", " + name.Trace(ret == 0) + ")"; }
};

class GetpeernameOp : public GetsocknameOp {
 public:
  void Run() override {
    name.Arm();
    ret = getpeername(fd, name.sa.sa(), &name.sa.len);
    err = errno;
  }
  const char* Name() const override { return "getpeername"; }
  std::string Trace() const override { return "getpeername(" + Int(fd) + ", " + name.Trace(ret == 0) + ")"; }
};

// getsockopt(fd, level, optname, optlen | null): with null, an int option
// (the int CPython's getsockopt(level, optname) reads); with a length, the
// raw bytes the kernel wrote, as a Buffer of the length it reported.
class GetsockoptOp : public Op {
 public:
  int level = 0, optname = 0;
  bool as_int = true;
  int value = 0;
  std::unique_ptr<char[]> buf;
  socklen_t given = 0, len = 0;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    level = ArgInt32(info, 1, "level");
    optname = ArgInt32(info, 2, "optname");
    if (info[3].IsNull() || info[3].IsUndefined()) {
      given = sizeof value;
      return;
    }
    as_int = false;
    given = static_cast<socklen_t>(ArgLength(info, 3, "optlen", 1u << 20));
    buf.reset(new char[given == 0 ? 1 : given]());
  }
  void* val() const { return as_int ? static_cast<void*>(const_cast<int*>(&value)) : static_cast<void*>(buf.get()); }
  void Run() override {
    len = given;
    ret = getsockopt(fd, level, optname, val(), &len);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    if (as_int) return Napi::Number::New(env, value);
    return Napi::Buffer<char>::Copy(env, buf.get(), len < given ? len : given);
  }
  const char* Name() const override { return "getsockopt"; }
  std::string Trace() const override {
    bool ok = ret == 0;
    return "getsockopt(" + Int(fd) + ", " + trace::Level(level) + ", " + trace::Optname(level, optname) + ", " +
           (ok ? trace::Optval(level, optname, val(), len < given ? len : given) : trace::Ptr(val())) + ", " +
           trace::Socklen(given, len, ok) + ")";
  }
};

// setsockopt(fd, level, optname, value, optlen):
//   value an integer: a 4-byte int, as CPython passes one;
//   value a buffer: its bytes (optlen may not exceed them);
//   value null: a NULL pointer with optlen (CPython's setsockopt(l, o, None, n)).
class SetsockoptOp : public Op {
 public:
  int level = 0, optname = 0;
  int value = 0;
  const void* optval = nullptr;
  socklen_t optlen = 0;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    level = ArgInt32(info, 1, "level");
    optname = ArgInt32(info, 2, "optname");
    Napi::Value v = info[3];
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
  }
  void Run() override { ret = setsockopt(fd, level, optname, optval, optlen); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "setsockopt"; }
  std::string Trace() const override {
    return "setsockopt(" + Int(fd) + ", " + trace::Level(level) + ", " + trace::Optname(level, optname) + ", " +
           trace::Optval(level, optname, optval, optlen) + ", " + Int(optlen) + ")";
  }
};

// ioctl(2) with the requests sockcall names, and no other: a request
// number from JavaScript passed through unchecked could, as root,
// reconfigure the machine (SIOCSIF*). Those named touch only the fd:
//   FIONBIO (value 0 or 1), FIONREAD -> count, FIOCLEX and FIONCLEX (the
//   close-on-exec flag: CPython's set_inheritable, _Py_set_inheritable),
//   SIOCGIFINDEX (interface name) -> index, SIOCGIFNAME (index) -> name;
// the last two are what CPython asks of an AF_PACKET socket to convert its
// addresses (netdevice(7)).
class IoctlOp : public Op {
 public:
  unsigned long request = 0;
  int value = 0;
  ifreq ifr{};
  void Parse(const Args& info, bool) override {
    Napi::Env env = info.Env();
    fd = ArgFd(info, 0);
    request = ArgUint32(info, 1, "request");
    if (request == SIOCGIFINDEX) {
      if (!info[2].IsString()) ThrowTypeError(env, "value must be an interface name for SIOCGIFINDEX");
      std::string name = info[2].As<Napi::String>().Utf8Value();
      if (name.size() >= sizeof ifr.ifr_name || name.find('\0') != std::string::npos) {
        ThrowRangeError(env, "value must be an interface name shorter than IFNAMSIZ (" +
                        std::to_string(sizeof ifr.ifr_name) + ") without NUL characters");
      }
      memcpy(ifr.ifr_name, name.data(), name.size());
    } else if (request == SIOCGIFNAME) {
      ifr.ifr_ifindex = ArgInt32(info, 2, "value");
    } else if (request == FIONBIO) {
      value = ArgInt32(info, 2, "value");
    } else if (request != FIONREAD && request != FIOCLEX && request != FIONCLEX) {
      ThrowRangeError(env, "request must be FIONBIO, FIONREAD, FIOCLEX, FIONCLEX, SIOCGIFINDEX or SIOCGIFNAME, got " +
                      std::to_string(request));
    }
  }
  void Run() override {
    if (request == FIOCLEX || request == FIONCLEX) {
      ret = ioctl(fd, request);
    } else {
      void* arg = request == FIONBIO || request == FIONREAD ? static_cast<void*>(&value) : static_cast<void*>(&ifr);
      ret = ioctl(fd, request, arg);
    }
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    if (request == SIOCGIFINDEX) return Napi::Number::New(env, ifr.ifr_ifindex);
    if (request == SIOCGIFNAME) return Napi::String::New(env, ifr.ifr_name, strnlen(ifr.ifr_name, sizeof ifr.ifr_name));
    if (request == FIONREAD) return Napi::Number::New(env, value);
    return env.Undefined();
  }
  const char* Name() const override { return "ioctl"; }
  std::string Trace() const override {
    bool ok = ret == 0;
    std::string name = trace::Str(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
    if (request == SIOCGIFINDEX) {
      return "ioctl(" + Int(fd) + ", SIOCGIFINDEX, {ifr_name=" + name + (ok ? ", ifr_ifindex=" + Int(ifr.ifr_ifindex) : "") + "})";
    }
    if (request == SIOCGIFNAME) {
      return "ioctl(" + Int(fd) + ", SIOCGIFNAME, {ifr_ifindex=" + Int(ifr.ifr_ifindex) + (ok ? ", ifr_name=" + name : "") + "})";
    }
    if (request == FIONREAD) return "ioctl(" + Int(fd) + ", FIONREAD, " + (ok ? "[" + Int(value) + "]" : trace::Ptr(&value)) + ")";
    if (request == FIOCLEX) return "ioctl(" + Int(fd) + ", FIOCLEX)";
    if (request == FIONCLEX) return "ioctl(" + Int(fd) + ", FIONCLEX)";
    return "ioctl(" + Int(fd) + ", FIONBIO, [" + Int(value) + "])";
  }
};

// fcntl(2) with the commands CPython's socket module makes, and no other:
// F_DUPFD_CLOEXEC (socket.dup, os.dup: _Py_dup) and F_GETFD (get_inheritable).
class FcntlOp : public Op {
 public:
  int cmd = 0;
  int arg = 0;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    cmd = ArgInt32(info, 1, "cmd");
    if (cmd == F_DUPFD_CLOEXEC) arg = ArgInt32(info, 2, "arg");
    else if (cmd != F_GETFD) ThrowRangeError(info.Env(), "cmd must be F_DUPFD_CLOEXEC or F_GETFD, got " + std::to_string(cmd));
  }
  void Run() override {
    ret = cmd == F_GETFD ? fcntl(fd, F_GETFD) : fcntl(fd, F_DUPFD_CLOEXEC, arg);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(ret)); }
  const char* Name() const override { return "fcntl"; }
  std::string Trace() const override {
    if (cmd == F_GETFD) return "fcntl(" + Int(fd) + ", F_GETFD)";
    return "fcntl(" + Int(fd) + ", F_DUPFD_CLOEXEC, " + Int(arg) + ")";
  }
  // strace decodes F_GETFD's flags: "0x1 (flags FD_CLOEXEC)", or 0.
  std::string TraceReturn() const override {
    if (cmd != F_GETFD || ret == 0) return Int(ret);
    char hex[32];
    snprintf(hex, sizeof hex, "%#lx", ret);
    return std::string(hex) + (ret & FD_CLOEXEC ? " (flags FD_CLOEXEC)" : "");
  }
};

constexpr Entry kRows[] = {
    Immediate<SocketOp>("socket"),
    Immediate<SocketpairOp>("socketpair"),
    Immediate<BindOp>("bind"),
    Immediate<ListenOp>("listen"),
    Immediate<ShutdownOp>("shutdown"),
    Immediate<CloseOp>("close"),
    Immediate<GetsocknameOp>("getsockname"),
    Immediate<GetpeernameOp>("getpeername"),
    Immediate<GetsockoptOp>("getsockopt"),
    Immediate<SetsockoptOp>("setsockopt"),
    Immediate<IoctlOp>("ioctl"),
    Immediate<FcntlOp>("fcntl"),
};

}  // namespace

const Table kSocketCalls = TableOf(kRows);

}  // namespace sockcall
