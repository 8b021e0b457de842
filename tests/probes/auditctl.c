/* auditctl: the kernel audit switch over NETLINK_AUDIT, for tests/e2e/run_audit.sh (which must
 * not depend on the auditd package). Not a sandbox probe: it runs on the host, as root.
 *   auditctl get       prints "enabled N" (0 off, 1 on, 2 locked until reboot), "pid N" (the
 *                      connected audit daemon, 0 when none), "lost N" and "backlog N"
 *   auditctl set 0|1   AUDIT_SET with mask AUDIT_STATUS_ENABLED, then prints "enabled N" as
 *                      read back; refuses when the configuration is locked (enabled 2)
 * Exit 0 ok; 1 the kernel refused or did not answer (a one-line message names the request
 * and the errno: EPERM without CAP_AUDIT_CONTROL, ECONNREFUSED outside the initial user
 * namespace, EPROTONOSUPPORT without CONFIG_AUDIT); 2 usage; 3 locked. Never sets 2. */
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "probe.h"

static int fail(const char *what, int err) {
  fprintf(stderr, "auditctl: %s: %s (%s)%s\n", what, probe_err(err), strerror(err),
          err == EPERM             ? ": needs CAP_AUDIT_CONTROL (root)"
          : err == ECONNREFUSED    ? ": audit is only reachable from the initial user namespace"
          : err == EPROTONOSUPPORT ? ": this kernel has no audit support (CONFIG_AUDIT)"
                                   : "");
  return 1;
}

static int audit_open(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd == -1) return -1;
  /* Never hang on a kernel that does not answer. */
  struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/* Sends TYPE with PAYLOAD (LEN bytes) and waits for the answer: for AUDIT_GET the status (into
 * *ST), for AUDIT_SET the acknowledgement. 0 or an errno. */
static int request(int fd, uint16_t type, const void *payload, size_t len,
                   struct audit_status *st) {
  static uint32_t seq;
  struct {
    struct nlmsghdr h;
    struct audit_status s;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(len);
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = NLM_F_REQUEST | (type == AUDIT_SET ? NLM_F_ACK : 0);
  req.h.nlmsg_seq = ++seq;
  memcpy(&req.s, payload, len);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) == -1)
    return errno;
  for (;;) {
    union {
      struct nlmsghdr h;
      char buf[8192];
    } ans;
    ssize_t n = recv(fd, &ans, sizeof ans, 0);
    if (n == -1) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? ETIMEDOUT : errno;
    }
    for (struct nlmsghdr *h = &ans.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue; /* an answer to something else */
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e)) return EPROTO;
        if (e->error != 0 || type == AUDIT_SET) return -e->error;
        continue; /* an ack before the status: keep reading */
      }
      if (type == AUDIT_GET && h->nlmsg_type == AUDIT_GET) {
        size_t got = h->nlmsg_len - NLMSG_LENGTH(0);
        memset(st, 0, sizeof *st);
        memcpy(st, NLMSG_DATA(h), got < sizeof *st ? got : sizeof *st);
        return 0;
      }
    }
  }
}

int main(int argc, char **argv) {
  int set = -1;
  if (argc == 2 && strcmp(argv[1], "get") == 0) {
    set = -1;
  } else if (argc == 3 && strcmp(argv[1], "set") == 0 &&
             (strcmp(argv[2], "0") == 0 || strcmp(argv[2], "1") == 0)) {
    set = argv[2][0] - '0';
  } else {
    fprintf(stderr, "usage: auditctl get | auditctl set 0|1\n");
    return 2;
  }
  int fd = audit_open();
  if (fd == -1) return fail("socket(NETLINK_AUDIT)", errno);
  struct audit_status st;
  int err = request(fd, AUDIT_GET, &st, 0, &st);
  if (err) return fail("AUDIT_GET", err);
  if (set >= 0) {
    if (st.enabled == 2) {
      fprintf(stderr, "auditctl: the audit configuration is locked (enabled 2) until reboot\n");
      return 3;
    }
    struct audit_status want;
    memset(&want, 0, sizeof want);
    want.mask = AUDIT_STATUS_ENABLED;
    want.enabled = (uint32_t)set;
    err = request(fd, AUDIT_SET, &want, sizeof want, NULL);
    if (err) return fail("AUDIT_SET enabled", err);
    err = request(fd, AUDIT_GET, &st, 0, &st);
    if (err) return fail("AUDIT_GET", err);
    if (st.enabled != (uint32_t)set) {
      fprintf(stderr, "auditctl: asked for enabled %d, the kernel says enabled %u\n", set,
              st.enabled);
      return 1;
    }
    printf("enabled %u\n", st.enabled);
  } else {
    printf("enabled %u\npid %u\nlost %u\nbacklog %u\n", st.enabled, st.pid, st.lost, st.backlog);
  }
  close(fd);
  return 0;
}
