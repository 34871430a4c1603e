// The C reference for `npm run bench`: the same loops as the other
// contenders, written the way a C programmer would, compiled at bench time
// with `cc -O2`. It is the limit sockcall is measured against.
//
//   bench rt          sync round trip: send, then recvfrom into a reused buffer
//   bench gso         getsockopt(SO_ERROR) alone
//   bench async-pending  recvfrom started on a worker pthread, then send
//   bench async-send     send, then recvfrom on a worker pthread
//   bench async-pending-turns, async-send-turns   the same over four worker
//                        pthreads taken in turn
//   bench recv        receive throughput: count datagrams until the end marker
//   bench recv-mmsg   the same with recvmmsg(2) of up to 64, MSG_WAITFORONE
//   bench send PORT COUNT ROUND   the sender process for `recv` (all contenders)
//   bench send-mmsg PORT COUNT ROUND   the same, 64 datagrams a sendmmsg(2)
//   bench pending N   N threads blocked in recvfrom: memory, threads, times
//   bench close N     N threads blocked in recvfrom, ended as sockcall's
//                     close() ends them: the floor of that guarantee
//
// Every mode but `send` and `pending` speaks bench/lib/proc.ts's protocol:
// it prints "ready {json}" once set up, then answers each "run N [ROUND]"
// line on stdin with one JSON line, until "quit" or end of input.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 64
#define BUFSIZE 2048
#define END_SEQ 0xffffffffu
// Workload 5: datagrams in flight at once while resolving the pending calls.
#define WINDOW 64

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "bench.c: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int udp_bound(struct sockaddr_in *out) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  socklen_t len = sizeof *out;
  if (getsockname(fd, (struct sockaddr *)out, &len) < 0) die("getsockname");
  return fd;
}

// Two UDP sockets on 127.0.0.1, each connected to the other.
static void udp_pair(int *a, int *b) {
  struct sockaddr_in sa, sb;
  *a = udp_bound(&sa);
  *b = udp_bound(&sb);
  if (connect(*a, (struct sockaddr *)&sb, sizeof sb) < 0) die("connect");
  if (connect(*b, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
}

// Reads "run N [ROUND]"; returns 0 on "quit" or end of input.
static int next_run(long *n, unsigned *round) {
  char line[256];
  for (;;) {
    if (!fgets(line, sizeof line, stdin)) return 0;
    if (strncmp(line, "quit", 4) == 0) return 0;
    *round = 0;
    if (sscanf(line, "run %ld %u", n, round) >= 1) return 1;
  }
}

static int a_fd, b_fd;
static char msg[PAYLOAD];
static char buf[BUFSIZE];

static void mode_rt(void) {
  udp_pair(&a_fd, &b_fd);
  printf("ready {}\n");
  fflush(stdout);
  long n;
  unsigned round;
  while (next_run(&n, &round)) {
    struct sockaddr_in from;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
      if (send(a_fd, msg, sizeof msg, 0) < 0) die("send");
      socklen_t fl = sizeof from;
      if (recvfrom(b_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) < 0) die("recvfrom");
    }
    printf("{\"ns\":%.0f,\"n\":%ld}\n", now_ns() - t0, n);
    fflush(stdout);
  }
}

static void mode_gso(void) {
  udp_pair(&a_fd, &b_fd);
  printf("ready {}\n");
  fflush(stdout);
  long n;
  unsigned round;
  while (next_run(&n, &round)) {
    double t0 = now_ns();
    long bad = 0;
    for (long i = 0; i < n; i++) {
      int v = 0;
      socklen_t l = sizeof v;
      if (getsockopt(a_fd, SOL_SOCKET, SO_ERROR, &v, &l) < 0) die("getsockopt");
      bad += v;
    }
    printf("{\"ns\":%.0f,\"n\":%ld,\"errors\":%ld}\n", now_ns() - t0, n, bad);
    fflush(stdout);
  }
}

// The async round trip in C: a worker pthread makes the blocking recvfrom
// and hands the result back through a semaphore (futex), the least a
// "blocking call on another thread" can cost. With `workers` > 1 the calls
// go to the workers in turn, each woken through a semaphore of its own: the
// way libuv's pool of four (koffi's .async()) and sockcall's pool hand
// calls out (kRotation in native/pool.cc). Alone on an otherwise idle
// 2-core VM that is the faster hand-off; in the bench's harness (workload
// 2), one thread is.
#define MAX_WORKERS 4
static sem_t turn[MAX_WORKERS], done;
static volatile long got;

static void *recv_worker(void *arg) {
  sem_t *mine = arg;
  for (;;) {
    while (sem_wait(mine) < 0 && errno == EINTR) {}
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    got = recvfrom(b_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    sem_post(&done);
  }
  return NULL;
}

static void mode_async(int pending_first, int workers) {
  udp_pair(&a_fd, &b_fd);
  sem_init(&done, 0, 0);
  for (int i = 0; i < workers; i++) {
    sem_init(&turn[i], 0, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, recv_worker, &turn[i]) != 0) die("pthread_create");
  }
  printf("ready {}\n");
  fflush(stdout);
  long n;
  unsigned round;
  unsigned next = 0;
  while (next_run(&n, &round)) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
      sem_t *w = &turn[next++ % (unsigned)workers];
      if (pending_first) {
        sem_post(w);
        if (send(a_fd, msg, sizeof msg, 0) < 0) die("send");
      } else {
        if (send(a_fd, msg, sizeof msg, 0) < 0) die("send");
        sem_post(w);
      }
      while (sem_wait(&done) < 0 && errno == EINTR) {}
      if (got < 0) die("recvfrom");
    }
    printf("{\"ns\":%.0f,\"n\":%ld}\n", now_ns() - t0, n);
    fflush(stdout);
  }
}

// Receive throughput: datagrams carry [round u32][seq u32]; the sender ends
// a round with END_SEQ markers. Counts this round's data datagrams. With
// `batch`, recvmmsg(2) of up to MMSG_BATCH with MSG_WAITFORONE (as
// sockcall's recvmmsg rows): what batching the receive saves in C, where no
// runtime stands between the loop and the kernel.
enum { MMSG_BATCH = 64 };
static void mode_recv(int batch) {
  struct sockaddr_in sa;
  int fd = udp_bound(&sa);
  printf("ready {\"port\":%d}\n", ntohs(sa.sin_port));
  fflush(stdout);
  static char bufs[MMSG_BATCH][BUFSIZE];
  static struct sockaddr_in froms[MMSG_BATCH];
  struct iovec iov[MMSG_BATCH];
  struct mmsghdr msgs[MMSG_BATCH];
  long n;
  unsigned round;
  while (next_run(&n, &round)) {
    printf("armed\n");
    fflush(stdout);
    long count = 0;
    double first = 0, end = 0;
    while (end == 0) {
      int got = 1;
      if (batch) {
        memset(msgs, 0, sizeof msgs);
        for (int k = 0; k < MMSG_BATCH; k++) {
          iov[k].iov_base = bufs[k];
          iov[k].iov_len = BUFSIZE;
          msgs[k].msg_hdr.msg_iov = &iov[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
          msgs[k].msg_hdr.msg_name = &froms[k];
          msgs[k].msg_hdr.msg_namelen = sizeof froms[k];
        }
        got = recvmmsg(fd, msgs, MMSG_BATCH, MSG_WAITFORONE, NULL);
        if (got < 0) die("recvmmsg");
      } else {
        socklen_t fl = sizeof froms[0];
        ssize_t k = recvfrom(fd, bufs[0], BUFSIZE, 0, (struct sockaddr *)&froms[0], &fl);
        if (k < 0) die("recvfrom");
        msgs[0].msg_len = (unsigned)k;
      }
      for (int k = 0; k < got; k++) {
        if (msgs[k].msg_len < 8) continue;
        uint32_t r, seq;
        memcpy(&r, bufs[k], 4);
        memcpy(&seq, bufs[k] + 4, 4);
        if (r != round) continue;
        if (seq == END_SEQ) {
          end = now_ns();
          break;
        }
        if (count++ == 0) first = now_ns();
      }
    }
    printf("{\"ns\":%.0f,\"received\":%ld}\n", count ? end - first : 0, count);
    fflush(stdout);
  }
}

// The sender, shared by every receiver: COUNT data datagrams as fast as
// send(2) goes, then an end marker every millisecond until it is killed
// (or after 120 s). Prints how long the data took to send.
static void mode_send(int port, long count, unsigned round, int batch) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in to = {0};
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t)port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  char d[PAYLOAD] = {0};
  memcpy(d, &round, 4);
  long failed = 0;
  double t0 = now_ns();
  if (batch) {
    // As fast as the kernel takes them: MMSG_BATCH datagrams a system call.
    static char data[MMSG_BATCH][PAYLOAD];
    struct iovec iov[MMSG_BATCH];
    struct mmsghdr msgs[MMSG_BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int k = 0; k < MMSG_BATCH; k++) {
      memcpy(data[k], &round, 4);
      iov[k].iov_base = data[k];
      iov[k].iov_len = PAYLOAD;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    for (long i = 0; i < count;) {
      int n = count - i < MMSG_BATCH ? (int)(count - i) : MMSG_BATCH;
      for (int k = 0; k < n; k++) {
        uint32_t seq = (uint32_t)(i + k);
        memcpy(data[k] + 4, &seq, 4);
      }
      int sent = sendmmsg(fd, msgs, (unsigned)n, 0);
      if (sent <= 0) {
        failed += n;
        i += n;
      } else {
        i += sent;
      }
    }
  } else {
    for (long i = 0; i < count; i++) {
      uint32_t seq = (uint32_t)i;
      memcpy(d + 4, &seq, 4);
      if (send(fd, d, sizeof d, 0) < 0) failed++;
    }
  }
  double t1 = now_ns();
  printf("{\"send_ns\":%.0f,\"sent\":%ld,\"send_failed\":%ld}\n", t1 - t0, count - failed, failed);
  fflush(stdout);
  uint32_t end = END_SEQ;
  memcpy(d + 4, &end, 4);
  for (int i = 0; i < 120000; i++) {
    send(fd, d, sizeof d, 0);
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
}

// N threads each blocked in recvfrom on one socket; then N datagrams.
static long status_field(const char *name) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  size_t n = strlen(name);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, name, n) == 0 && line[n] == ':') {
      v = atol(line + n + 1);
      break;
    }
  }
  fclose(f);
  return v;
}

static volatile long remaining;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *pending_worker(void *arg) {
  (void)arg;
  char b[BUFSIZE];
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  if (recvfrom(b_fd, b, sizeof b, 0, (struct sockaddr *)&from, &fl) < 0) die("recvfrom");
  pthread_mutex_lock(&mu);
  long left = --remaining;
  pthread_mutex_unlock(&mu);
  if (left == 0) sem_post(&done);
  return NULL;
}

static void mode_pending(long n) {
  udp_pair(&a_fd, &b_fd);
  sem_init(&done, 0, 0);
  remaining = n;
  long rss0 = status_field("VmRSS"), threads0 = status_field("Threads");
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    pthread_t t;
    int e = pthread_create(&t, &attr, pending_worker, NULL);
    if (e != 0) {
      errno = e;
      die("pthread_create");
    }
  }
  double t1 = now_ns();
  struct timespec settle = {0, 300000000};
  nanosleep(&settle, NULL);
  long rss1 = status_field("VmRSS"), threads1 = status_field("Threads");
  double t2 = now_ns();
  // At most WINDOW datagrams not yet taken by a thread: more would overflow
  // the socket's receive buffer, and a lost datagram leaves a thread
  // blocked for ever.
  for (long sent = 0; sent < n;) {
    pthread_mutex_lock(&mu);
    long taken = n - remaining;
    pthread_mutex_unlock(&mu);
    if (sent - taken >= WINDOW) {
      sched_yield();
      continue;
    }
    if (send(a_fd, msg, sizeof msg, 0) < 0) die("send");
    sent++;
  }
  while (sem_wait(&done) < 0 && errno == EINTR) {}
  double t3 = now_ns();
  printf("{\"start_ns\":%.0f,\"resolve_ns\":%.0f,\"rss_before_kib\":%ld,\"rss_pending_kib\":%ld,"
         "\"threads_before\":%ld,\"threads_pending\":%ld}\n",
         t1 - t0, t3 - t2, rss0, rss1, threads0, threads1);
  fflush(stdout);
}

// Workload 6: what a close() must do before close(2) when threads are
// blocked in recvfrom on the fd, if the number is never to reach a call
// that was pending on it: set each call's flag, send each thread a signal
// (installed without SA_RESTART, so recvfrom returns EINTR: signal(7)),
// and wait until every one has left the kernel. The threads then wait, as
// sockcall's idle threads do, rather than exit.
static atomic_long out_left;
static sem_t out_done, park;
static void on_cancel(int sig) { (void)sig; }

// CPU time of every thread of the process, user and system.
static double cpu_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) * 1e3;
}

static void *close_worker(void *arg) {
  (void)arg;
  char b[BUFSIZE];
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGRTMIN + 3);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  atomic_fetch_add(&out_left, 1);
  if (recvfrom(b_fd, b, sizeof b, 0, NULL, NULL) >= 0 || errno != EINTR) die("recvfrom: not EINTR");
  if (atomic_fetch_sub(&out_left, 1) == 1) sem_post(&out_done);
  while (sem_wait(&park) < 0 && errno == EINTR) {}
  return NULL;
}

static void mode_close(long n) {
  udp_pair(&a_fd, &b_fd);
  sem_init(&out_done, 0, 0);
  sem_init(&park, 0, 0);
  struct sigaction sa = {0};
  sa.sa_handler = on_cancel;
  sigaction(SIGRTMIN + 3, &sa, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGRTMIN + 3);
  pthread_sigmask(SIG_BLOCK, &set, NULL);  // inherited: each worker unblocks it
  pthread_t *threads = calloc((size_t)n, sizeof *threads);
  if (threads == NULL) die("calloc");
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 << 10);  // as sockcall's pool (native/pool.cc)
  for (long i = 0; i < n; i++) {
    int e = pthread_create(&threads[i], &attr, close_worker, NULL);
    if (e != 0) {
      errno = e;
      die("pthread_create");
    }
  }
  while (atomic_load(&out_left) < n) usleep(1000);
  struct timespec settle = {0, 300000000};
  nanosleep(&settle, NULL);
  double c0 = cpu_ns(), t0 = now_ns();
  for (long i = 0; i < n; i++) pthread_kill(threads[i], SIGRTMIN + 3);
  while (sem_wait(&out_done) < 0 && errno == EINTR) {}
  if (close(b_fd) < 0) die("close");
  double t1 = now_ns(), c1 = cpu_ns();
  printf("{\"close_ns\":%.0f,\"cpu_ns\":%.0f}\n", t1 - t0, c1 - c0);
  fflush(stdout);
  _exit(0);  // the parked threads die with the process
}

int main(int argc, char **argv) {
  memset(msg, 1, sizeof msg);
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "rt") == 0) mode_rt();
  else if (strcmp(mode, "gso") == 0) mode_gso();
  else if (strcmp(mode, "async-pending") == 0) mode_async(1, 1);
  else if (strcmp(mode, "async-pending-turns") == 0) mode_async(1, MAX_WORKERS);
  else if (strcmp(mode, "async-send-turns") == 0) mode_async(0, MAX_WORKERS);
  else if (strcmp(mode, "async-send") == 0) mode_async(0, 1);
  else if (strcmp(mode, "recv") == 0) mode_recv(0);
  else if (strcmp(mode, "recv-mmsg") == 0) mode_recv(1);
  else if (strcmp(mode, "send") == 0 && argc == 5) mode_send(atoi(argv[2]), atol(argv[3]), (unsigned)atol(argv[4]), 0);
  else if (strcmp(mode, "send-mmsg") == 0 && argc == 5) mode_send(atoi(argv[2]), atol(argv[3]), (unsigned)atol(argv[4]), 1);
  else if (strcmp(mode, "pending") == 0 && argc == 3) mode_pending(atol(argv[2]));
  else if (strcmp(mode, "close") == 0 && argc == 3) mode_close(atol(argv[2]));
  else {
    fprintf(stderr, "usage: bench rt|gso|async-pending|async-send|async-pending-turns|async-send-turns|recv|recv-mmsg|send PORT COUNT ROUND|pending N|close N\n");
    return 2;
  }
  return 0;
}
