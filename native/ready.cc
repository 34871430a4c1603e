// The readiness form (ready.h): an epoll set of the environment's own,
// watched by the environment's loop.
//
// Not a uv_poll_t per socket: uv_poll_init() sets the fd non-blocking
// (libuv's uv__nonblock: an ioctl(FIONBIO) the user never asked for, which
// would also make the socket's later blocking calls answer EAGAIN). The
// sockets go into an epoll set of sockcall's (epoll_ctl(2) on it leaves
// the socket as it is), and only that set's fd is handed to libuv.
#include "ready.h"

#include "calls.h"

#include <sys/epoll.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <deque>
#include <new>
#include <unordered_map>
#include <vector>

namespace sockcall {

namespace {

// One fd watched in one environment, and the calls waiting on it, in order.
struct Watch {
  int fd = -1;
  std::deque<PendingCall*> waiters;
  uint32_t events = 0;  // what the epoll set holds it for
};

struct ReadyCalls {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  int epfd = -1;  // made at the first readiness-form call
  uv_poll_t handle;  // the loop's watch on epfd
  std::unordered_map<int, Watch*> watches;
  size_t refs = 0;  // waiting calls that keep the loop alive
  Napi::AsyncContext context;
  napi_async_cleanup_hook_handle hook = nullptr;
  bool torn_down = false;
  explicit ReadyCalls(Napi::Env env) : context(env, "sockcall:ready") {}
};

// The environment of this thread: each has its own JavaScript thread (the
// main thread, or a Worker's), and close(2) is made on it (CloseOp::Before).
thread_local ReadyCalls* current = nullptr;

uint32_t EventOf(const PendingCall* c) { return c->op->WaitsFor() == Op::kReadable ? EPOLLIN : EPOLLOUT; }

void Unwait(ReadyCalls* r, PendingCall* c) {
  if (c->ready_ref && --r->refs == 0) uv_unref(reinterpret_cast<uv_handle_t*>(&r->handle));
}

// Out of the epoll set and forgotten, before any close(2) of the fd.
void Forget(ReadyCalls* r, Watch* w) {
  epoll_event none{};
  if (w->events != 0) epoll_ctl(r->epfd, EPOLL_CTL_DEL, w->fd, &none);
  r->watches.erase(w->fd);
  delete w;
}

// The set's entry for w made to match its waiters: added, changed, or
// taken out when none is left. False when the kernel refused the fd.
bool Update(ReadyCalls* r, Watch* w) {
  uint32_t events = 0;
  for (const PendingCall* c : w->waiters) events |= EventOf(c);
  if (events == 0) {
    Forget(r, w);
    return true;
  }
  if (events == w->events) return true;
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = w->fd;
  if (epoll_ctl(r->epfd, w->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, w->fd, &ev) != 0) return false;
  w->events = events;
  return true;
}

// The call made now, on this thread, and settled: once the fd is ready,
// or where it cannot be watched (not open: the call's own EBADF; a regular
// file, which epoll refuses with EPERM and which never blocks), so that the
// kernel answers the call.
void MakeNow(Napi::Env env, PendingCall* c) {
  RunToEnd(c->op.get(), nullptr);
  c->status = c->op->ret >= 0 ? kOk : kError;
  DeliverNow(env, c);
}

// One pass over what the set reports: for each fd, the first waiter
// whose event it is (any waiter, for EPOLLERR or EPOLLHUP: an error pending
// on the socket, the ICMP's, which the call reports) makes its call; the
// set is level-triggered, so what is still ready is reported again, and a
// datagram is never waited for by two calls. An fd left without waiters
// leaves the set only after the reactions ran: the caller's next call,
// made in them, keeps it there without churn. Returns the calls made.
int ServeOnce(ReadyCalls* r) {
  epoll_event evs[64];
  int n = epoll_wait(r->epfd, evs, 64, 0);
  if (n <= 0) return 0;
  int touched[64];  // the fds whose waiters were served: at most one a report
  int served = 0;
  Napi::Env env(r->env);
  Napi::HandleScope handles(env);
  {
    // A callback scope: the Promises' reactions run before it closes, as
    // after any callback of the loop.
    Napi::CallbackScope scope(env, r->context);
    for (int i = 0; i < n; i++) {
      auto it = r->watches.find(evs[i].data.fd);
      if (it == r->watches.end()) continue;
      Watch* w = it->second;
      PendingCall* c = nullptr;
      for (auto q = w->waiters.begin(); q != w->waiters.end(); ++q) {
        if ((evs[i].events & (EventOf(*q) | EPOLLERR | EPOLLHUP)) != 0) {
          c = *q;
          w->waiters.erase(q);
          break;
        }
      }
      if (c == nullptr) continue;
      touched[served++] = w->fd;
      Unwait(r, c);
      MakeNow(env, c);
    }
  }
  // The reactions may have closed an fd (EndReadyOn forgot it) or added
  // waiters: each is looked up again.
  for (int k = 0; k < served; k++) {
    auto it = r->watches.find(touched[k]);
    if (it == r->watches.end()) continue;
    Watch* w = it->second;
    if (!Update(r, w)) {
      std::deque<PendingCall*> waiters;
      waiters.swap(w->waiters);
      Forget(r, w);
      for (PendingCall* c : waiters) {
        Unwait(r, c);
        MakeNow(env, c);
      }
    }
  }
  return served;
}

// The loop found the set readable. A receive loop's next call is made in
// the reactions of the last: while calls are served and the set reports
// more, it is served here, without another turn of the loop (as dgram
// reads until EAGAIN), up to a bound that lets the loop's other work run.
void OnReady(uv_poll_t* h, int, int) {
  auto* r = static_cast<ReadyCalls*>(h->data);
  for (int pass = 0; pass < 64 && !r->torn_down; pass++) {
    if (ServeOnce(r) == 0) break;
  }
}

void Finish(uv_handle_t* h) {
  auto* r = static_cast<ReadyCalls*>(h->data);
  close(r->epfd);
  napi_remove_async_cleanup_hook(r->hook);
  delete r;
}

// Environment teardown: the calls still waiting are let go (promise.cc's
// Cleanup lets go of the table's reference), the loop's handle closed and
// the set with it; the hook is done when the handle's close callback ran.
void Teardown(napi_async_cleanup_hook_handle, void* arg) {
  auto* r = static_cast<ReadyCalls*>(arg);
  r->torn_down = true;
  if (current == r) current = nullptr;
  for (auto& kv : r->watches) {
    for (PendingCall* c : kv.second->waiters) c->Release();
    delete kv.second;
  }
  r->watches.clear();
  if (r->epfd < 0) {
    napi_remove_async_cleanup_hook(r->hook);
    delete r;
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&r->handle), Finish);
}

// The set and the loop's watch on it, at the first readiness-form call.
bool Start(ReadyCalls* r) {
  if (r->epfd >= 0) return true;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return false;
  if (uv_poll_init(r->loop, &r->handle, epfd) != 0) {
    close(epfd);
    return false;
  }
  r->handle.data = r;
  r->epfd = epfd;
  uv_poll_start(&r->handle, UV_READABLE, OnReady);
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->handle));
  return true;
}

}  // namespace

void WaitReady(Napi::Env env, PendingCall* c) {
  ReadyCalls* r = current;
  if (r == nullptr || !Start(r)) {
    MakeNow(env, c);
    return;
  }
  int fd = c->op->fd;
  Watch* w = nullptr;
  auto it = r->watches.find(fd);
  if (it != r->watches.end()) {
    w = it->second;
  } else {
    w = new (std::nothrow) Watch;
    if (w == nullptr) {
      MakeNow(env, c);
      return;
    }
    w->fd = fd;
    try {
      r->watches.emplace(fd, w);
    } catch (const std::bad_alloc&) {
      delete w;
      MakeNow(env, c);
      return;
    }
  }
  try {
    w->waiters.push_back(c);
  } catch (const std::bad_alloc&) {
    if (w->waiters.empty()) Forget(r, w);
    MakeNow(env, c);
    return;
  }
  if (!Update(r, w)) {
    // epoll refused the fd (EBADF: not open; EPERM: a regular file): the
    // call is made at once and answers for itself.
    w->waiters.pop_back();
    if (w->waiters.empty()) Forget(r, w);
    MakeNow(env, c);
    return;
  }
  if (c->ready_ref && r->refs++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(&r->handle));
}

bool EndReady(PendingCall* c, int ending) {
  ReadyCalls* r = current;
  if (r == nullptr) return false;
  auto it = r->watches.find(c->op->fd);
  if (it == r->watches.end()) return false;
  Watch* w = it->second;
  for (auto q = w->waiters.begin(); q != w->waiters.end(); ++q) {
    if (*q != c) continue;
    w->waiters.erase(q);
    Unwait(r, c);
    Update(r, w);  // fewer events can only be narrowed or removed
    c->status = ending;
    DeliverNow(Napi::Env(r->env), c);
    return true;
  }
  return false;
}

void EndReadyOn(int fd) {
  ReadyCalls* r = current;
  if (r == nullptr || r->watches.empty()) return;
  // Every waiting call that will use fd: the watched socket's, and a
  // sendmsg's that names it in SCM_RIGHTS (Op::Uses), whose kernel would
  // resolve the number only when the call is made, to whatever took it.
  std::vector<PendingCall*> ended;
  std::vector<Watch*> changed;
  for (auto& kv : r->watches) {
    Watch* w = kv.second;
    size_t before = ended.size();
    for (auto q = w->waiters.begin(); q != w->waiters.end();) {
      if (w->fd == fd || (*q)->op->Uses(fd)) {
        ended.push_back(*q);
        q = w->waiters.erase(q);
      } else {
        ++q;
      }
    }
    if (ended.size() != before || w->fd == fd) changed.push_back(w);
  }
  // Before close(2) frees the number: out of the set (also a watch whose
  // last call was just served, still in the set until the reactions that
  // made this close() are over), or narrowed.
  for (Watch* w : changed) {
    if (w->fd == fd) Forget(r, w);
    else Update(r, w);
  }
  Napi::Env env(r->env);
  for (PendingCall* c : ended) {
    Unwait(r, c);
    c->status = kClosed;
    c->closed_fd.store(fd, std::memory_order_relaxed);
    DeliverNow(env, c);
  }
}

void InitReady(Napi::Env env) {
  auto* r = new ReadyCalls(env);
  r->env = env;
  if (napi_get_uv_event_loop(env, &r->loop) != napi_ok ||
      napi_add_async_cleanup_hook(env, Teardown, r, &r->hook) != napi_ok) {
    delete r;
    throw Napi::Error::New(env, "sockcall: the event loop could not be had for the readiness form");
  }
  current = r;
}

}  // namespace sockcall
