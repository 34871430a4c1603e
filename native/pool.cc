// The threads the Promise forms run on (pool.h).
//
// Why our own threads, not AsyncWorker or napi_create_async_work: those run
// on libuv's threadpool (UV_THREADPOOL_SIZE threads, 4 by default). A
// recvfrom blocked there holds a pool thread for as long as no datagram
// comes, so four of them starve fs and dns work, and process.exit() hangs
// because uv_library_shutdown() joins the pool's threads. AsyncWorker also
// cannot stop work that has started.
//
// Threads: one per pending call, kept for kLinger once idle; each blocks
// every signal but kCancelSignal, so the only signal that can interrupt its
// system call is ours.
//
// Cancellation (an AbortSignal, close() of the fd, or the environment going
// away): set the call's cancel flag, then send kCancelSignal to its thread
// with pthread_kill. The handler does nothing and is installed without
// SA_RESTART, so a blocked call returns EINTR (signal(7), "Interruption of
// system calls and library functions by signal handlers"); the thread sees
// the flag and ends the call. A signal that lands after the thread checked
// the flag but before it entered the kernel is lost, so the canceller sends
// it again until the call has left the kernel. An EINTR without the flag
// (a signal meant for the thread's previous call) is retried, as PEP 475
// (RunToEnd, calls.h).
#include "pool.h"

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace sockcall {
namespace {

constexpr auto kLinger = std::chrono::milliseconds(1000);
// How long a canceller waits for the call to leave the kernel before sending
// the signal again (the lost-signal window is a few instructions wide).
constexpr auto kResignal = std::chrono::microseconds(500);

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kStackSize = 1 << 20;
#else
// The thread runs one system call and the code around it; glibc adds the
// guard page. Pages never touched cost no memory.
constexpr size_t kStackSize = 128 << 10;
#endif

int CancelSignal() { return SIGRTMIN + 3; }

struct PoolThread {
  pthread_t thread{};
  std::condition_variable cv;
  PendingCall* call = nullptr;
};

// Process-wide, never destroyed: threads may still be running while the
// process exits, and must not find a destroyed mutex.
struct Pool {
  std::mutex mu;
  std::condition_variable left;  // a call has left the kernel
  std::vector<PoolThread*> idle;
  std::vector<PendingCall*> running;  // calls given to a thread, not finished
  size_t threads = 0;
};
Pool* pool = new Pool;  // never deleted, see above

void OnCancelSignal(int) {}

void RemoveRunning(PendingCall* c) {
  auto& v = pool->running;
  for (size_t i = 0; i < v.size(); i++) {
    if (v[i] == c) {
      v[i] = v.back();
      v.pop_back();
      return;
    }
  }
}

void Execute(PendingCall* c) {
  if (!RunToEnd(c->op.get(), &c->cancel)) {
    c->status = c->ending.load(std::memory_order_acquire);
    return;
  }
  c->status = c->op->ret >= 0 ? kOk : kError;
}

void Finish(PendingCall* c) {
  std::lock_guard<std::mutex> lock(pool->mu);
  RemoveRunning(c);
  pool->left.notify_all();
  HandBack(c);
}

void* ThreadMain(void* arg) {
  auto* t = static_cast<PoolThread*>(arg);
  // Named, so that ps -L, top -H, gdb and the tests can tell these threads.
  pthread_setname_np(pthread_self(), "sockcall");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, CancelSignal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::unique_lock<std::mutex> lock(pool->mu);
  for (;;) {
    while (t->call == nullptr) {
      if (t->cv.wait_for(lock, kLinger) == std::cv_status::timeout && t->call == nullptr) {
        auto& idle = pool->idle;
        for (size_t i = 0; i < idle.size(); i++) {
          if (idle[i] == t) {
            idle.erase(idle.begin() + static_cast<long>(i));
            break;
          }
        }
        pool->threads--;
        lock.unlock();
        delete t;
        return nullptr;
      }
    }
    PendingCall* c = t->call;
    t->call = nullptr;
    c->thread = t->thread;
    c->has_thread = true;
    lock.unlock();
    Execute(c);
    Finish(c);
    lock.lock();
    pool->idle.push_back(t);
  }
}

}  // namespace

void InstallCancelSignal() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = OnCancelSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the blocked call must return EINTR
    sigaction(CancelSignal(), &sa, nullptr);
  });
}

void Dispatch(Napi::Env env, PendingCall* c) {
  std::unique_lock<std::mutex> lock(pool->mu);
  pool->running.push_back(c);
  if (!pool->idle.empty()) {
    PoolThread* t = pool->idle.back();
    pool->idle.pop_back();
    t->call = c;
    // Under the lock: once it is released, the thread may run the call, go
    // idle, time out and delete itself, condition variable included.
    t->cv.notify_one();
    return;
  }
  auto* t = new PoolThread;
  t->call = c;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackSize);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The new thread inherits this mask: every signal blocked until it
  // unblocks kCancelSignal alone.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&t->thread, &attr, ThreadMain, t);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    RemoveRunning(c);
    lock.unlock();
    delete t;
    ThrowErrno(env, err, "pthread_create");
  }
  pool->threads++;
}

void CancelAndWait(bool (*match)(const PendingCall*, const void*), const void* arg, int ending) {
  std::unique_lock<std::mutex> lock(pool->mu);
  for (PendingCall* c : pool->running) {
    if (match(c, arg)) {
      int none = 0;
      c->ending.compare_exchange_strong(none, ending, std::memory_order_acq_rel);
      c->cancel.store(true, std::memory_order_release);
    }
  }
  for (;;) {
    bool any = false;
    for (PendingCall* c : pool->running) {
      if (match(c, arg) && c->cancel.load(std::memory_order_relaxed)) {
        any = true;
        if (c->has_thread) pthread_kill(c->thread, CancelSignal());
      }
    }
    if (!any) return;
    pool->left.wait_for(lock, kResignal);
  }
}

void EndPendingCallsOn(int fd) {
  CancelAndWait([](const PendingCall* c, const void* f) { return c->op->Uses(*static_cast<const int*>(f)); }, &fd,
                kClosed);
}

void CloseUnderPoolLock(bool* closed) {
  std::lock_guard<std::mutex> lock(pool->mu);
  *closed = true;
}

PoolCounts Counts() {
  std::lock_guard<std::mutex> lock(pool->mu);
  return {pool->threads, pool->idle.size(), pool->running.size()};
}

}  // namespace sockcall
