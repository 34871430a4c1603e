// The tracer (see trace.h): strace(1)'s syntax for the calls sockcall makes.
// The decoding follows strace 6's output for these calls, checked line by
// line against strace itself by test/tracer.test.ts.
#include "trace.h"

#include "names.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <mutex>

namespace sockcall {
namespace trace {

std::atomic<bool> enabled{false};

namespace {

int out_fd = -1;
// The trace file's identity: JavaScript can close any fd (fs.closeSync,
// sys.close), and the number may then be given to a socket, whose peer
// would receive every later line. Each write first checks that out_fd is
// still this file.
dev_t out_dev = 0;
ino_t out_ino = 0;
pid_t pid = 0;  // strace -f prints no [pid N] for the process's first thread

// strace's default string limit (-s 32).
constexpr size_t kMaxStr = 32;

pid_t Tid() {
  thread_local pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  return tid;
}

struct Name {
  long value;
  const char* name;
};

template <size_t N>
const char* Find(const Name (&table)[N], long value) {
  for (const Name& n : table) {
    if (n.value == value) return n.name;
  }
  return nullptr;
}

template <size_t N>
std::string Flags(const Name (&table)[N], unsigned long bits) {
  if (bits == 0) return "0";
  std::string out;
  for (const Name& n : table) {
    if (n.value != 0 && (bits & static_cast<unsigned long>(n.value)) == static_cast<unsigned long>(n.value)) {
      if (!out.empty()) out += "|";
      out += n.name;
      bits &= ~static_cast<unsigned long>(n.value);
    }
  }
  if (bits != 0) {
    char hex[32];
    snprintf(hex, sizeof hex, "%#lx", bits);
    if (!out.empty()) out += "|";
    out += hex;
  }
  return out;
}

#define N(x) {x, #x}
const Name kDomains[] = {N(AF_UNSPEC), N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_PACKET), N(AF_NETLINK)};
const Name kTypes[] = {N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_RDM), N(SOCK_SEQPACKET),
                       N(SOCK_DCCP), N(SOCK_PACKET)};
const Name kTypeFlags[] = {N(SOCK_CLOEXEC), N(SOCK_NONBLOCK)};
const Name kIpprotos[] = {N(IPPROTO_IP), N(IPPROTO_ICMP), N(IPPROTO_IGMP), N(IPPROTO_TCP), N(IPPROTO_UDP),
                          N(IPPROTO_IPV6), N(IPPROTO_ICMPV6), N(IPPROTO_RAW), N(IPPROTO_SCTP), N(IPPROTO_UDPLITE)};
const Name kNetlinkProtos[] = {N(NETLINK_ROUTE), N(NETLINK_USERSOCK), N(NETLINK_FIREWALL), N(NETLINK_SOCK_DIAG),
                               N(NETLINK_NFLOG), N(NETLINK_XFRM), N(NETLINK_SELINUX), N(NETLINK_ISCSI),
                               N(NETLINK_AUDIT), N(NETLINK_FIB_LOOKUP), N(NETLINK_CONNECTOR), N(NETLINK_NETFILTER),
                               N(NETLINK_IP6_FW), N(NETLINK_DNRTMSG), N(NETLINK_KOBJECT_UEVENT), N(NETLINK_GENERIC),
                               N(NETLINK_SCSITRANSPORT), N(NETLINK_ECRYPTFS), N(NETLINK_RDMA), N(NETLINK_CRYPTO)};
const Name kEthProtos[] = {N(ETH_P_ALL), N(ETH_P_IP), N(ETH_P_IPV6), N(ETH_P_ARP)};
const Name kMsgFlags[] = {N(MSG_OOB), N(MSG_PEEK), N(MSG_DONTROUTE), N(MSG_CTRUNC), N(MSG_PROXY), N(MSG_TRUNC),
                          N(MSG_DONTWAIT), N(MSG_EOR), N(MSG_WAITALL), N(MSG_FIN), N(MSG_SYN), N(MSG_CONFIRM),
                          N(MSG_RST), N(MSG_ERRQUEUE), N(MSG_NOSIGNAL), N(MSG_MORE), N(MSG_WAITFORONE),
                          N(MSG_BATCH), N(MSG_ZEROCOPY), N(MSG_FASTOPEN), N(MSG_CMSG_CLOEXEC)};
const Name kLevels[] = {{SOL_SOCKET, "SOL_SOCKET"}, {SOL_IP, "SOL_IP"}, {SOL_IPV6, "SOL_IPV6"},
                        {SOL_TCP, "SOL_TCP"}, {SOL_UDP, "SOL_UDP"}, {SOL_PACKET, "SOL_PACKET"},
                        {SOL_ICMPV6, "SOL_ICMPV6"}, {SOL_RAW, "SOL_RAW"}};
// strace names the time options of 64-bit time_t's predecessors *_OLD.
const Name kSoOptions[] = {N(SO_DEBUG), N(SO_REUSEADDR), N(SO_TYPE), N(SO_ERROR), N(SO_DONTROUTE),
                           N(SO_BROADCAST), N(SO_SNDBUF), N(SO_RCVBUF), N(SO_SNDBUFFORCE), N(SO_RCVBUFFORCE),
                           N(SO_KEEPALIVE), N(SO_OOBINLINE), N(SO_NO_CHECK), N(SO_PRIORITY), N(SO_LINGER),
                           N(SO_BSDCOMPAT), N(SO_REUSEPORT), N(SO_PASSCRED), N(SO_PEERCRED), N(SO_RCVLOWAT),
                           N(SO_SNDLOWAT), {20, "SO_RCVTIMEO_OLD"}, {21, "SO_SNDTIMEO_OLD"},
                           N(SO_BINDTODEVICE), {29, "SO_TIMESTAMP_OLD"}, N(SO_ACCEPTCONN),
                           {35, "SO_TIMESTAMPNS_OLD"}, N(SO_MARK), N(SO_PROTOCOL), N(SO_DOMAIN),
                           N(SO_RXQ_OVFL), N(SO_BUSY_POLL), N(SO_INCOMING_CPU), N(SO_ZEROCOPY)};
const Name kIpOptions[] = {N(IP_TOS), N(IP_TTL), N(IP_HDRINCL), N(IP_OPTIONS), N(IP_RECVOPTS), N(IP_RETOPTS),
                           N(IP_PKTINFO), N(IP_MTU_DISCOVER), N(IP_RECVERR), N(IP_RECVTTL), N(IP_RECVTOS),
                           N(IP_MTU), N(IP_FREEBIND), N(IP_TRANSPARENT), N(IP_RECVORIGDSTADDR),
                           N(IP_MULTICAST_IF), N(IP_MULTICAST_TTL), N(IP_MULTICAST_LOOP),
                           N(IP_ADD_MEMBERSHIP), N(IP_DROP_MEMBERSHIP)};
const Name kIpv6Options[] = {N(IPV6_UNICAST_HOPS), N(IPV6_MULTICAST_IF), N(IPV6_MULTICAST_HOPS),
                             N(IPV6_MULTICAST_LOOP), N(IPV6_JOIN_GROUP), N(IPV6_LEAVE_GROUP),
                             N(IPV6_MTU_DISCOVER), N(IPV6_MTU), N(IPV6_RECVERR), N(IPV6_V6ONLY),
                             N(IPV6_RECVPKTINFO), N(IPV6_PKTINFO), N(IPV6_RECVHOPLIMIT), N(IPV6_HOPLIMIT),
                             N(IPV6_TCLASS), N(IPV6_RECVTCLASS), N(IPV6_DONTFRAG)};
const Name kTcpOptions[] = {N(TCP_NODELAY), N(TCP_MAXSEG), N(TCP_CORK), N(TCP_KEEPIDLE), N(TCP_KEEPINTVL),
                            N(TCP_KEEPCNT), N(TCP_INFO), N(TCP_QUICKACK), N(TCP_CONGESTION),
                            N(TCP_USER_TIMEOUT), N(TCP_FASTOPEN), N(TCP_NOTSENT_LOWAT)};
const Name kPollEvents[] = {N(POLLIN), N(POLLPRI), N(POLLOUT), N(POLLERR), N(POLLHUP), N(POLLNVAL),
                            N(POLLRDNORM), N(POLLRDBAND), N(POLLWRNORM), N(POLLWRBAND), N(POLLMSG),
                            N(POLLRDHUP)};
const Name kShut[] = {N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR)};
const Name kPktTypes[] = {N(PACKET_HOST), N(PACKET_BROADCAST), N(PACKET_MULTICAST), N(PACKET_OTHERHOST),
                          N(PACKET_OUTGOING)};
#undef N

void Append(std::string* s, const char* fmt, long v) {
  char buf[64];
  snprintf(buf, sizeof buf, fmt, v);
  *s += buf;
}

// Says once, on stderr, why the trace is not (or no longer) written: the
// user asked for it, so silence would read as "no calls were made".
void Complain(const std::string& what) {
  static std::atomic<bool> said{false};
  if (said.exchange(true)) return;
  std::string msg = "sockcall: SOCKCALL_TRACE: " + what + "; tracing is off\n";
  ssize_t n = write(STDERR_FILENO, msg.data(), msg.size());
  (void)n;
}

std::string ErrnoText(int err) {
  char buf[256];
  return strerror_r(err, buf, sizeof buf);
}

}  // namespace

void Init() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* v = getenv("SOCKCALL_TRACE");
    if (v == nullptr || *v == '\0' || strcmp(v, "0") == 0) return;
    pid = getpid();
    if (strcmp(v, "1") == 0) {
      out_fd = STDERR_FILENO;
    } else {
      // "%p" is the process's id, as in valgrind's --log-file: processes
      // that share the variable (a program and its children) each write a
      // file of their own.
      std::string path = v;
      for (size_t at; (at = path.find("%p")) != std::string::npos;) path.replace(at, 2, std::to_string(pid));
      // The trace holds the data sent and received: readable by the user
      // alone (0600). O_NOFOLLOW: a symlink planted at the path is refused,
      // not followed; O_NONBLOCK: a FIFO with no reader fails with ENXIO
      // instead of blocking the import (open(2), fifo(7)).
      int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
      if (fd < 0) {
        int err = errno;
        Complain("cannot open " + path + ": " + (err == ELOOP ? std::string("it is a symbolic link") : ErrnoText(err)));
        return;
      }
      struct stat st;
      if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        Complain(path + " is not a regular file");
        return;
      }
      // Writes to a regular file never block on a reader; the flag only
      // served the open.
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      out_fd = fd;
      out_dev = st.st_dev;
      out_ino = st.st_ino;
    }
    enabled = true;
  });
}

std::string ErrnoName(int err) {
  // strace's names where two share a value.
  if (err == EAGAIN) return "EAGAIN";
  if (err == EDEADLK) return "EDEADLK";
  if (err == EOPNOTSUPP) return "EOPNOTSUPP";
  const char* name = nullptr;
#define X(e) if (err == e) name = #e;
  SOCKCALL_ERRNO_NAMES(X)
#undef X
  if (name != nullptr) return name;
  return "E" + std::to_string(err);
}

void Emit(const std::string& call, long ret, int err, const timespec& t0, const timespec& t1,
          const std::string& returned) {
  std::string line;
  pid_t tid = Tid();
  if (tid != pid) Append(&line, "[pid %ld] ", tid);
  line += call;
  line += " = ";
  if (ret < 0) {
    char buf[256];
    line += "-1 " + ErrnoName(err) + " (" + strerror_r(err, buf, sizeof buf) + ")";
  } else {
    line += returned;
  }
  long ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
  char dur[48];
  snprintf(dur, sizeof dur, " <%ld.%06ld>\n", ns / 1000000000L, (ns % 1000000000L) / 1000);
  line += dur;
  if (out_fd != STDERR_FILENO) {
    struct stat st;
    if (fstat(out_fd, &st) != 0 || st.st_dev != out_dev || st.st_ino != out_ino) {
      enabled = false;
      Complain("its file descriptor " + std::to_string(out_fd) + " was closed or reused by the program");
      return;
    }
  }
  // One write(2) per line: lines from several threads do not interleave.
  ssize_t n = write(out_fd, line.data(), line.size());
  (void)n;
}

std::string Int(long v) { return std::to_string(v); }

std::string Ptr(const void* p) {
  if (p == nullptr) return "NULL";
  char buf[32];
  snprintf(buf, sizeof buf, "%#lx", reinterpret_cast<unsigned long>(p));
  return buf;
}

// strace's string_quote(): printable ASCII as is; \" \\ and the C escapes
// \t \n \v \f \r; anything else in octal, three digits when an octal digit
// follows so that it cannot be misread.
std::string Str(const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t n = len < kMaxStr ? len : kMaxStr;
  std::string out = "\"";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      continue;
    }
    out += '\\';
    if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7') {
      out += static_cast<char>('0' + (c >> 6));
      out += static_cast<char>('0' + ((c >> 3) & 7));
    } else if ((c >> 3) != 0) {
      if ((c >> 6) != 0) out += static_cast<char>('0' + (c >> 6));
      out += static_cast<char>('0' + ((c >> 3) & 7));
    }
    out += static_cast<char>('0' + (c & 7));
  }
  out += "\"";
  if (len > kMaxStr) out += "...";
  return out;
}

// A value strace has no name for: "0x3039 /* AF_??? */" (strace's
// printxval with the table's prefix).
std::string Unknown(long value, const char* prefix) {
  std::string out;
  Append(&out, "%#lx", value);
  return out + " /* " + prefix + "_??? */";
}

std::string Domain(int domain) {
  const char* n = Find(kDomains, domain);
  return n ? n : Unknown(domain, "AF");
}

// strace's socket type: the base type's name and then the flags; a base
// it does not know comes after the flags, in hex ("SOCK_CLOEXEC|0x4d"), or
// alone as "0x4d /* SOCK_??? */".
std::string Type(int type) {
  int base = type & 0xf;
  const char* n = Find(kTypes, base);
  std::string flags = Flags(kTypeFlags, static_cast<unsigned>(type & ~0xf));
  if (n != nullptr) return flags == "0" ? n : std::string(n) + "|" + flags;
  if (flags == "0") return Unknown(type, "SOCK");
  std::string out = flags + "|";
  Append(&out, "%#lx", base);
  return out;
}

std::string SockFlags(int flags) { return Flags(kTypeFlags, static_cast<unsigned>(flags)); }

std::string Protocol(int domain, int protocol) {
  if (domain == AF_INET || domain == AF_INET6) {
    const char* n = Find(kIpprotos, protocol);
    return n ? n : Unknown(protocol, "IPPROTO");
  }
  if (domain == AF_NETLINK) {
    const char* n = Find(kNetlinkProtos, protocol);
    return n ? n : Unknown(protocol, "NETLINK");
  }
  if (domain == AF_PACKET) {
    int host = ntohs(static_cast<uint16_t>(protocol));
    const char* n = Find(kEthProtos, host);
    if (n) return std::string("htons(") + n + ")";
    std::string out = "htons(";
    Append(&out, "%#x", host);
    return out + ")";
  }
  return Int(protocol);
}

std::string MsgFlags(int flags) { return Flags(kMsgFlags, static_cast<unsigned>(flags)); }

std::string Level(int level) {
  const char* n = Find(kLevels, level);
  return n ? n : Int(level);
}

std::string Optname(int level, int optname) {
  const char* n = nullptr;
  const char* prefix = nullptr;
  if (level == SOL_SOCKET) { n = Find(kSoOptions, optname); prefix = "SO"; }
  else if (level == SOL_IP) { n = Find(kIpOptions, optname); prefix = "IP"; }
  else if (level == SOL_IPV6) { n = Find(kIpv6Options, optname); prefix = "IPV6"; }
  else if (level == SOL_TCP) { n = Find(kTcpOptions, optname); prefix = "TCP"; }
  if (n) return n;
  if (prefix == nullptr) return Int(optname);
  std::string out;
  Append(&out, "%#x", optname);
  return out + " /* " + prefix + "_??? */";
}

std::string Optval(int level, int optname, const void* val, socklen_t len) {
  if (val == nullptr) return "NULL";
  if (level == SOL_SOCKET && optname == SO_LINGER && len >= sizeof(linger)) {
    const auto* l = static_cast<const linger*>(val);
    return "{l_onoff=" + Int(l->l_onoff) + ", l_linger=" + Int(l->l_linger) + "}";
  }
  if (len == sizeof(int)) {
    int v;
    memcpy(&v, val, sizeof v);
    if (level == SOL_SOCKET && optname == SO_ERROR && v != 0) return "[" + ErrnoName(v) + "]";
    return "[" + Int(v) + "]";
  }
  return Str(val, len);
}

std::string Sockaddr(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return "NULL";
  if (len < sizeof(sa_family_t)) return "{}";
  int family = sa->sa_family;
  std::string out = "{sa_family=" + Domain(family);
  char text[INET6_ADDRSTRLEN];
  if (family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    return out + ", sin_port=htons(" + Int(ntohs(sin->sin_port)) + "), sin_addr=inet_addr(\"" + text + "\")}";
  }
  if (family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    return out + ", sin6_port=htons(" + Int(ntohs(sin6->sin6_port)) + "), sin6_flowinfo=htonl(" +
           Int(ntohl(sin6->sin6_flowinfo)) + "), inet_pton(AF_INET6, \"" + text + "\", &sin6_addr), sin6_scope_id=" +
           Int(sin6->sin6_scope_id) + "}";
  }
  if (family == AF_UNIX) {
    const auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
    size_t n = len - offsetof(sockaddr_un, sun_path);
    if (n > sizeof sun->sun_path) n = sizeof sun->sun_path;
    if (n == 0) return out + "}";
    if (sun->sun_path[0] == '\0') return out + ", sun_path=@" + Str(sun->sun_path + 1, n - 1) + "}";
    return out + ", sun_path=" + Str(sun->sun_path, strnlen(sun->sun_path, n)) + "}";
  }
  if (family == AF_PACKET && len >= sizeof(sockaddr_ll)) {
    const auto* sll = reinterpret_cast<const sockaddr_ll*>(sa);
    const char* proto = Find(kEthProtos, ntohs(sll->sll_protocol));
    out += ", sll_protocol=htons(";
    if (proto) out += proto; else Append(&out, "%#x", ntohs(sll->sll_protocol));
    out += "), sll_ifindex=" + Int(sll->sll_ifindex) + ", sll_hatype=" + Int(sll->sll_hatype) + ", sll_pkttype=";
    const char* pkt = Find(kPktTypes, sll->sll_pkttype);
    out += pkt ? pkt : Int(sll->sll_pkttype);
    out += ", sll_halen=" + Int(sll->sll_halen) + ", sll_addr=[";
    for (int i = 0; i < sll->sll_halen && i < 8; i++) {
      if (i) out += ", ";
      Append(&out, "%#02x", sll->sll_addr[i]);
    }
    return out + "]}";
  }
  return out + ", sa_data=" + Str(sa->sa_data, len - sizeof(sa_family_t)) + "}";
}

std::string SockaddrOut(const sockaddr* sa, socklen_t given, socklen_t got, bool ok) {
  if (sa == nullptr) return "NULL";
  if (!ok || got == 0) return Ptr(sa);
  return Sockaddr(sa, got < given ? got : given);
}

std::string Socklen(socklen_t given, socklen_t got, bool ok) {
  if (!ok || given == got) return "[" + Int(given) + "]";
  return "[" + Int(given) + " => " + Int(got) + "]";
}

std::string Shut(int how) {
  const char* n = Find(kShut, how);
  return n ? n : Int(how);
}

std::string PollFds(const pollfd* fds, size_t n, bool revents) {
  std::string out = "[";
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    if (revents && fds[i].revents == 0) continue;
    if (!first) out += ", ";
    first = false;
    out += "{fd=" + Int(fds[i].fd) + (revents ? ", revents=" : ", events=") +
           Flags(kPollEvents, static_cast<unsigned short>(revents ? fds[i].revents : fds[i].events)) + "}";
  }
  return out + "]";
}

std::string PollResult(const pollfd* fds, size_t n, long ret) {
  if (ret == 0) return " (Timeout)";
  if (ret < 0) return "";
  return " (" + PollFds(fds, n, true) + ")";
}

namespace {

std::string Cmsgs(const msghdr* msg) {
  std::string out = "[";
  bool first = true;
  for (cmsghdr* c = CMSG_FIRSTHDR(const_cast<msghdr*>(msg)); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(msg), c)) {
    if (c->cmsg_len < CMSG_LEN(0)) break;
    if (!first) out += ", ";
    first = false;
    out += "{cmsg_len=" + Int(static_cast<long>(c->cmsg_len)) + ", cmsg_level=" + Level(c->cmsg_level) +
           ", cmsg_type=";
    const char* data = reinterpret_cast<const char*>(CMSG_DATA(c));
    const char* end = static_cast<const char*>(msg->msg_control) + msg->msg_controllen;
    size_t n = c->cmsg_len - CMSG_LEN(0);
    if (data + n > end) n = data < end ? static_cast<size_t>(end - data) : 0;
    // strace prints a message's data only when it has the least its
    // printer needs (src/msghdr.c, cmsg_socket_printers and
    // cmsg_ip_printers' min_len: an int for SCM_RIGHTS, a whole
    // sock_extended_err for IP_RECVERR): an empty SCM_RIGHTS, as send_fds()
    // with no fds sends, is "cmsg_type=SCM_RIGHTS}".
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && n < sizeof(int)) {
      out += "SCM_RIGHTS}";
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      out += "SCM_RIGHTS, cmsg_data=[";
      for (size_t k = 0; k + sizeof(int) <= n; k += sizeof(int)) {
        int fd;
        memcpy(&fd, data + k, sizeof fd);
        if (k) out += ", ";
        out += Int(fd);
      }
      out += "]}";
    } else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) {
      out += "IP_RECVERR";
      if (n < sizeof(sock_extended_err)) {
        out += "}";
        continue;
      }
      sock_extended_err ee;
      memcpy(&ee, data, sizeof ee);
      // strace 6 prints the sock_extended_err's fields as numbers.
      out += ", cmsg_data={ee_errno=" + Int(ee.ee_errno) + ", ee_origin=" + Int(ee.ee_origin) +
             ", ee_type=" + Int(ee.ee_type) +
             ", ee_code=" + Int(ee.ee_code) + ", ee_info=" + Int(ee.ee_info) + ", ee_data=" + Int(ee.ee_data);
      size_t off = sizeof ee;
      if (n > off) {
        out += ", offender=" + Sockaddr(reinterpret_cast<const sockaddr*>(data + off), static_cast<socklen_t>(n - off));
      }
      out += "}}";
    } else {
      // A message strace 6 does not decode (IPV6_RECVERR among them): its
      // type in hex, and no data.
      Append(&out, "%#x", c->cmsg_type);
      out += "}";
    }
  }
  return out + "]";
}

}  // namespace

std::string Msghdr(const msghdr* msg, socklen_t namelen_in, size_t controllen_in, long ret, bool recv) {
  if (recv && ret < 0) return "{msg_namelen=" + Int(namelen_in) + "}";
  std::string out = "{msg_name=";
  if (msg->msg_name == nullptr) out += "NULL";
  else if (recv) out += SockaddrOut(static_cast<const sockaddr*>(msg->msg_name), namelen_in, msg->msg_namelen, true);
  else out += Sockaddr(static_cast<const sockaddr*>(msg->msg_name), msg->msg_namelen);
  out += ", msg_namelen=";
  out += recv && msg->msg_namelen != namelen_in ? Int(namelen_in) + " => " + Int(msg->msg_namelen) : Int(msg->msg_namelen);
  out += ", msg_iov=[";
  // Received data is shown across the buffers, as much as the call returned.
  size_t left = recv ? static_cast<size_t>(ret) : SIZE_MAX;
  // strace prints an array's first 32 elements (-s 32), then "...".
  for (size_t i = 0; i < msg->msg_iovlen; i++) {
    const iovec& v = msg->msg_iov[i];
    if (i == kMaxStr) {
      out += ", ...";
      break;
    }
    if (i) out += ", ";
    size_t n = v.iov_len < left ? v.iov_len : left;
    out += "{iov_base=" + Str(v.iov_base, n) + ", iov_len=" + Int(static_cast<long>(v.iov_len)) + "}";
    if (recv) left -= n;
  }
  out += "], msg_iovlen=" + Int(static_cast<long>(msg->msg_iovlen));
  (void)controllen_in;
  if (msg->msg_control != nullptr && msg->msg_controllen > 0) out += ", msg_control=" + Cmsgs(msg);
  out += ", msg_controllen=" + Int(static_cast<long>(msg->msg_controllen));
  out += ", msg_flags=" + MsgFlags(msg->msg_flags) + "}";
  return out;
}

}  // namespace trace
}  // namespace sockcall
