/* netprobe: what network does this process have?
 *   netprobe ifaces            "ifaces: lo:down eth0:up" — every interface of /proc/net/dev with
 *                              its IFF_UP state (SIOCGIFFLAGS on a unix socket); "ifaces:" alone
 *                              when there is none
 *   netprobe connect IP PORT   "connect IP:PORT: RESULT" (OK or errno name; "socket: ERRNO" when
 *                              the socket itself is refused)
 *   netprobe loopback PORT     listen on 127.0.0.1:PORT, connect to it, send and receive one
 *                              message: "loopback PORT: OK" or "loopback PORT: STEP ERRNO"
 *   netprobe serve PORT SECS   listen on 127.0.0.1:PORT for SECS seconds (a host-side target);
 *                              prints "listening PORT" once ready */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

static int ifaces(void) {
  FILE *f = fopen("/proc/net/dev", "re");
  if (!f) {
    printf("ifaces: /proc/net/dev %s\n", probe_err(errno));
    return 2;
  }
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  char line[512];
  printf("ifaces:");
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!colon) continue; /* the two header lines */
    *colon = '\0';
    char *name = line;
    while (*name == ' ') name++;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    size_t nlen = strnlen(name, sizeof ifr.ifr_name - 1);
    memcpy(ifr.ifr_name, name, nlen); /* interface names are at most IFNAMSIZ-1 */
    if (s == -1 || ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
      printf(" %s:%s", name, probe_err(errno));
    else
      printf(" %s:%s", name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
  }
  printf("\n");
  fclose(f);
  return 0;
}

static struct sockaddr_in addr_of(const char *ip, int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

static int do_connect(const char *ip, int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s == -1) {
    printf("connect %s:%d: socket: %s\n", ip, port, probe_err(errno));
    return 0;
  }
  struct sockaddr_in a = addr_of(ip, port);
  printf("connect %s:%d: %s\n", ip, port, PROBE_RES(connect(s, (struct sockaddr *)&a, sizeof a)));
  close(s);
  return 0;
}

static int listener(int port, const char **step) {
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  *step = "socket";
  if (l == -1) return -1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = addr_of("127.0.0.1", port);
  *step = "bind";
  if (bind(l, (struct sockaddr *)&a, sizeof a) == -1) return -1;
  *step = "listen";
  if (listen(l, 8) == -1) return -1;
  return l;
}

static int loopback(int port) {
  const char *step;
  int l = listener(port, &step);
  if (l == -1) goto fail;
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  step = "socket";
  if (c == -1) goto fail;
  struct sockaddr_in a = addr_of("127.0.0.1", port);
  step = "connect";
  if (connect(c, (struct sockaddr *)&a, sizeof a) == -1) goto fail;
  step = "accept";
  int srv = accept(l, NULL, NULL);
  if (srv == -1) goto fail;
  step = "send";
  if (send(c, "ping", 4, 0) != 4) goto fail;
  char buf[8] = "";
  step = "recv";
  if (recv(srv, buf, 4, MSG_WAITALL) != 4 || strcmp(buf, "ping") != 0) goto fail;
  printf("loopback %d: OK\n", port);
  return 0;
fail:
  printf("loopback %d: %s %s\n", port, step, probe_err(errno));
  return 0;
}

static int serve(int port, int secs) {
  const char *step;
  int l = listener(port, &step);
  if (l == -1) {
    printf("serve %d: %s %s\n", port, step, probe_err(errno));
    return 1;
  }
  printf("listening %d\n", port);
  fflush(stdout);
  sleep((unsigned)secs);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "ifaces") == 0) return ifaces();
  if (argc >= 4 && strcmp(argv[1], "connect") == 0) return do_connect(argv[2], atoi(argv[3]));
  if (argc >= 3 && strcmp(argv[1], "loopback") == 0) return loopback(atoi(argv[2]));
  if (argc >= 4 && strcmp(argv[1], "serve") == 0) return serve(atoi(argv[2]), atoi(argv[3]));
  fprintf(stderr, "usage: netprobe ifaces | connect IP PORT | loopback PORT | serve PORT SECS\n");
  return 2;
}
