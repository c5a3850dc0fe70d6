/*
 * baseline_server: the fastest honest "does nothing" server for elohimd's wire.
 *
 * Frame = 4-byte unsigned big-endian length, then that many bytes of payload.
 * For every complete request frame it answers the fixed frame
 *   {"jsonrpc":"2.0","id":1,"result":{}}
 * without looking at the payload (no JSON parsing at all). Pipelined frames
 * are answered in order. It is the upper bound the daemon is compared with:
 * same socket type, same framing, zero work.
 *
 *   baseline_server --socket PATH [--mode threads|epoll] [--threads N]
 *                   [--max-frame BYTES]
 *
 * --mode threads (default): one blocking thread per connection; a request
 *   costs one read() and one send(), and the kernel wakes exactly the thread
 *   that has work.
 * --mode epoll: N event-loop threads (default: online CPUs), each with its own
 *   epoll set; the main thread accepts and hands connections out round-robin
 *   (the shape of a SwiftNIO server with one event loop per core).
 *
 * On a 2-core box, with the load generator's 32 threads on the same cores,
 * thread-per-connection measured clearly faster at 32 clients (CFS gives the
 * server a fair share per runnable thread, and there is no epoll_wait per
 * wakeup) and the same at 1 client, so it is the default: the baseline is
 * meant to be the fastest honest upper bound, not a like-for-like design.
 *
 * A stale socket file at PATH is removed first (anything else there is an
 * error). SIGTERM / SIGINT: stop, unlink the socket, exit 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char RESPONSE_BODY[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";
#define RESPONSE_BODY_LEN (sizeof RESPONSE_BODY - 1)
#define RESPONSE_LEN (4 + RESPONSE_BODY_LEN)

static unsigned char response[RESPONSE_LEN];
static uint32_t max_frame = 16u * 1024 * 1024;

struct conn {
    int fd;
    int want_out; /* registered for EPOLLOUT instead of EPOLLIN */
    unsigned char *in;
    size_t in_cap, in_start, in_len; /* bytes [in_start, in_len) unprocessed */
    unsigned char *out;
    size_t out_cap, out_start, out_len;
};

static struct conn *conn_new(int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    c->in_cap = 16 * 1024;
    c->out_cap = 16 * 1024;
    c->in = malloc(c->in_cap);
    c->out = malloc(c->out_cap);
    if (!c->in || !c->out) {
        free(c->in);
        free(c->out);
        free(c);
        return NULL;
    }
    return c;
}

static void conn_free(struct conn *c)
{
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static int grow(unsigned char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t n = *cap;
    while (n < need) n *= 2;
    unsigned char *b = realloc(*buf, n);
    if (!b) return -1;
    *buf = b;
    *cap = n;
    return 0;
}

/*
 * Answers every complete frame in the input buffer and makes room for the
 * next read. Returns -1 if a frame announces an unacceptable length.
 */
static int process_input(struct conn *c)
{
    while (c->in_len - c->in_start >= 4) {
        const unsigned char *h = c->in + c->in_start;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (len > max_frame) return -1;
        if (c->in_len - c->in_start < 4 + (size_t)len) break;
        c->in_start += 4 + (size_t)len;
        if (grow(&c->out, &c->out_cap, c->out_len + RESPONSE_LEN) < 0) return -1;
        memcpy(c->out + c->out_len, response, RESPONSE_LEN);
        c->out_len += RESPONSE_LEN;
    }
    /* Compact, then make sure a whole pending frame (or at least 16 KiB) fits. */
    size_t rest = c->in_len - c->in_start;
    if (c->in_start) {
        if (rest) memmove(c->in, c->in + c->in_start, rest);
        c->in_start = 0;
        c->in_len = rest;
    }
    size_t need = 16 * 1024;
    if (rest >= 4) {
        const unsigned char *h = c->in;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (4 + (size_t)len > need) need = 4 + (size_t)len;
    }
    return grow(&c->in, &c->in_cap, need);
}

/* ---- thread per connection ------------------------------------------- */

static void *serve_blocking(void *arg)
{
    struct conn *c = arg;
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        c->in_len += (size_t)n;
        if (process_input(c) < 0) break;
        int failed = 0;
        while (c->out_start < c->out_len) {
            ssize_t w = send(c->fd, c->out + c->out_start, c->out_len - c->out_start, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                failed = 1;
                break;
            }
            c->out_start += (size_t)w;
        }
        if (failed) break;
        c->out_start = c->out_len = 0;
    }
    conn_free(c);
    return NULL;
}

/* ---- epoll event loops ------------------------------------------------ */

static int set_interest(int ep, struct conn *c, int want_out)
{
    if (c->want_out == want_out) return 0;
    struct epoll_event ev = {.events = want_out ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    c->want_out = want_out;
    return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what it can. Returns 1 if output is still pending, 0 if flushed, -1 on error. */
static int flush_output(struct conn *c)
{
    while (c->out_start < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_start, c->out_len - c->out_start, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
            return -1;
        }
        c->out_start += (size_t)w;
    }
    c->out_start = c->out_len = 0;
    return 0;
}

/* Handles one readiness event. Returns -1 when the connection should close. */
static int on_event(int ep, struct conn *c, uint32_t events)
{
    if (events & EPOLLIN) {
        ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (n == 0) return -1;
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        c->in_len += (size_t)n;
        if (process_input(c) < 0) return -1;
    } else if (events & (EPOLLERR | EPOLLHUP)) {
        return -1;
    }
    int pending = flush_output(c);
    if (pending < 0) return -1;
    /* While the peer is not reading our answers, stop reading its requests. */
    return set_interest(ep, c, pending) < 0 ? -1 : 0;
}

static void *event_loop(void *arg)
{
    int ep = (int)(intptr_t)arg;
    struct epoll_event evs[128];
    for (;;) {
        int n = epoll_wait(ep, evs, 128, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("baseline_server: epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (on_event(ep, c, evs[i].events) < 0) conn_free(c); /* close() drops it from epoll */
        }
    }
    return NULL;
}

/* ---- setup ------------------------------------------------------------ */

static int listen_on(const char *path, struct stat *bound)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "baseline_server: socket path too long\n");
        return -1;
    }
    strcpy(addr.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            fprintf(stderr, "baseline_server: %s exists and is not a socket\n", path);
            return -1;
        }
        unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(fd, SOMAXCONN) < 0 || stat(path, bound) < 0) {
        fprintf(stderr, "baseline_server: cannot listen on %s: %s\n", path, strerror(errno));
        return -1;
    }
    return fd;
}

/* Removes the socket file only if it is still the one we bound. */
static void unlink_ours(const char *path, const struct stat *bound)
{
    struct stat st;
    if (lstat(path, &st) == 0 && st.st_ino == bound->st_ino && st.st_dev == bound->st_dev)
        unlink(path);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --socket PATH [--mode threads|epoll] [--threads N] [--max-frame BYTES]\n",
            argv0);
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int use_threads = 1;
    long loops = sysconf(_SC_NPROCESSORS_ONLN);
    if (loops < 1) loops = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if ((strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            usage(argv[0]);
            return 0;
        }
        if (!v) {
            usage(argv[0]);
            return 1;
        }
        i++;
        if (strcmp(a, "--socket") == 0) {
            path = v;
        } else if (strcmp(a, "--mode") == 0 && strcmp(v, "epoll") == 0) {
            use_threads = 0;
        } else if (strcmp(a, "--mode") == 0 && strcmp(v, "threads") == 0) {
            use_threads = 1;
        } else if (strcmp(a, "--threads") == 0) {
            loops = strtol(v, &end, 10);
            if (*end || loops < 1 || loops > 256) {
                usage(argv[0]);
                return 1;
            }
        } else if (strcmp(a, "--max-frame") == 0) {
            unsigned long m = strtoul(v, &end, 10);
            if (*end || m < 1 || m > UINT32_MAX) {
                usage(argv[0]);
                return 1;
            }
            max_frame = (uint32_t)m;
        } else {
            usage(argv[0]);
            return 1;
        }
    }
    if (!path) {
        usage(argv[0]);
        return 1;
    }

    response[0] = (unsigned char)(RESPONSE_BODY_LEN >> 24);
    response[1] = (unsigned char)(RESPONSE_BODY_LEN >> 16);
    response[2] = (unsigned char)(RESPONSE_BODY_LEN >> 8);
    response[3] = (unsigned char)RESPONSE_BODY_LEN;
    memcpy(response + 4, RESPONSE_BODY, RESPONSE_BODY_LEN);

    /* Signals arrive on a signalfd in the main thread; every thread inherits the mask. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("baseline_server: signalfd");
        return 1;
    }

    struct stat bound;
    int lfd = listen_on(path, &bound);
    if (lfd < 0) return 1;

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);

    int *eps = NULL;
    if (!use_threads) {
        eps = calloc((size_t)loops, sizeof *eps);
        for (long i = 0; eps && i < loops; i++) {
            pthread_t t;
            eps[i] = epoll_create1(EPOLL_CLOEXEC);
            if (eps[i] < 0 || pthread_create(&t, &attr, event_loop, (void *)(intptr_t)eps[i]) != 0) {
                fprintf(stderr, "baseline_server: cannot start event loop\n");
                unlink_ours(path, &bound);
                return 1;
            }
        }
    }
    fprintf(stderr, "baseline_server: listening on %s (%s", path, use_threads ? "thread per connection" : "epoll");
    if (!use_threads) fprintf(stderr, ", %ld loops", loops);
    fprintf(stderr, ")\n");

    struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    unsigned long next = 0;
    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) continue;
            perror("baseline_server: poll");
            break;
        }
        if (pfd[1].revents) break; /* SIGTERM / SIGINT */
        if (!(pfd[0].revents & POLLIN)) continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | (use_threads ? 0 : SOCK_NONBLOCK));
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) usleep(10000);
            continue;
        }
        struct conn *c = conn_new(fd);
        if (!c) {
            close(fd);
            continue;
        }
        if (use_threads) {
            pthread_t t;
            if (pthread_create(&t, &attr, serve_blocking, c) != 0) conn_free(c);
        } else {
            int ep = eps[next++ % (unsigned long)loops];
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) conn_free(c);
        }
    }
    close(lfd);
    unlink_ours(path, &bound);
    fprintf(stderr, "baseline_server: stopped\n");
    return 0; /* exit() ends the worker threads */
}
