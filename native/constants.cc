// Constants, read from the platform's headers when the addon is compiled.
// Nothing here is typed in as a number: a name the headers lack is left out.
#include "sockcall.h"

#include <arpa/inet.h>
#include <cerrno>
#include <linux/errqueue.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <cstring>

// Every errno name CPython's errno module knows on Linux. Where two names
// share a value (EAGAIN/EWOULDBLOCK, EDEADLK/EDEADLOCK, EOPNOTSUPP/ENOTSUP),
// the one CPython's errno.errorcode gives comes last, so that errorcode below
// maps each value to the same name Python prints.
#define SOCKCALL_ERRNO_NAMES(X) \
  X(EPERM) \
  X(ENOENT) \
  X(ESRCH) \
  X(EINTR) \
  X(EIO) \
  X(ENXIO) \
  X(E2BIG) \
  X(ENOEXEC) \
  X(EBADF) \
  X(ECHILD) \
  X(EWOULDBLOCK) \
  X(EAGAIN) \
  X(ENOMEM) \
  X(EACCES) \
  X(EFAULT) \
  X(ENOTBLK) \
  X(EBUSY) \
  X(EEXIST) \
  X(EXDEV) \
  X(ENODEV) \
  X(ENOTDIR) \
  X(EISDIR) \
  X(EINVAL) \
  X(ENFILE) \
  X(EMFILE) \
  X(ENOTTY) \
  X(ETXTBSY) \
  X(EFBIG) \
  X(ENOSPC) \
  X(ESPIPE) \
  X(EROFS) \
  X(EMLINK) \
  X(EPIPE) \
  X(EDOM) \
  X(ERANGE) \
  X(EDEADLK) \
  X(EDEADLOCK) \
  X(ENAMETOOLONG) \
  X(ENOLCK) \
  X(ENOSYS) \
  X(ENOTEMPTY) \
  X(ELOOP) \
  X(ENOMSG) \
  X(EIDRM) \
  X(ECHRNG) \
  X(EL2NSYNC) \
  X(EL3HLT) \
  X(EL3RST) \
  X(ELNRNG) \
  X(EUNATCH) \
  X(ENOCSI) \
  X(EL2HLT) \
  X(EBADE) \
  X(EBADR) \
  X(EXFULL) \
  X(ENOANO) \
  X(EBADRQC) \
  X(EBADSLT) \
  X(EBFONT) \
  X(ENOSTR) \
  X(ENODATA) \
  X(ETIME) \
  X(ENOSR) \
  X(ENONET) \
  X(ENOPKG) \
  X(EREMOTE) \
  X(ENOLINK) \
  X(EADV) \
  X(ESRMNT) \
  X(ECOMM) \
  X(EPROTO) \
  X(EMULTIHOP) \
  X(EDOTDOT) \
  X(EBADMSG) \
  X(EOVERFLOW) \
  X(ENOTUNIQ) \
  X(EBADFD) \
  X(EREMCHG) \
  X(ELIBACC) \
  X(ELIBBAD) \
  X(ELIBSCN) \
  X(ELIBMAX) \
  X(ELIBEXEC) \
  X(EILSEQ) \
  X(ERESTART) \
  X(ESTRPIPE) \
  X(EUSERS) \
  X(ENOTSOCK) \
  X(EDESTADDRREQ) \
  X(EMSGSIZE) \
  X(EPROTOTYPE) \
  X(ENOPROTOOPT) \
  X(EPROTONOSUPPORT) \
  X(ESOCKTNOSUPPORT) \
  X(EOPNOTSUPP) \
  X(ENOTSUP) \
  X(EPFNOSUPPORT) \
  X(EAFNOSUPPORT) \
  X(EADDRINUSE) \
  X(EADDRNOTAVAIL) \
  X(ENETDOWN) \
  X(ENETUNREACH) \
  X(ENETRESET) \
  X(ECONNABORTED) \
  X(ECONNRESET) \
  X(ENOBUFS) \
  X(EISCONN) \
  X(ENOTCONN) \
  X(ESHUTDOWN) \
  X(ETOOMANYREFS) \
  X(ETIMEDOUT) \
  X(ECONNREFUSED) \
  X(EHOSTDOWN) \
  X(EHOSTUNREACH) \
  X(EALREADY) \
  X(EINPROGRESS) \
  X(ESTALE) \
  X(EUCLEAN) \
  X(ENOTNAM) \
  X(ENAVAIL) \
  X(EISNAM) \
  X(EREMOTEIO) \
  X(EDQUOT) \
  X(ENOMEDIUM) \
  X(EMEDIUMTYPE) \
  X(ECANCELED) \
  X(ENOKEY) \
  X(EKEYEXPIRED) \
  X(EKEYREVOKED) \
  X(EKEYREJECTED) \
  X(EOWNERDEAD) \
  X(ENOTRECOVERABLE) \
  X(ERFKILL)

#define SOCKCALL_CONSTANTS(X) \
  X(AF_UNSPEC) X(AF_UNIX) X(AF_LOCAL) X(AF_INET) X(AF_INET6) X(AF_PACKET) \
  X(AF_NETLINK) \
  X(SOCK_STREAM) X(SOCK_DGRAM) X(SOCK_RAW) X(SOCK_SEQPACKET) X(SOCK_RDM) \
  X(SOCK_NONBLOCK) X(SOCK_CLOEXEC) \
  X(SOL_SOCKET) X(SOL_IP) X(SOL_IPV6) X(SOL_TCP) X(SOL_UDP) X(SOL_PACKET) \
  X(SO_DEBUG) X(SO_REUSEADDR) X(SO_REUSEPORT) X(SO_TYPE) X(SO_ERROR) \
  X(SO_DONTROUTE) X(SO_BROADCAST) X(SO_SNDBUF) X(SO_RCVBUF) X(SO_SNDBUFFORCE) \
  X(SO_RCVBUFFORCE) X(SO_KEEPALIVE) X(SO_OOBINLINE) X(SO_LINGER) \
  X(SO_RCVLOWAT) X(SO_SNDLOWAT) X(SO_RCVTIMEO) X(SO_SNDTIMEO) \
  X(SO_ACCEPTCONN) X(SO_DOMAIN) X(SO_PROTOCOL) X(SO_PEERCRED) X(SO_PASSCRED) \
  X(SO_PRIORITY) X(SO_MARK) X(SO_BINDTODEVICE) X(SO_TIMESTAMP) \
  X(SO_TIMESTAMPNS) X(SO_RXQ_OVFL) X(SO_BUSY_POLL) X(SO_INCOMING_CPU) \
  X(SO_ZEROCOPY) \
  X(SOMAXCONN) \
  X(IPPROTO_IP) X(IPPROTO_ICMP) X(IPPROTO_IGMP) X(IPPROTO_TCP) X(IPPROTO_UDP) \
  X(IPPROTO_IPV6) X(IPPROTO_ICMPV6) X(IPPROTO_RAW) X(IPPROTO_SCTP) \
  X(IPPROTO_UDPLITE) \
  X(IP_TOS) X(IP_TTL) X(IP_HDRINCL) X(IP_OPTIONS) X(IP_RECVOPTS) \
  X(IP_RETOPTS) X(IP_PKTINFO) X(IP_RECVERR) X(IP_RECVTTL) X(IP_RECVTOS) \
  X(IP_MTU_DISCOVER) X(IP_MTU) X(IP_MULTICAST_IF) X(IP_MULTICAST_TTL) \
  X(IP_MULTICAST_LOOP) X(IP_ADD_MEMBERSHIP) X(IP_DROP_MEMBERSHIP) \
  X(IP_FREEBIND) X(IP_TRANSPARENT) X(IP_RECVORIGDSTADDR) \
  X(IP_PMTUDISC_DONT) X(IP_PMTUDISC_WANT) X(IP_PMTUDISC_DO) \
  X(IP_PMTUDISC_PROBE) \
  X(IPV6_V6ONLY) X(IPV6_RECVERR) X(IPV6_UNICAST_HOPS) X(IPV6_MULTICAST_IF) \
  X(IPV6_MULTICAST_HOPS) X(IPV6_MULTICAST_LOOP) X(IPV6_JOIN_GROUP) \
  X(IPV6_LEAVE_GROUP) X(IPV6_RECVPKTINFO) X(IPV6_PKTINFO) \
  X(IPV6_RECVHOPLIMIT) X(IPV6_HOPLIMIT) X(IPV6_TCLASS) X(IPV6_RECVTCLASS) \
  X(IPV6_MTU_DISCOVER) X(IPV6_MTU) X(IPV6_DONTFRAG) \
  X(TCP_NODELAY) X(TCP_MAXSEG) X(TCP_CORK) X(TCP_KEEPIDLE) X(TCP_KEEPINTVL) \
  X(TCP_KEEPCNT) X(TCP_INFO) X(TCP_QUICKACK) X(TCP_USER_TIMEOUT) \
  X(TCP_FASTOPEN) X(TCP_CONGESTION) X(TCP_NOTSENT_LOWAT) \
  X(MSG_OOB) X(MSG_PEEK) X(MSG_DONTROUTE) X(MSG_CTRUNC) X(MSG_TRUNC) \
  X(MSG_DONTWAIT) X(MSG_EOR) X(MSG_WAITALL) X(MSG_NOSIGNAL) X(MSG_ERRQUEUE) \
  X(MSG_CMSG_CLOEXEC) X(MSG_CONFIRM) X(MSG_MORE) X(MSG_FASTOPEN) \
  X(MSG_ZEROCOPY) \
  X(SCM_RIGHTS) X(SCM_CREDENTIALS) X(SCM_TIMESTAMP) X(SCM_TIMESTAMPNS) \
  X(SHUT_RD) X(SHUT_WR) X(SHUT_RDWR) \
  X(POLLIN) X(POLLPRI) X(POLLOUT) X(POLLERR) X(POLLHUP) X(POLLNVAL) \
  X(POLLRDNORM) X(POLLRDBAND) X(POLLWRNORM) X(POLLWRBAND) X(POLLMSG) \
  X(POLLRDHUP) \
  X(FIONBIO) X(FIONREAD) X(SIOCGIFINDEX) X(SIOCGIFNAME) X(IFNAMSIZ) \
  X(AI_PASSIVE) X(AI_CANONNAME) X(AI_NUMERICHOST) X(AI_NUMERICSERV) \
  X(AI_V4MAPPED) X(AI_ALL) X(AI_ADDRCONFIG) \
  X(EAI_BADFLAGS) X(EAI_NONAME) X(EAI_AGAIN) X(EAI_FAIL) X(EAI_FAMILY) \
  X(EAI_SOCKTYPE) X(EAI_SERVICE) X(EAI_MEMORY) X(EAI_SYSTEM) X(EAI_OVERFLOW) \
  X(EAI_NODATA) X(EAI_ADDRFAMILY) \
  X(NI_NUMERICHOST) X(NI_NUMERICSERV) X(NI_NOFQDN) X(NI_NAMEREQD) X(NI_DGRAM) \
  X(NI_MAXHOST) X(NI_MAXSERV) \
  X(INADDR_ANY) X(INADDR_BROADCAST) X(INADDR_LOOPBACK) X(INADDR_NONE) \
  X(ETH_P_ALL) X(ETH_P_IP) X(ETH_P_IPV6) X(ETH_P_ARP) \
  X(PACKET_HOST) X(PACKET_BROADCAST) X(PACKET_MULTICAST) \
  X(PACKET_OTHERHOST) X(PACKET_OUTGOING) \
  X(SO_EE_ORIGIN_NONE) X(SO_EE_ORIGIN_LOCAL) X(SO_EE_ORIGIN_ICMP) \
  X(SO_EE_ORIGIN_ICMP6) X(SO_EE_ORIGIN_TXSTATUS) X(SO_EE_ORIGIN_ZEROCOPY) \
  X(SO_EE_ORIGIN_TXTIME) \
  X(ICMP_DEST_UNREACH) X(ICMP_PORT_UNREACH) X(ICMP6_DST_UNREACH) \
  X(ICMP6_DST_UNREACH_NOPORT)

namespace sockcall {
namespace {

Napi::Value Strerror(const Napi::CallbackInfo& info) {
  int err = ArgInt32(info, 0, "errno");
  // strerror_r's GNU form returns a pointer that may or may not be buf.
  char buf[256];
  const char* msg = strerror_r(err, buf, sizeof buf);
  return Napi::String::New(info.Env(), msg);
}

// cmsg(3)'s macros, for sizing control buffers as C and CPython do.
Napi::Value CmsgLen(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_LEN(ArgLength(info, 0, "length", 1u << 30))));
}

Napi::Value CmsgSpace(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_SPACE(ArgLength(info, 0, "length", 1u << 30))));
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gai_strerror(ArgInt32(info, 0, "code")));
}

}  // namespace

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object constants = Napi::Object::New(env);
#define X(name) constants.Set(#name, Napi::Number::New(env, static_cast<double>(name)));
  SOCKCALL_CONSTANTS(X)
#undef X
  exports.Set("constants", constants);

  Napi::Object codes = Napi::Object::New(env);
  Napi::Object errorcode = Napi::Object::New(env);
#define X(name)                                 \
  codes.Set(#name, Napi::Number::New(env, name)); \
  errorcode.Set(static_cast<uint32_t>(name), Napi::String::New(env, #name));
  SOCKCALL_ERRNO_NAMES(X)
#undef X
  exports.Set("errno", codes);
  exports.Set("errorcode", errorcode);

  Napi::Object sizes = Napi::Object::New(env);
  sizes.Set("sockaddr", Napi::Number::New(env, sizeof(sockaddr)));
  sizes.Set("sockaddr_in", Napi::Number::New(env, sizeof(sockaddr_in)));
  sizes.Set("sockaddr_in6", Napi::Number::New(env, sizeof(sockaddr_in6)));
  sizes.Set("sockaddr_un", Napi::Number::New(env, sizeof(sockaddr_un)));
  sizes.Set("sockaddr_ll", Napi::Number::New(env, sizeof(sockaddr_ll)));
  sizes.Set("sockaddr_storage", Napi::Number::New(env, sizeof(sockaddr_storage)));
  sizes.Set("sun_path", Napi::Number::New(env, sizeof(sockaddr_un::sun_path)));
  sizes.Set("int", Napi::Number::New(env, sizeof(int)));
  sizes.Set("cmsghdr", Napi::Number::New(env, sizeof(cmsghdr)));
  sizes.Set("sock_extended_err", Napi::Number::New(env, sizeof(sock_extended_err)));
  exports.Set("sizeof", sizes);

  exports.Set("strerror", Napi::Function::New(env, Strerror, "strerror"));
  exports.Set("gai_strerror", Napi::Function::New(env, GaiStrerror, "gai_strerror"));
  exports.Set("CMSG_LEN", Napi::Function::New(env, CmsgLen, "CMSG_LEN"));
  exports.Set("CMSG_SPACE", Napi::Function::New(env, CmsgSpace, "CMSG_SPACE"));
}

}  // namespace sockcall
