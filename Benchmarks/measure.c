/* Runs a command once and prints its wall time and peak RSS as one JSON line:
 *   {"wall_ms": 3.21, "max_rss_kib": 2048, "status": 0}
 * A small C parent, so the child's ru_maxrss (which counts the pre-exec copy of the parent)
 * reflects the command, not a Python interpreter. stdout of the command goes to /dev/null.
 *
 *   cc -O2 -o measure measure.c && ./measure elohim-status --format waybar */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: measure COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (pid < 0 || wait4(pid, &status, 0, &usage) < 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    printf("{\"wall_ms\": %.3f, \"max_rss_kib\": %ld, \"status\": %d}\n", ms, usage.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
