/* A table-driven flag parser: every flag has a type, a range and a help
 * line, so bad values are caught in one place with one kind of message. */
#ifndef MM_ARGS_H
#define MM_ARGS_H

#include <stdint.h>

typedef enum { ARG_INT, ARG_LONG, ARG_U64, ARG_DOUBLE, ARG_STRING, ARG_FLAG } arg_type;

typedef struct {
    const char *name;  /* "--max-steps" */
    const char *alias; /* "-n", or NULL */
    arg_type type;
    void *dest;        /* int*, long*, uint64_t*, double*, const char**, int* */
    double min, max;   /* inclusive range for numbers */
    const char *help;
    int seen;          /* set by the parser */
} arg_spec;

/* Parses argv[0..argc) into the specs. On error writes a one-line message to
 * msg and returns -1; returns 1 if --help was asked for, else 0. */
int args_parse(arg_spec *specs, int nspecs, int argc, char **argv, char *msg, int msglen);
void args_usage(const char *usage, const arg_spec *specs, int nspecs);
/* The spec named name, for asking whether the user gave it */
const arg_spec *args_find(const arg_spec *specs, int nspecs, const char *name);
int args_seen(const arg_spec *specs, int nspecs, const char *name);

#endif
