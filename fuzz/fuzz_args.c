/* libFuzzer harness: the command-line parser.
 *
 * The input is split at NUL bytes into arguments. They go through train's
 * real flag table and checks (everything before a file is touched), and
 * through a table with one flag of every type, whose parsed values must
 * then lie in their declared ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/args.h"
#include "../cli/cli.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)
#define MAX_ARGS 64

static void check_every_type(int argc, char **argv)
{
    int i = 7, flag = 0;
    long l = 7;
    uint64_t u = 7;
    double d = 0.5;
    const char *str = "default";
    arg_spec s[] = {
        {"--int", "-i", ARG_INT, &i, -3, 1000, "", 0},
        {"--long", NULL, ARG_LONG, &l, 0, 1e12, "", 0},
        {"--u64", NULL, ARG_U64, &u, 0, 0, "", 0},
        {"--double", "-d", ARG_DOUBLE, &d, 1e-3, 1e3, "", 0},
        {"--str", "-s", ARG_STRING, &str, 0, 0, "", 0},
        {"--flag", NULL, ARG_FLAG, &flag, 0, 0, "", 0},
    };
    char msg[256];
    msg[0] = 0;
    int rc = args_parse(s, 6, argc, argv, msg, sizeof msg);
    if (rc < 0) {
        REQUIRE(msg[0] && strlen(msg) < sizeof msg); /* an error always says something */
        return;
    }
    REQUIRE(i >= -3 && i <= 1000);
    REQUIRE(l >= 0 && l <= 1000000000000L);
    REQUIRE(d >= 1e-3 && d <= 1e3);
    REQUIRE(flag == 0 || flag == 1);
    REQUIRE(*str); /* empty strings are refused */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private NUL-terminated copy: the parser keeps pointers into argv */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    for (size_t pos = 0; pos < size && argc < MAX_ARGS; pos += strlen(buf + pos) + 1)
        argv[argc++] = buf + pos;
    argv[argc] = NULL;
    int rc = cmd_train_check_args(argc, argv);
    REQUIRE(rc == 0 || rc == 2);
    check_every_type(argc, argv);
    free(buf);
    return 0;
}
