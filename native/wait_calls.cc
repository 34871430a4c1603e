// The calls that wait: for a connection, for a peer, for readiness.
//   connect(fd, address)
//   accept4(fd, flags, addrlen | null)                -> [newfd, address | null]
//   poll(fds, timeout)                                -> [nready, revents]
//   select(nfds, readfds | null, writefds | null, exceptfds | null, timeout_us | null)
//                                                     -> [nready, readfds, writefds, exceptfds]
//   epoll_create1(flags) -> epfd;  epoll_ctl(epfd, op, fd, events, data)
//   epoll_wait(epfd, maxevents, timeout)              -> [[events, data]...]
#include "calls.h"
#include "sockaddr.h"
#include "trace.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace sockcall {
namespace {

using trace::Int;

class ConnectOp : public Op {
 public:
  Sockaddr addr;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    ParseSockaddr(info.Env(), info[1], "address", &addr);
  }
  void Run() override { ret = connect(fd, addr.sa(), addr.len); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "connect"; }
  bool RetryOnEintr() const override { return false; }
  std::string Trace() const override {
    return "connect(" + Int(fd) + ", " + trace::Sockaddr(addr.sa(), addr.len) + ", " + Int(addr.len) + ")";
  }
};

class Accept4Op : public Op {
 public:
  Readiness WaitsFor() const override { return kReadable; }
  int flags = 0;
  NameOut name;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    flags = ArgInt32(info, 1, "flags");
    name.want = ArgAddrlen(info, 2, "addrlen", &name.given);
  }
  void Run() override {
    name.Arm();
    ret = accept4(fd, name.ptr(), name.lenp(), flags);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    return name.Pair(env, Napi::Number::New(env, static_cast<double>(ret)));
  }
  const char* Name() const override { return "accept4"; }
  std::string Trace() const override {
    return "accept4(" + Int(fd) + ", " + name.Trace(ret >= 0) + ", " + trace::SockFlags(flags) + ")";
  }
};

// The time left of a call retried after EINTR (PEP 475: a retried poll or
// select waits only for what is left of its timeout).
struct Deadline {
  bool started = false;
  timespec at{};
  // Microseconds left of `total` since the first call, never negative.
  long long Left(long long total_us) {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!started) {
      started = true;
      at = now;
      at.tv_sec += total_us / 1000000;
      at.tv_nsec += static_cast<long>(total_us % 1000000) * 1000L;
      if (at.tv_nsec >= 1000000000L) { at.tv_sec++; at.tv_nsec -= 1000000000L; }
      return total_us;
    }
    long long left = (at.tv_sec - now.tv_sec) * 1000000LL + (at.tv_nsec - now.tv_nsec) / 1000LL;
    return left < 0 ? 0 : left;
  }
};

class PollOp : public Op {
 public:
  std::vector<pollfd> fds;
  int timeout = -1;
  Deadline deadline;
  int wait = -1;  // the timeout of the last attempt
  void Parse(const Args& info, bool) override {
    Napi::Env env = info.Env();
    // poll(2) takes at most RLIMIT_NOFILE entries (EINVAL beyond); this
    // bound only keeps the copy finite.
    Napi::Array a = ArgArray(info, 0, "fds", 1u << 20);
    fds.resize(a.Length());
    for (uint32_t k = 0; k < a.Length(); k++) {
      Napi::Value v = a.Get(k);
      std::string at = "fds[" + std::to_string(k) + "]";
      if (!v.IsObject()) ThrowTypeError(env, at + " must be an object { fd, events }");
      Napi::Object o = v.As<Napi::Object>();
      fds[k].fd = static_cast<int>(FieldInt(env, o, "fd", at, INT32_MIN, INT32_MAX));
      fds[k].events = static_cast<short>(static_cast<int>(FieldInt(env, o, "events", at, INT16_MIN, UINT16_MAX)));
      fds[k].revents = 0;
    }
    timeout = ArgInt32(info, 1, "timeout");
  }
  void Run() override {
    long long left = deadline.Left(timeout < 0 ? 0 : static_cast<long long>(timeout) * 1000);
    // Rounded up to whole milliseconds, as CPython recomputes it (_PyTime_ROUND_CEILING).
    wait = timeout <= 0 ? timeout : static_cast<int>((left + 999) / 1000);
    if (!deadline.started || wait > timeout) wait = timeout;
    ret = poll(fds.empty() ? nullptr : fds.data(), fds.size(), wait);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array revents = Napi::Array::New(env, fds.size());
    for (uint32_t i = 0; i < fds.size(); i++) revents.Set(i, Napi::Number::New(env, fds[i].revents));
    return MakePair(env, Napi::Number::New(env, static_cast<double>(ret)), revents);
  }
  const char* Name() const override { return "poll"; }
  std::string Trace() const override {
    return "poll(" + trace::PollFds(fds.data(), fds.size(), false) + ", " + Int(static_cast<long>(fds.size())) + ", " +
           Int(wait) + ")";
  }
  std::string TraceSuffix() const override { return trace::PollResult(fds.data(), fds.size(), ret); }
  bool Uses(int f) const override {
    for (const pollfd& p : fds) if (f >= 0 && p.fd == f) return true;
    return false;
  }
};

// select(2), made as the C library makes it on Linux's 64-bit ports:
// pselect6(2) with a timespec and no signal mask (x86-64 and arm64 glibc
// have no select system call of their own to use, and strace shows this
// line for a C or Python select()). Called directly, so that the tracer
// prints the time the kernel left in the timespec, as strace does.
class SelectOp : public Op {
 public:
  static constexpr int kSets = 3;
  int nfds = 0;
  bool given[kSets] = {false, false, false};
  fd_set in[kSets];   // as passed, for the trace
  fd_set out[kSets];  // as the kernel left them
  std::vector<int> fds[kSets];
  bool has_timeout = false;
  long long timeout_us = 0;
  Deadline deadline;
  timespec ts{}, ts_in{};
  void Parse(const Args& info, bool) override {
    Napi::Env env = info.Env();
    nfds = ArgInt32(info, 0, "nfds");
    static const char* const names[kSets] = {"readfds", "writefds", "exceptfds"};
    for (int s = 0; s < kSets; s++) {
      FD_ZERO(&in[s]);
      if (info[1 + s].IsNull() || info[1 + s].IsUndefined()) continue;
      given[s] = true;
      Napi::Array a = ArgArray(info, 1 + s, names[s], FD_SETSIZE);
      for (uint32_t k = 0; k < a.Length(); k++) {
        Napi::Value v = a.Get(k);
        double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
        if (!std::isfinite(d) || d != std::trunc(d)) {
          ThrowTypeError(env, std::string(names[s]) + "[" + std::to_string(k) + "] must be a file descriptor (an integer)");
        }
        // FD_SET outside 0..FD_SETSIZE-1 writes outside the fd_set
        // (select(2), "BUGS"); CPython refuses it the same way.
        if (d < 0 || d >= FD_SETSIZE) {
          ThrowRangeError(env, std::string(names[s]) + "[" + std::to_string(k) + "] " + std::to_string(static_cast<long long>(d)) +
                          " is out of range for select() (0-" + std::to_string(FD_SETSIZE - 1) + ", FD_SETSIZE)");
        }
        fds[s].push_back(static_cast<int>(d));
        FD_SET(static_cast<int>(d), &in[s]);
      }
    }
    if (!info[4].IsNull() && !info[4].IsUndefined()) {
      has_timeout = true;
      double us = info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : NAN;
      if (!std::isfinite(us) || us != std::trunc(us)) ThrowTypeError(env, "timeout must be an integer of microseconds or null");
      if (us < 0 || us > 9.2e15) ThrowRangeError(env, "timeout must be from 0 to 2^53 microseconds");
      timeout_us = static_cast<long long>(us);
    }
  }
  void Run() override {
    timespec* tp = nullptr;
    if (has_timeout) {
      long long left = deadline.Left(timeout_us);
      ts.tv_sec = static_cast<time_t>(left / 1000000);
      ts.tv_nsec = static_cast<long>(left % 1000000) * 1000L;
      ts_in = ts;
      tp = &ts;
    }
    fd_set* p[kSets];
    for (int s = 0; s < kSets; s++) {
      out[s] = in[s];
      p[s] = given[s] ? &out[s] : nullptr;
    }
    ret = syscall(SYS_pselect6, nfds, p[0], p[1], p[2], tp, nullptr);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array a = Napi::Array::New(env, 1 + kSets);
    a.Set(0u, Napi::Number::New(env, static_cast<double>(ret)));
    for (int s = 0; s < kSets; s++) {
      Napi::Array ready = Napi::Array::New(env);
      uint32_t n = 0;
      for (int f : fds[s]) {
        if (FD_ISSET(f, &out[s])) ready.Set(n++, Napi::Number::New(env, f));
      }
      a.Set(static_cast<uint32_t>(1 + s), ready);
    }
    return a;
  }
  const char* Name() const override { return "select"; }
  // strace prints a set as the fds in it below nfds: "[3 4]".
  std::string Set(const fd_set* set) const {
    if (set == nullptr) return "NULL";
    std::string out = "[";
    bool first = true;
    for (int f = 0; f < nfds && f < FD_SETSIZE; f++) {
      if (!FD_ISSET(f, set)) continue;
      if (!first) out += " ";
      first = false;
      out += Int(f);
    }
    return out + "]";
  }
  static std::string Timespec(const timespec& t) {
    return "{tv_sec=" + Int(static_cast<long>(t.tv_sec)) + ", tv_nsec=" + Int(t.tv_nsec) + "}";
  }
  std::string Trace() const override {
    std::string out = "pselect6(" + Int(nfds);
    for (int s = 0; s < kSets; s++) out += ", " + Set(given[s] ? &in[s] : nullptr);
    return out + ", " + (has_timeout ? Timespec(ts_in) : std::string("NULL")) + ", NULL)";
  }
  std::string TraceSuffix() const override {
    if (ret == 0) return " (Timeout)";
    if (ret < 0) return "";
    static const char* const labels[kSets] = {"in", "out", "except"};
    std::string parts;
    for (int s = 0; s < kSets; s++) {
      if (!given[s]) continue;
      std::string set = Set(&out[s]);
      if (set == "[]") continue;
      if (!parts.empty()) parts += ", ";
      parts += std::string(labels[s]) + " " + set;
    }
    if (has_timeout) parts += (parts.empty() ? "" : ", ") + std::string("left ") + Timespec(ts);
    return " (" + parts + ")";
  }
  bool Uses(int f) const override {
    for (int s = 0; s < kSets; s++) for (int x : fds[s]) if (f >= 0 && x == f) return true;
    return false;
  }
};

// epoll(7), as CPython's select.epoll makes it: epoll_create1, epoll_ctl
// with the fd as the event's data (CPython stores it in data.fd), and
// epoll_wait. strace shows data as "{u32=N, u64=N}".
std::string EpollEvents(uint32_t events) {
  static const struct { uint32_t bit; const char* name; } names[] = {
      {EPOLLIN, "EPOLLIN"}, {EPOLLPRI, "EPOLLPRI"}, {EPOLLOUT, "EPOLLOUT"}, {EPOLLERR, "EPOLLERR"},
      {EPOLLHUP, "EPOLLHUP"}, {EPOLLRDNORM, "EPOLLRDNORM"}, {EPOLLRDBAND, "EPOLLRDBAND"},
      {EPOLLWRNORM, "EPOLLWRNORM"}, {EPOLLWRBAND, "EPOLLWRBAND"}, {EPOLLMSG, "EPOLLMSG"},
      {EPOLLRDHUP, "EPOLLRDHUP"}, {EPOLLEXCLUSIVE, "EPOLLEXCLUSIVE"}, {EPOLLWAKEUP, "EPOLLWAKEUP"},
      {EPOLLONESHOT, "EPOLLONESHOT"}, {EPOLLET, "EPOLLET"}};
  if (events == 0) return "0";
  std::string out;
  for (const auto& n : names) {
    if ((events & n.bit) == 0) continue;
    if (!out.empty()) out += "|";
    out += n.name;
    events &= ~n.bit;
  }
  if (events != 0) {
    char hex[32];
    snprintf(hex, sizeof hex, "%#x", events);
    out += (out.empty() ? "" : "|") + std::string(hex);
  }
  return out;
}

std::string EpollEvent(const epoll_event& e) {
  return "{events=" + EpollEvents(e.events) + ", data={u32=" + Int(static_cast<long>(e.data.u32)) + ", u64=" +
         std::to_string(e.data.u64) + "}}";
}

class EpollCreate1Op : public Op {
 public:
  int flags = 0;
  void Parse(const Args& info, bool) override { flags = ArgInt32(info, 0, "flags"); }
  void Run() override { ret = epoll_create1(flags); err = errno; }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(ret)); }
  const char* Name() const override { return "epoll_create1"; }
  std::string Trace() const override {
    if (flags == 0) return "epoll_create1(0)";
    return std::string("epoll_create1(") + (flags == EPOLL_CLOEXEC ? "EPOLL_CLOEXEC" : Int(flags)) + ")";
  }
};

class EpollCtlOp : public Op {
 public:
  int op = 0, target = -1;
  epoll_event event{};
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    op = ArgInt32(info, 1, "op");
    target = ArgInt32(info, 2, "fd");
    event.events = ArgUint32(info, 3, "events");
    event.data.u64 = static_cast<uint64_t>(static_cast<uint32_t>(ArgInt32(info, 4, "data")));
  }
  // EPOLL_CTL_DEL ignores the event, but CPython passes one, as kernels
  // before 2.6.9 required (epoll_ctl(2), "BUGS"): strace shows its pointer.
  void Run() override { ret = epoll_ctl(fd, op, target, &event); err = errno; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
  const char* Name() const override { return "epoll_ctl"; }
  std::string Trace() const override {
    static const char* const ops[] = {"", "EPOLL_CTL_ADD", "EPOLL_CTL_DEL", "EPOLL_CTL_MOD"};
    std::string name = op >= 1 && op <= 3 ? ops[op] : Int(op);
    return "epoll_ctl(" + Int(fd) + ", " + name + ", " + Int(target) + ", " +
           (op == EPOLL_CTL_DEL ? trace::Ptr(&event) : EpollEvent(event)) + ")";
  }
  bool Uses(int f) const override { return f >= 0 && (f == fd || f == target); }
};

class EpollWaitOp : public Op {
 public:
  std::vector<epoll_event> events;
  int maxevents = 0, timeout = -1, wait = -1;
  Deadline deadline;
  void Parse(const Args& info, bool) override {
    fd = ArgFd(info, 0);
    maxevents = ArgInt32(info, 1, "maxevents");
    // More than the kernel's limit is its EINVAL to give; the room given
    // is bounded here only so that the allocation stays finite.
    events.resize(maxevents > 0 ? std::min(maxevents, 1 << 20) : 1);
    timeout = ArgInt32(info, 2, "timeout");
  }
  void Run() override {
    long long left = deadline.Left(timeout < 0 ? 0 : static_cast<long long>(timeout) * 1000);
    wait = timeout <= 0 ? timeout : std::min(timeout, static_cast<int>((left + 999) / 1000));
    ret = epoll_wait(fd, events.data(), maxevents, wait);
    err = errno;
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, static_cast<size_t>(ret));
    for (long i = 0; i < ret; i++) {
      out.Set(static_cast<uint32_t>(i),
              MakePair(env, Napi::Number::New(env, events[i].events), Napi::Number::New(env, static_cast<double>(events[i].data.u32))));
    }
    return out;
  }
  const char* Name() const override { return "epoll_wait"; }
  std::string Trace() const override {
    std::string list = "[";
    for (long i = 0; i < ret; i++) list += (i ? ", " : "") + EpollEvent(events[i]);
    return "epoll_wait(" + Int(fd) + ", " + (ret < 0 ? trace::Ptr(events.data()) : list + "]") + ", " + Int(maxevents) +
           ", " + Int(wait) + ")";
  }
};

constexpr Entry kRows[] = {
    Blocking<ConnectOp>("connect"),
    Blocking<Accept4Op>("accept4"),
    Blocking<PollOp>("poll"),
    Blocking<SelectOp>("select"),
    Immediate<EpollCreate1Op>("epoll_create1"),
    Immediate<EpollCtlOp>("epoll_ctl"),
    Blocking<EpollWaitOp>("epoll_wait"),
};

}  // namespace

const Table kWaitCalls = TableOf(kRows);

}  // namespace sockcall
