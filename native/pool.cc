// The threads the Promise forms run on (pool.h).
//
// Why our own threads, not AsyncWorker or napi_create_async_work: those run
// on libuv's threadpool (UV_THREADPOOL_SIZE threads, 4 by default). A
// recvfrom blocked there holds a pool thread for as long as no datagram
// comes, so four of them starve fs and dns work, and process.exit() hangs
// because uv_library_shutdown() joins the pool's threads. AsyncWorker also
// cannot stop work that has started.
//
// Threads: one per pending call, and up to kRotation taken in turn for
// calls made one at a time, kept for kLinger once idle, no more than the
// budget (Budget() below); each blocks every signal but kCancelSignal,
// so the only signal that can interrupt its system call is ours.
//
// Cancellation (an AbortSignal, close() of the fd, or the environment going
// away): set the call's cancel flag, then send kCancelSignal to its thread
// with pthread_kill. The handler does nothing on our threads and is
// installed without SA_RESTART, so a blocked call returns EINTR (signal(7),
// "Interruption of system calls and library functions by signal handlers");
// the thread sees the flag and ends the call. A signal that lands after the
// thread checked the flag but before it entered the kernel is lost, so the
// canceller thread (Resignal) sends it again every kResignal until the call
// has left the kernel. An EINTR without the flag (a signal meant for the
// thread's previous call, or sent from outside) is retried, as PEP 475
// (RunToEnd, calls.h).
//
// close(fd) waits until no call pending on fd is in the kernel or on its
// way there (CancelAndAwaitLeaving), then close(2) may free the number: a
// call still on its way (past its flag, before the kernel looks the number
// up; strace's syscall-entry stop holds it there) would otherwise reach
// whatever took the number next. It does not wait for the calls to be
// handed back: each thread counts itself out (Left) before it takes the
// pool's lock. The signals are sent without the lock.
//
// Hand-off: an idle thread waits on a futex word of its own, bumped under
// the pool's lock and woken after it is released; a finished call is
// handed back (the threadsafe function) before the lock is taken. Either
// under the lock, the woken thread ran at once, on this 2-core machine
// often on the same core, only to block on the lock again.
//
// The signal is ours alone: the JavaScript threads block it (setup()), the
// threads they start inherit that, and a thread that was running before
// (V8's platform threads) and takes one from outside (kill -37) blocks it
// from then on, through the mask the handler returns to (sigreturn(2)
// restores uc_sigmask). So `kill -SIGRTMIN+3` interrupts none of Node's
// own system calls, fs.readSync on a pipe included.
#include "pool.h"

#include <linux/futex.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace sockcall {
namespace {

constexpr auto kLinger = std::chrono::milliseconds(1000);
// A script that awaits each call before the next (the article's loop, a
// request and its reply) would, with one thread, wake that thread every
// call on the core it has just left idle, and the JavaScript thread on the
// other; on this 2-core VM a round trip then took 52-55 us. Four threads
// taken in turn, as libuv's pool of four takes them through its condition
// variable (the pool koffi's .async() runs on), bring it to 33-36 us: the
// thread woken is one that slept longer, and perf stat counts 18,943 of
// 44,142 wake-ups done in the process (the woken thread queued on a busy
// core) against 281 with one thread (the rest by an interrupt to an idle
// core). The same in C: 55.8 us with one thread, 30-33 with four in turn.
// bench workload 2b measures it.
constexpr size_t kRotation = 4;
// How long the canceller waits for a cancelled call to leave the kernel
// before sending the signal again (the lost-signal window is a few
// instructions wide).
constexpr auto kResignal = std::chrono::microseconds(500);
constexpr char kThreadName[] = "sockcall";

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kStackSize = 1 << 20;
#else
// The thread runs one system call and the code around it; glibc adds the
// guard page. Pages never touched cost no memory.
constexpr size_t kStackSize = 128 << 10;
#endif

int CancelSignal() { return SIGRTMIN + 3; }

}  // namespace

// A CancelAndWait's count of the calls it waits for (pool.h): `left` for
// a teardown, counted down by Finish() under the pool's lock; `out` for a
// close(), counted down by each thread as its call leaves the kernel,
// without the lock, the last one waking the closer with FUTEX_WAKE.
struct Waiter {
  size_t left = 0;
  std::condition_variable done;
  std::atomic<uint32_t> out{0};
};
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) && std::atomic<uint32_t>::is_always_lock_free,
              "a futex word");

namespace {

struct PoolThread {
  pthread_t thread{};
  // A futex word, bumped under the pool's lock when a call is given to the
  // thread and then woken without the lock (Dispatch()).
  std::atomic<uint32_t> given{0};
  PendingCall* call = nullptr;
  size_t slot = 0;  // its index in the idle list, while idle
};

// Process-wide, never destroyed: threads may still be running while the
// process exits, and must not find a destroyed mutex.
struct Pool {
  std::mutex mu;
  std::condition_variable left;  // a call has left the kernel
  std::vector<PoolThread*> idle;
  std::vector<PendingCall*> running;  // calls given to a thread, not finished
  size_t threads = 0;
  // Cancelled calls still in the kernel, each with a reference held, that
  // the canceller thread signals again until they leave.
  std::vector<PendingCall*> cancelling;
  std::condition_variable cancelled;  // cancelling has become non-empty
  bool canceller = false;
  size_t budget = 0;  // 0: not computed yet
  const char* bound = "";
  size_t signals = 0;  // cancel signals sent, for the tests of cancellation's cost
  // close()s sending signals without the lock: while any is, no thread
  // exits, so that every pthread_t they hold is a live thread's.
  size_t signalling = 0;
  // CancelAndWaits that wait on `left`, rescanning (their calls had a
  // waiter already, or there was no memory to list them).
  size_t rescanning = 0;
  // The Waiters of close()s, reused and never freed: the last thread to
  // count one down may still be in FUTEX_WAKE on it when the closer has
  // returned.
  std::vector<Waiter*> spare_waiters;
};
// What a call's `leaving` holds once its thread has left the kernel.
Waiter left_kernel;
Pool* pool = new Pool;  // never deleted, see above

// ---- the budget ----------------------------------------------------------------

long ReadLong(const char* path) {
  std::ifstream in(path);
  long v = -1;
  if (!(in >> v)) return -1;
  return v;
}

// The value of a "Key:   N" line of /proc/self/status.
long StatusField(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  size_t n = strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') return std::atol(line.c_str() + n + 1);
  }
  return -1;
}

long CountLines(const char* path) {
  std::ifstream in(path);
  std::string line;
  long n = 0;
  while (std::getline(in, line)) n++;
  return n;
}

// How many threads the pool may have, from what would otherwise fail
// outside any call's control (an mmap inside V8 or malloc, and so an
// abort) or fail late:
//   RLIMIT_NPROC: threads of the real user (not enforced for root:
//     copy_process() in kernel/fork.c exempts CAP_SYS_RESOURCE/ADMIN);
//   kernel.threads-max and kernel.pid_max, less the threads running now;
//   vm.max_map_count: each thread's stack and guard page are two mappings,
//     and a quarter of the count is left to the rest of the process;
//   RLIMIT_AS and the cgroup's memory.max: each thread reserves its stack,
//     and costs about kCallCost of memory once it has run a call.
// SOCKCALL_MAX_THREADS may only lower it.
void ComputeBudget() {
  constexpr size_t kCallCost = 64 << 10;
  long threads_now = std::max(1L, StatusField("Threads"));
  size_t budget = SIZE_MAX;
  const char* bound = "none";
  auto lower = [&](long limit, const char* why) {
    size_t v = limit < 1 ? 1 : static_cast<size_t>(limit);
    if (v < budget) { budget = v; bound = why; }
  };
  rlimit rl{};
  if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    lower(static_cast<long>(rl.rlim_cur) - threads_now - 8, "RLIMIT_NPROC");
  }
  long threads_max = ReadLong("/proc/sys/kernel/threads-max");
  long pid_max = ReadLong("/proc/sys/kernel/pid_max");
  long system_threads = -1;
  {
    // /proc/loadavg's fourth field: runnable/total scheduling entities.
    std::ifstream in("/proc/loadavg");
    double a, b, c;
    char slash;
    long running;
    if (in >> a >> b >> c >> running >> slash >> system_threads) {}
  }
  if (system_threads < 0) system_threads = 0;
  if (threads_max > 0) lower(threads_max - system_threads - 256, "kernel.threads-max");
  if (pid_max > 0) lower(pid_max - system_threads - 256, "kernel.pid_max");
  long maps_max = ReadLong("/proc/sys/vm/max_map_count");
  if (maps_max > 0) lower((maps_max * 3 / 4 - CountLines("/proc/self/maps")) / 2, "vm.max_map_count");
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    long vm_kib = std::max(0L, StatusField("VmSize"));
    long room = static_cast<long>(rl.rlim_cur) - vm_kib * 1024;
    lower(room / 4 * 3 / static_cast<long>(kStackSize + 4096 + kCallCost), "RLIMIT_AS");
  }
  long mem_max = -1;
  {
    std::ifstream in("/sys/fs/cgroup/memory.max");  // "max", or bytes
    if (!(in >> mem_max)) mem_max = -1;
  }
  if (mem_max > 0) lower(mem_max / 2 / static_cast<long>(kCallCost), "the cgroup's memory.max");
  if (const char* env = getenv("SOCKCALL_MAX_THREADS")) {
    long v = std::atol(env);
    if (v > 0) lower(v, "SOCKCALL_MAX_THREADS");
  }
  pool->budget = budget;
  pool->bound = bound;
}

[[noreturn]] void ThrowOverBudget(Napi::Env env) {
  Napi::Object e = MakeErrnoError(env, EAGAIN, "pthread_create").As<Napi::Object>();
  std::string msg = "[Errno " + std::to_string(EAGAIN) + "] " + strerror(EAGAIN) + ": " +
                    std::to_string(pool->budget) + " Promise-form calls are pending, the most this process can " +
                    "hold (bound by " + pool->bound + "; README, Reliability)";
  e.Set("message", Napi::String::New(env, msg));
  throw Napi::Error(env, e);
}

// ---- the signal ----------------------------------------------------------------

// Whether the calling thread is one of ours: by name, as a handler may ask
// (prctl(2) is a system call; thread-local storage of a dlopen()ed object
// may allocate on first use, which a handler must not).
bool OnPoolThread() {
  char name[16] = {};
  prctl(PR_GET_NAME, name, 0, 0, 0);
  return strcmp(name, kThreadName) == 0;
}

pid_t our_pid = 0;  // set with the handler; SI_TKILL from it is a canceller's

void OnCancelSignal(int sig, siginfo_t* info, void* context) {
  // Ours (pthread_kill from this process, to one of our threads): nothing;
  // the system call it interrupted returns EINTR. From outside, on any
  // other thread: block it there from now on, so that the next one goes to
  // a thread that wants it.
  if (info != nullptr && info->si_code == SI_TKILL && info->si_pid == our_pid) return;
  int saved = errno;
  if (!OnPoolThread()) sigaddset(&static_cast<ucontext_t*>(context)->uc_sigmask, sig);
  errno = saved;
}

// ---- running calls -------------------------------------------------------------

// Sends the cancel signal to a thread; the caller holds the pool's lock.
void Signal(pthread_t t) {
  pool->signals++;
  pthread_kill(t, CancelSignal());
}

void AddRunning(PendingCall* c) {
  c->slot = pool->running.size();
  pool->running.push_back(c);
}

void RemoveRunning(PendingCall* c) {
  auto& v = pool->running;
  PendingCall* last = v.back();
  v[c->slot] = last;
  last->slot = c->slot;
  v.pop_back();
}

void RemoveIdle(PoolThread* t) {
  auto& v = pool->idle;
  PoolThread* last = v.back();
  v[t->slot] = last;
  last->slot = t->slot;
  v.pop_back();
}

void Execute(PendingCall* c) {
  if (!RunToEnd(c->op.get(), &c->cancel)) {
    c->status = c->ending.load(std::memory_order_acquire);
    return;
  }
  c->status = c->op->ret >= 0 ? kOk : kError;
}

// Under the pool's lock.
void Finish(PendingCall* c) {
  RemoveRunning(c);
  c->finished = true;
  if (c->waiter != nullptr && --c->waiter->left == 0) c->waiter->done.notify_one();
  if (pool->rescanning > 0) pool->left.notify_all();
}

// futex(2) on a Waiter's `out`: glibc has no wrapper, and a condition
// variable would need the pool's lock, which 10,000 threads leaving at once
// queue on (the cost close() waited for before).
void FutexWake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}
// False when `timeout` passed.
bool FutexWait(std::atomic<uint32_t>* word, uint32_t seen, std::chrono::microseconds timeout) {
  auto us = timeout.count();
  timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>(us % 1000000 * 1000)};
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, seen, &ts, nullptr, 0) == 0 ||
         errno != ETIMEDOUT;
}

// On the call's thread, once RunToEnd has returned: the call is out of the
// kernel and will not enter it again, which is all a close() waits for.
void Left(PendingCall* c) {
  Waiter* w = c->leaving.exchange(&left_kernel, std::memory_order_acq_rel);
  if (w != nullptr && w->out.fetch_sub(1, std::memory_order_acq_rel) == 1) FutexWake(&w->out);
}

void* ThreadMain(void* arg) {
  auto* t = static_cast<PoolThread*>(arg);
  // Named, so that ps -L, top -H, gdb, the tests and OnCancelSignal can
  // tell these threads.
  prctl(PR_SET_NAME, kThreadName, 0, 0, 0);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, CancelSignal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::unique_lock<std::mutex> lock(pool->mu);
  for (;;) {
    while (t->call == nullptr) {
      uint32_t seen = t->given.load(std::memory_order_relaxed);
      lock.unlock();
      bool woken = FutexWait(&t->given, seen, kLinger);
      lock.lock();
      if (!woken && t->call == nullptr && pool->signalling == 0) {
        RemoveIdle(t);
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
    Left(c);
    // Handed back before the lock is taken: the threadsafe function wakes
    // the JavaScript thread, which would otherwise run (on this core,
    // often) only to block on the lock in its next Dispatch(). The
    // reference kept for Finish(): the delivery may release the call's own
    // before this thread has finished it.
    c->Retain();
    HandBack(c);
    // The lock taken once on the way out: finished and idle (10,000
    // threads woken at once queue on it).
    lock.lock();
    Finish(c);
    c->Release();
    // Never allocates: Dispatch() reserved a place for every thread.
    t->slot = pool->idle.size();
    pool->idle.push_back(t);
  }
}

// Tells a call's thread to end it: the first canceller's `ending` stands.
void SetCancel(PendingCall* c, int ending) {
  int none = 0;
  c->ending.compare_exchange_strong(none, ending, std::memory_order_acq_rel);
  c->cancel.store(true, std::memory_order_release);
}

// Marks a running call cancelled and signals its thread; the caller holds
// the pool's lock. False when the call has already finished.
bool MarkCancelled(PendingCall* c, int ending, bool signal = true) {
  if (c->finished) return false;
  SetCancel(c, ending);
  if (!signal) {
    c->unsignalled = true;
  } else if (c->has_thread) {
    Signal(c->thread);
  }
  return true;
}

// The canceller: sends the signal again to the cancelled calls still in
// the kernel when kResignal has passed without one of them finishing (a
// signal lost in the window before the thread entered the kernel), and
// sleeps while there is none. While 10,000 threads woken at once are still
// on their way out, it sends nothing more.
// (It sleeps without the lock: woken by each call that finishes, it would
// scan the list once per call.)
void* Resignal(void*) {
  std::unique_lock<std::mutex> lock(pool->mu);
  size_t seen = 0;  // the list's length after the last round
  for (;;) {
    while (pool->cancelling.empty()) pool->cancelled.wait(lock);
    // First the signals an abort of many left to send (CancelMany): here,
    // so that the JavaScript thread is not the one each woken thread
    // preempts.
    for (PendingCall* c : pool->cancelling) {
      if (!c->unsignalled || c->finished) continue;
      c->unsignalled = false;
      if (c->has_thread) Signal(c->thread);
    }
    lock.unlock();
    std::this_thread::sleep_for(kResignal);
    lock.lock();
    auto& v = pool->cancelling;
    size_t before = v.size();
    for (size_t i = 0; i < v.size();) {
      PendingCall* c = v[i];
      if (c->finished) {
        v[i] = v.back();
        v.pop_back();
        c->Release();
        continue;
      }
      i++;
    }
    // No call left the kernel since the last round (and none was added):
    // signal the rest again.
    if (!v.empty() && v.size() == before && before <= seen) {
      for (PendingCall* c : v) if (c->has_thread) Signal(c->thread);
    }
    seen = v.size();
  }
}

// Hands a cancelled call to the canceller, which holds a reference to it;
// the caller holds the pool's lock. Throws bad_alloc before changing anything.
void Follow(PendingCall* c) {
  pool->cancelling.reserve(pool->cancelling.size() + 1);
  if (!pool->canceller) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 << 10);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    // Should it fail, the one signal already sent must do (as it almost
    // always does); the next cancellation tries again.
    if (pthread_create(&t, &attr, Resignal, nullptr) == 0) {
      pthread_setname_np(t, "sockcall-cancel");
      pool->canceller = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    pthread_attr_destroy(&attr);
  }
  c->Retain();
  if (pool->cancelling.empty()) pool->cancelled.notify_one();
  pool->cancelling.push_back(c);
}

}  // namespace

void InstallCancelSignal() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnCancelSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;  // no SA_RESTART: the blocked call must return EINTR
    our_pid = getpid();
    sigaction(CancelSignal(), &sa, nullptr);
  });
  // This JavaScript thread never takes it, nor the threads it starts from
  // now on (libuv's threadpool, Workers, the pool's own, which unblock it).
  // A child process starts with an empty mask: libuv resets it before
  // execve (uv__process_child_init).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, CancelSignal());
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// The idle thread a call goes to: of the kRotation threads most recently
// idle, the one idle longest; the list keeps its order (O(kRotation)).
PoolThread* TakeIdle() {
  auto& v = pool->idle;
  size_t i = v.size() > kRotation ? v.size() - kRotation : 0;
  PoolThread* t = v[i];
  for (; i + 1 < v.size(); i++) {
    v[i] = v[i + 1];
    v[i]->slot = i;
  }
  v.pop_back();
  return t;
}

// Gives the call to an idle thread and wakes it; releases the lock.
void GiveToIdle(PendingCall* c, std::unique_lock<std::mutex>& lock) {
  AddRunning(c);  // running never shrinks its capacity: see below
  PoolThread* t = TakeIdle();
  t->call = c;
  t->given.fetch_add(1, std::memory_order_relaxed);
  // Woken once the lock is released: woken under it, the thread would run
  // at once (on this core, often) only to block on the lock, two context
  // switches more a call. The thread cannot have exited meanwhile: it
  // exits only once idle for kLinger after running this call. (A
  // FUTEX_WAKE touches no memory: futex(2), FUTEX_PRIVATE_FLAG keys are
  // the address alone.)
  lock.unlock();
  FutexWake(&t->given);
}

void Dispatch(Napi::Env env, PendingCall* c) {
  std::unique_lock<std::mutex> lock(pool->mu);
  if (pool->budget == 0) ComputeBudget();
  // Up to kRotation threads are started before an idle one is given a
  // call (see kRotation); past the budget, or when a thread cannot be
  // started, an idle one takes the call all the same.
  bool start = pool->threads < kRotation;
  if (!pool->idle.empty() && (!start || pool->threads >= pool->budget)) return GiveToIdle(c, lock);
  if (pool->threads >= pool->budget) {
    lock.unlock();
    ThrowOverBudget(env);
  }
  PoolThread* t = nullptr;
  try {
    // Room for every thread in both lists, reserved here, where a failure
    // is this call's error: a thread going idle, or a call starting on an
    // idle thread, then never allocates.
    pool->idle.reserve(pool->threads + 1);
    pool->running.reserve(pool->threads + 1);
    t = new PoolThread;
  } catch (const std::bad_alloc&) {
    if (!pool->idle.empty()) return GiveToIdle(c, lock);
    lock.unlock();
    ThrowErrno(env, ENOMEM, "pthread_create");
  }
  AddRunning(c);
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
    delete t;
    if (!pool->idle.empty()) return GiveToIdle(c, lock);
    lock.unlock();
    ThrowErrno(env, err, "pthread_create");
  }
  pool->threads++;
}

bool CancelOne(PendingCall* c, int ending) {
  std::lock_guard<std::mutex> lock(pool->mu);
  if (!MarkCancelled(c, ending)) return false;
  try {
    Follow(c);
  } catch (const std::bad_alloc&) {
    // Not followed: the signal already sent almost always suffices.
  }
  return true;
}

namespace {

// close(): every matched call marked and signalled in one pass, then a wait
// for each to leave the kernel (Left()), not to finish. A call in the
// kernel holds a reference to the file (fdget() in a process of many
// threads), so the number is safe from reuse only once no call is there or
// on its way there; then close(2) may free it. The threads queue on the
// pool's lock to finish and deliver after close() has returned: of the
// 227-273 ms a close() of 10,000 pending calls took when it waited for
// Finish(), that queue was more than half (README, Reliability).
// False, having changed nothing, without the memory to list the calls.
bool CancelAndAwaitLeaving(std::unique_lock<std::mutex>& lock, bool (*match)(const PendingCall*, const void*),
                           const void* arg, int ending, int closed) {
  // The calls this close() counts, from the front; from the back, those
  // another close() of the same number already counts (two environments).
  std::vector<PendingCall*> list;
  size_t mine = 0, theirs = 0;
  std::vector<pthread_t> threads;  // to signal once the lock is released
  try {
    list.resize(pool->running.size());
    threads.reserve(pool->running.size());
    if (pool->spare_waiters.empty()) pool->spare_waiters.push_back(new Waiter);
  } catch (const std::bad_alloc&) {
    return false;
  }
  Waiter* w = pool->spare_waiters.back();
  pool->spare_waiters.pop_back();
  w->out.store(0, std::memory_order_relaxed);
  for (PendingCall* c : pool->running) {
    if (!match(c, arg) || c->finished) continue;
    // Counted before it is published, so that the thread's count-down can
    // never come first.
    w->out.fetch_add(1, std::memory_order_relaxed);
    Waiter* before = nullptr;
    if (!c->leaving.compare_exchange_strong(before, w, std::memory_order_acq_rel)) {
      w->out.fetch_sub(1, std::memory_order_relaxed);
      // Out of the kernel already: its result stands and it never enters
      // again.
      if (before == &left_kernel) continue;
      list[list.size() - ++theirs] = c;
    } else {
      list[mine++] = c;
    }
    if (c->ending.load(std::memory_order_acquire) == 0) c->closed_fd.store(closed, std::memory_order_relaxed);
    SetCancel(c, ending);
    if (c->has_thread) threads.push_back(c->thread);
    c->Retain();
  }
  auto matched = [&](auto f) {
    for (size_t i = 0; i < mine; i++) f(list[i]);
    for (size_t i = list.size() - theirs; i < list.size(); i++) f(list[i]);
  };
  auto out = [](const PendingCall* c) { return c->leaving.load(std::memory_order_acquire) == &left_kernel; };
  // The signals sent without the lock: each woken thread then finishes
  // without waiting for this one's lock and blocking on it, two context
  // switches fewer a call on this thread's core. No thread exits while
  // `signalling` (ThreadMain), so each pthread_t names a live thread; one
  // that has moved on to another call takes an EINTR it retries (RunToEnd).
  pool->signalling++;
  pool->signals += threads.size();
  lock.unlock();
  for (pthread_t t : threads) pthread_kill(t, CancelSignal());
  lock.lock();
  pool->signalling--;
  lock.unlock();
  uint32_t seen = w->out.load(std::memory_order_acquire);
  for (;;) {
    uint32_t now = w->out.load(std::memory_order_acquire);
    bool theirs_out = std::all_of(list.end() - theirs, list.end(), out);
    if (now == 0 && theirs_out) break;
    // Woken by the last thread out (or the count changed): look again.
    if (now != 0 && FutexWait(&w->out, now, kResignal)) continue;
    // Calls another close() is told of: looked at every kResignal.
    if (now == 0) std::this_thread::sleep_for(kResignal);
    // kResignal without one call leaving: a signal lost before its thread
    // entered the kernel. Sent again to those still in.
    if (now == seen) {
      lock.lock();
      matched([&](PendingCall* c) { if (!out(c) && c->has_thread && !c->finished) Signal(c->thread); });
      lock.unlock();
    }
    seen = now;
  }
  lock.lock();
  matched([](PendingCall* c) { c->Release(); });
  pool->spare_waiters.push_back(w);  // never allocates: it held w before
  return true;
}

}  // namespace

// Every matched call is marked and signalled in one pass, and the wait is
// for the last of them, told by the last to finish; each is signalled
// again only when kResignal passes with calls still in the kernel. The
// work is linear in the calls running, however many match (10,000 pending
// on one socket, or in an environment going away).
void CancelAndWait(bool (*match)(const PendingCall*, const void*), const void* arg, int ending, int closed) {
  std::unique_lock<std::mutex> lock(pool->mu);
  if (closed >= 0 && CancelAndAwaitLeaving(lock, match, arg, ending, closed)) return;
  Waiter w;
  std::vector<PendingCall*> matched;
  bool listed = true;
  try {
    matched.reserve(pool->running.size());
  } catch (const std::bad_alloc&) {
    listed = false;
  }
  bool shared = false;  // a call already waited for by another close()
  for (PendingCall* c : pool->running) {
    if (!match(c, arg)) continue;
    if (closed >= 0 && c->ending.load(std::memory_order_acquire) == 0) c->closed_fd.store(closed, std::memory_order_relaxed);
    MarkCancelled(c, ending);
    if (!listed) continue;
    c->Retain();
    matched.push_back(c);
    if (c->waiter == nullptr) {
      c->waiter = &w;
      w.left++;
    } else {
      shared = true;
    }
  }
  auto resignal = [&] {
    for (PendingCall* c : matched) if (!c->finished && c->has_thread) Signal(c->thread);
  };
  if (!listed || shared) {
    // Wait on `left` and rescan: without memory for the list, every running
    // call that matches; with it, the list (slow, but sure, and rare).
    pool->rescanning++;
    for (;;) {
      bool any = false;
      if (listed) {
        any = std::any_of(matched.begin(), matched.end(), [](const PendingCall* c) { return !c->finished; });
      } else {
        for (PendingCall* c : pool->running) any = any || match(c, arg);
      }
      if (!any) break;
      if (pool->left.wait_for(lock, kResignal) == std::cv_status::timeout) {
        if (listed) {
          resignal();
        } else {
          for (PendingCall* c : pool->running) if (match(c, arg) && c->has_thread) Signal(c->thread);
        }
      }
    }
    pool->rescanning--;
  } else {
    // Signalled again only when kResignal passed with no call finishing: a
    // lost signal, not 10,000 threads still on their way out.
    size_t seen = w.left;
    while (w.left > 0) {
      if (w.done.wait_for(lock, kResignal) != std::cv_status::timeout) continue;
      if (w.left == seen) resignal();
      seen = w.left;
    }
  }
  for (PendingCall* c : matched) {
    if (c->waiter == &w) c->waiter = nullptr;
    c->Release();
  }
}

// Cancels the calls of a list at once (one AbortSignal shared by them),
// without waiting, under one taking of the lock.
size_t CancelMany(PendingCall* const* calls, size_t n, int ending) {
  std::lock_guard<std::mutex> lock(pool->mu);
  size_t cancelled = 0;
  bool followed = true;
  for (size_t i = 0; i < n; i++) {
    PendingCall* c = calls[i];
    if (c->finished) continue;
    cancelled++;
    // The canceller sends the signals (Resignal), if it can be had.
    try {
      if (followed) Follow(c);
    } catch (const std::bad_alloc&) {
      followed = false;
    }
    MarkCancelled(c, ending, /*signal=*/!followed || !pool->canceller);
  }
  if (followed && cancelled > 0) pool->cancelled.notify_one();
  return cancelled;
}

void EndPendingCallsOn(int fd) {
  CancelAndWait([](const PendingCall* c, const void* f) { return c->op->Uses(*static_cast<const int*>(f)); }, &fd,
                kClosed, fd);
}

void CloseUnderPoolLock(std::atomic<bool>* closed) {
  std::lock_guard<std::mutex> lock(pool->mu);
  closed->store(true, std::memory_order_release);
}

PoolCounts Counts() {
  std::lock_guard<std::mutex> lock(pool->mu);
  if (pool->budget == 0) ComputeBudget();
  return {pool->threads, pool->idle.size(), pool->running.size(), pool->budget, pool->bound, pool->signals};
}

}  // namespace sockcall
