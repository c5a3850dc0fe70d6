/*
 * loadgen: closed-loop load generator for elohimd's wire protocol.
 *
 * Frame = 4-byte unsigned big-endian length, then that many bytes of UTF-8 JSON.
 * Each of N threads opens its own AF_UNIX/SOCK_STREAM connection and loops:
 * send {"jsonrpc":"2.0","id":<n>,"method":"<NAME>"}, then block until the whole
 * response frame has arrived. One request in flight per connection.
 *
 *   loadgen --socket PATH --clients N --seconds S --method NAME [--warmup S]
 *           [--max-frame BYTES] [--rate R]
 *
 * With --rate R the load is open loop instead: together the threads send R
 * requests per second on a fixed schedule (thread i sends every N/R seconds,
 * the threads' schedules staggered evenly), whether or not the server keeps up.
 * Latency is then measured from the *scheduled* send time, so a server that
 * falls behind is charged for the queueing it causes (no coordinated omission).
 * Still one request in flight per connection: a late answer delays that
 * thread's next send, and the delay is counted in that request's latency.
 *
 * Prints one line of JSON on stdout:
 *   {"clients":N,"method":"...","requests":R,"seconds":S,"rps":X,
 *    "p50_us":..,"p99_us":..,"max_us":..,"errors":E, ...extra fields}
 *
 * Latency is measured per request with CLOCK_MONOTONIC (send start to last
 * byte of the response) into a per-thread histogram: 1 us buckets up to
 * 100 ms, plus one overflow bucket. Percentiles are reported as the upper edge
 * of their bucket (i.e. rounded up to the next whole microsecond); a
 * percentile that falls in the overflow bucket is reported as max_us.
 * Only requests *sent* after the warmup are recorded; no request is sent after
 * warmup + seconds. rps = requests / (time from end of warmup to the last
 * recorded response).
 *
 * "errors" counts responses that are not a complete, plausible frame (EOF or
 * socket error mid-frame, zero or oversize length, payload not a JSON object);
 * after such an error the connection is closed and reopened. "rpc_errors"
 * counts well-formed frames whose top-level object has an "error" member
 * (JSON-RPC error responses) and is reported separately.
 *
 * Exit status: 0 after printing the result; 1 on usage error or if any initial
 * connection fails (nothing printed on stdout); 3 if a reconnect after an
 * error failed mid-run (the result line is still printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HIST_BUCKETS 100000 /* 1 us each: 0 .. 100 ms */
#define NS_PER_SEC 1000000000LL

struct config {
    const char *socket_path;
    const char *method;
    int clients;
    double seconds;
    double warmup;
    uint32_t max_frame;
    double rate; /* requests per second across all threads; 0 = closed loop */
};

struct worker {
    pthread_t thread;
    int index;
    int fd;
    int connect_errno;
    int reconnect_failed;
    uint64_t *hist;     /* HIST_BUCKETS + 1 (overflow) */
    uint64_t requests;  /* recorded (post-warmup) requests */
    uint64_t errors;    /* transport / framing errors, whole run */
    uint64_t rpc_errors;
    uint64_t max_ns;
    uint64_t sum_ns;
    int64_t last_done_ns; /* monotonic time of the last recorded response */
    unsigned char *rbuf;
    size_t rcap, rlen;
};

static struct config cfg;
static pthread_barrier_t start_barrier;
static int64_t t_measure_start; /* set by main before the second barrier */
static int64_t t_end;
static atomic_int abort_run;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --socket PATH --clients N --seconds S --method NAME "
            "[--warmup S] [--max-frame BYTES] [--rate R]\n",
            argv0);
}

static int parse_args(int argc, char **argv)
{
    cfg.clients = 1;
    cfg.seconds = 5;
    cfg.warmup = 0;
    cfg.max_frame = 16u * 1024 * 1024;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(argv[0]);
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "loadgen: %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        char *end = NULL;
        if (strcmp(a, "--socket") == 0) {
            cfg.socket_path = v;
        } else if (strcmp(a, "--method") == 0) {
            cfg.method = v;
        } else if (strcmp(a, "--clients") == 0) {
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 4096) return -1;
            cfg.clients = (int)n;
        } else if (strcmp(a, "--seconds") == 0) {
            cfg.seconds = strtod(v, &end);
            if (*end || !(cfg.seconds > 0)) return -1;
        } else if (strcmp(a, "--warmup") == 0) {
            cfg.warmup = strtod(v, &end);
            if (*end || !(cfg.warmup >= 0)) return -1;
        } else if (strcmp(a, "--rate") == 0) {
            cfg.rate = strtod(v, &end);
            if (*end || !(cfg.rate > 0)) return -1;
        } else if (strcmp(a, "--max-frame") == 0) {
            unsigned long n = strtoul(v, &end, 10);
            if (*end || n < 1 || n > UINT32_MAX) return -1;
            cfg.max_frame = (uint32_t)n;
        } else {
            fprintf(stderr, "loadgen: unknown option %s\n", a);
            return -1;
        }
    }
    if (!cfg.socket_path || !cfg.method) return -1;
    if (strlen(cfg.socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        fprintf(stderr, "loadgen: socket path too long\n");
        return -1;
    }
    if (strlen(cfg.method) > 256) {
        fprintf(stderr, "loadgen: method name too long\n");
        return -1;
    }
    for (const char *p = cfg.method; *p; p++) {
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            fprintf(stderr, "loadgen: method must not need JSON escaping\n");
            return -1;
        }
    }
    return 0;
}

static int open_conn(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, cfg.socket_path, sizeof addr.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

static int send_all(int fd, const unsigned char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Reads one whole frame into w->rbuf. Bytes beyond the frame (there should be
 * none, with one request in flight) are kept for the next call.
 * Returns the payload length and sets *payload, or -1 on EOF / error / bad length.
 */
static long read_frame(struct worker *w, const unsigned char **payload)
{
    size_t need = 4;
    uint32_t len = 0;
    int have_len = 0;
    for (;;) {
        if (!have_len && w->rlen >= 4) {
            len = (uint32_t)w->rbuf[0] << 24 | (uint32_t)w->rbuf[1] << 16 |
                  (uint32_t)w->rbuf[2] << 8 | (uint32_t)w->rbuf[3];
            if (len == 0 || len > cfg.max_frame) return -1;
            need = 4 + (size_t)len;
            have_len = 1;
            if (need > w->rcap) {
                size_t cap = w->rcap;
                while (cap < need) cap *= 2;
                unsigned char *nb = realloc(w->rbuf, cap);
                if (!nb) return -1;
                w->rbuf = nb;
                w->rcap = cap;
            }
        }
        if (have_len && w->rlen >= need) break;
        ssize_t n = recv(w->fd, w->rbuf + w->rlen, w->rcap - w->rlen, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) return -1;
        w->rlen += (size_t)n;
    }
    *payload = w->rbuf + 4;
    return (long)len;
}

static void consume_frame(struct worker *w, size_t payload_len)
{
    size_t used = 4 + payload_len;
    size_t rest = w->rlen - used;
    if (rest) memmove(w->rbuf, w->rbuf + used, rest);
    w->rlen = rest;
}

/* Skips JSON whitespace. */
static size_t skip_ws(const unsigned char *p, size_t i, size_t n)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) i++;
    return i;
}

/*
 * Cheap plausibility check of a response payload, no full JSON parse:
 * it must be an object ('{' ... '}', balanced outside strings). Sets
 * *has_error when the top-level object has an "error" key.
 * Returns 0 if plausible, -1 otherwise.
 */
static int check_payload(const unsigned char *p, size_t n, int *has_error)
{
    *has_error = 0;
    size_t i = skip_ws(p, 0, n);
    if (i >= n || p[i] != '{') return -1;
    int depth = 0;
    int expect_key = 0; /* at depth 1, the next string is a key */
    for (; i < n; i++) {
        unsigned char c = p[i];
        if (c == '"') {
            size_t s = ++i;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\') i++;
                i++;
            }
            if (i >= n) return -1;
            if (depth == 1 && expect_key) {
                if (i - s == 5 && memcmp(p + s, "error", 5) == 0) *has_error = 1;
                expect_key = 0;
            }
        } else if (c == '{' || c == '[') {
            depth++;
            if (depth == 1) expect_key = 1;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth < 0) return -1;
            if (depth == 0) {
                i = skip_ws(p, i + 1, n);
                return i == n ? 0 : -1;
            }
        } else if (c == ',' && depth == 1) {
            expect_key = 1;
        }
    }
    return -1;
}

static void record(struct worker *w, uint64_t ns)
{
    uint64_t us = ns / 1000;
    w->hist[us < HIST_BUCKETS ? us : HIST_BUCKETS]++;
    if (ns > w->max_ns) w->max_ns = ns;
    w->sum_ns += ns;
    w->requests++;
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    w->fd = open_conn();
    if (w->fd < 0) {
        w->connect_errno = -w->fd;
        w->fd = -1;
    }
    pthread_barrier_wait(&start_barrier); /* everyone connected (or failed) */
    pthread_barrier_wait(&start_barrier); /* main has set the clock */
    if (atomic_load(&abort_run) || w->fd < 0) return NULL;

    const int64_t measure_start = t_measure_start, end = t_end;
    unsigned char req[512];
    const size_t method_len = strlen(cfg.method);
    const size_t prefix_len = sizeof "{\"jsonrpc\":\"2.0\",\"id\":" - 1;
    memcpy(req + 4, "{\"jsonrpc\":\"2.0\",\"id\":", prefix_len);
    uint64_t id = (uint64_t)w->index << 40;
    /* Open loop: this thread's schedule, staggered against the other threads'. */
    const int64_t interval = cfg.rate > 0 ? (int64_t)((double)cfg.clients * NS_PER_SEC / cfg.rate) : 0;
    int64_t scheduled = now_ns() + (interval * w->index) / cfg.clients;

    for (;;) {
        /* Build the request outside the timed section. */
        int idlen = snprintf((char *)req + 4 + prefix_len, 24, "%llu", (unsigned long long)++id);
        size_t off = 4 + prefix_len + (size_t)idlen;
        memcpy(req + off, ",\"method\":\"", 11);
        off += 11;
        memcpy(req + off, cfg.method, method_len);
        off += method_len;
        memcpy(req + off, "\"}", 2);
        off += 2;
        uint32_t body = (uint32_t)(off - 4);
        req[0] = (unsigned char)(body >> 24);
        req[1] = (unsigned char)(body >> 16);
        req[2] = (unsigned char)(body >> 8);
        req[3] = (unsigned char)body;

        int64_t t0;
        if (interval > 0) {
            if (scheduled >= end) break;
            struct timespec ts = {.tv_sec = scheduled / NS_PER_SEC, .tv_nsec = scheduled % NS_PER_SEC};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
            }
            t0 = scheduled; /* latency counts from when the request was due */
            scheduled += interval;
        } else {
            t0 = now_ns();
            if (t0 >= end) break;
        }
        const unsigned char *payload = NULL;
        long plen = -1;
        if (send_all(w->fd, req, off) == 0) plen = read_frame(w, &payload);
        int64_t t1 = now_ns();

        int has_error = 0;
        if (plen < 0 || check_payload(payload, (size_t)plen, &has_error) < 0) {
            w->errors++;
            close(w->fd);
            w->rlen = 0;
            w->fd = open_conn();
            if (w->fd < 0) {
                w->fd = -1;
                w->reconnect_failed = 1;
                break;
            }
            continue;
        }
        consume_frame(w, (size_t)plen);
        if (t0 >= measure_start) {
            record(w, (uint64_t)(t1 - t0));
            if (has_error) w->rpc_errors++;
            w->last_done_ns = t1;
        }
    }
    if (w->fd >= 0) close(w->fd);
    return NULL;
}

/* Upper edge, in us, of the bucket holding the q-quantile (nearest rank). */
static double percentile_us(const uint64_t *hist, uint64_t total, double q, double max_us)
{
    if (total == 0) return 0;
    uint64_t rank = (uint64_t)(q * (double)total + 0.999999999);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < HIST_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank) {
            double edge = (double)(b + 1);
            return edge < max_us ? edge : max_us;
        }
    }
    return max_us; /* in the overflow bucket */
}

int main(int argc, char **argv)
{
    if (parse_args(argc, argv) < 0) {
        usage(argv[0]);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    struct worker *workers = calloc((size_t)cfg.clients, sizeof *workers);
    if (!workers) return 1;
    pthread_barrier_init(&start_barrier, NULL, (unsigned)cfg.clients + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < cfg.clients; i++) {
        struct worker *w = &workers[i];
        w->index = i;
        w->hist = calloc(HIST_BUCKETS + 1, sizeof *w->hist);
        w->rcap = 64 * 1024;
        w->rbuf = malloc(w->rcap);
        if (!w->hist || !w->rbuf) {
            fprintf(stderr, "loadgen: out of memory\n");
            return 1;
        }
        int rc = pthread_create(&w->thread, &attr, run_worker, w);
        if (rc != 0) {
            fprintf(stderr, "loadgen: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }

    pthread_barrier_wait(&start_barrier);
    int failed = 0;
    for (int i = 0; i < cfg.clients; i++) {
        if (workers[i].fd < 0) {
            if (!failed)
                fprintf(stderr, "loadgen: cannot connect to %s: %s\n", cfg.socket_path,
                        strerror(workers[i].connect_errno));
            failed++;
        }
    }
    if (failed) {
        fprintf(stderr, "loadgen: %d of %d connections failed\n", failed, cfg.clients);
        atomic_store(&abort_run, 1);
    }
    int64_t t_start = now_ns();
    t_measure_start = t_start + (int64_t)(cfg.warmup * NS_PER_SEC);
    t_end = t_measure_start + (int64_t)(cfg.seconds * NS_PER_SEC);
    pthread_barrier_wait(&start_barrier);
    for (int i = 0; i < cfg.clients; i++) pthread_join(workers[i].thread, NULL);
    if (failed) return 1;

    uint64_t *hist = calloc(HIST_BUCKETS + 1, sizeof *hist);
    if (!hist) return 1;
    uint64_t requests = 0, errors = 0, rpc_errors = 0, max_ns = 0, sum_ns = 0;
    int64_t last_done = t_measure_start;
    int reconnect_failed = 0;
    for (int i = 0; i < cfg.clients; i++) {
        struct worker *w = &workers[i];
        for (size_t b = 0; b <= HIST_BUCKETS; b++) hist[b] += w->hist[b];
        requests += w->requests;
        errors += w->errors;
        rpc_errors += w->rpc_errors;
        sum_ns += w->sum_ns;
        if (w->max_ns > max_ns) max_ns = w->max_ns;
        if (w->last_done_ns > last_done) last_done = w->last_done_ns;
        reconnect_failed |= w->reconnect_failed;
    }
    double elapsed = (double)(last_done - t_measure_start) / NS_PER_SEC;
    /* Normally the last response lands just after the window; if threads stopped
     * early (lost connections), the nominal window is the honest denominator. */
    if (elapsed < cfg.seconds) elapsed = cfg.seconds;
    double max_us = (double)max_ns / 1000.0;
    double rps = (double)requests / elapsed;
    double mean_us = requests ? (double)sum_ns / (double)requests / 1000.0 : 0;

    printf("{\"clients\":%d,\"method\":\"%s\",\"requests\":%llu,\"seconds\":%g,"
           "\"rps\":%.1f,\"p50_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.1f,\"errors\":%llu,"
           "\"rpc_errors\":%llu,\"p90_us\":%.0f,\"p999_us\":%.0f,\"mean_us\":%.2f,"
           "\"warmup\":%g,\"elapsed\":%.4f,\"rate\":%g}\n",
           cfg.clients, cfg.method, (unsigned long long)requests, cfg.seconds, rps,
           percentile_us(hist, requests, 0.50, max_us), percentile_us(hist, requests, 0.99, max_us),
           max_us, (unsigned long long)errors, (unsigned long long)rpc_errors,
           percentile_us(hist, requests, 0.90, max_us), percentile_us(hist, requests, 0.999, max_us),
           mean_us, cfg.warmup, elapsed, cfg.rate);
    fflush(stdout);
    if (reconnect_failed) {
        fprintf(stderr, "loadgen: a connection was lost and could not be reopened\n");
        return 3;
    }
    return 0;
}
