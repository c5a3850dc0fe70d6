/* The floor for elohim-status: connect, send the same batch (engine.status + slots.list)
 * in one frame, read the whole answer frame, print one waybar-style line, exit. No JSON
 * parsing: the measurement is process start + one round trip.
 *
 *   cc -O2 -o status_client status_client.c && ./status_client /path/to/elohimd.sock */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int full(int fd, void *buffer, size_t length, int writing) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = writing ? write(fd, (char *)buffer + done, length - done) : read(fd, (char *)buffer + done, length - done);
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: status_client SOCKET\n");
        return 2;
    }
    static const char request[] =
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"engine.status\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"slots.list\"}]";
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        puts("{\"text\":\"[Local] offline\",\"class\":\"offline\"}");
        return 0;
    }
    uint32_t length = htonl((uint32_t)(sizeof request - 1));
    if (full(fd, &length, 4, 1) || full(fd, (void *)request, sizeof request - 1, 1) || full(fd, &length, 4, 0)) return 1;
    length = ntohl(length);
    char *answer = malloc(length + 1);
    if (!answer || full(fd, answer, length, 0)) return 1;
    answer[length] = 0;
    printf("{\"text\":\"[Local] %s\",\"class\":\"online\",\"bytes\":%u}\n", strstr(answer, "\"idle\"") ? "idle" : "up", length);
    free(answer);
    close(fd);
    return 0;
}
