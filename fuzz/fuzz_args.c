/* libFuzzer harness: the command-line parser.
 *
 * The input is split at NUL bytes into arguments. They go through train's
 * real flag table and checks (everything before a file is touched), whose
 * status must be 0, or 2 with exactly one line on stderr; and through a
 * table with one flag of every type, whose parsed values must then lie in
 * their declared ranges (an unsigned one written with digits only). The
 * outcome (outcome.h) records train's status and message and the values
 * parsed. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/args.h"
#include "../cli/cli.h"
#include "outcome.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)
#define MAX_ARGS 64

/* Every --u64 value the parser read is digits only. It reads argv as
 * flags, each but --flag followed by its value unless given as --name=v,
 * and stops at -h or --help: an argument after that, or a flag's value
 * that happens to read "--u64", is not one. */
static void check_u64_values(int argc, char **argv)
{
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k], *v = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return;
        const char *eq = strncmp(a, "--", 2) ? NULL : strchr(a, '=');
        if (eq) {
            if (!strncmp(a, "--u64=", 6)) v = eq + 1;
        } else if (strcmp(a, "--flag") && k + 1 < argc) {
            if (!strcmp(a, "--u64")) v = argv[k + 1];
            k++;
        }
        while (v && *v) REQUIRE(isdigit((unsigned char)*v++));
    }
}

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
        fuzz_note("every type: %s", msg);
        return;
    }
    REQUIRE(i >= -3 && i <= 1000);
    REQUIRE(l >= 0 && l <= 1000000000000L);
    REQUIRE(d >= 1e-3 && d <= 1e3);
    REQUIRE(flag == 0 || flag == 1);
    REQUIRE(*str); /* empty strings are refused */
    check_u64_values(argc, argv);
    fuzz_note("every type: --int %d --long %ld --u64 %llu --double %g --str '%s' --flag %d", i, l,
              (unsigned long long)u, d, str, flag);
}

/* train's flags: the status, and what it printed on stderr (one line for an error) */
static void check_train(int argc, char **argv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len), *saved = stderr;
    REQUIRE(mem);
    stderr = mem;
    int rc = cmd_train_check_args(argc, argv);
    stderr = saved;
    REQUIRE(fclose(mem) == 0);
    REQUIRE(rc == 0 || rc == 2);
    /* an error is one line that says something (the CLI echoes an argument
     * as given, so one holding a newline makes more lines) */
    int newline_given = 0;
    for (int k = 0; k < argc; k++) newline_given |= strchr(argv[k], '\n') != NULL;
    if (rc == 2)
        REQUIRE(len > 11 && !strncmp(text, "makemore: ", 10) && text[len - 1] == '\n' &&
                (newline_given || strchr(text, '\n') == text + len - 1));
    if (len && text[len - 1] == '\n') text[len - 1] = 0;
    fuzz_note("train: status %d%s%s", rc, len ? ": " : "", text);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome[0] = 0;
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
    check_train(argc, argv);
    check_every_type(argc, argv);
    free(buf);
    return 0;
}
