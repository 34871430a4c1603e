/* Program 1 of the article in C, making the system calls CPython makes for
 * program1.py (compare them: npx sockcall compare examples/program1.py
 * examples/program1.c): a UDP socket with SOCK_CLOEXEC, connect to
 * 127.0.0.1:1060, send three bytes, and recvfrom with room for a
 * sockaddr_in. The ICMP port unreachable makes recvfrom fail with
 * ECONNREFUSED; the last line of stderr is the one Python prints. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(void) {
  char data[65535];
  struct sockaddr_in peer = {0}, from;
  socklen_t fromlen = sizeof from;
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);      /* [1] */
  peer.sin_family = AF_INET;
  peer.sin_port = htons(1060);
  inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
  if (connect(sock, (struct sockaddr *)&peer, sizeof peer) < 0 ||  /* [2] */
      send(sock, "123", 3, 0) < 0 ||                              /* [3] */
      recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&from, &fromlen) < 0) {  /* [4] */
    int err = errno;
    fprintf(stderr, "%s: [Errno %d] %s\n", err == ECONNREFUSED ? "ConnectionRefusedError" : "OSError", err,
            strerror(err));
    return 1;
  }
  printf("The server says %s\n", data);
  return 0;
}
