#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static arg_spec *lookup(arg_spec *specs, int n, const char *name, size_t len)
{
    for (int i = 0; i < n; i++) {
        if (strlen(specs[i].name) == len && !strncmp(specs[i].name, name, len)) return &specs[i];
        if (specs[i].alias && strlen(specs[i].alias) == len && !strncmp(specs[i].alias, name, len))
            return &specs[i];
    }
    return NULL;
}

/* The builder's parser (settings.h), so a flag and a library setting read
 * a value the same way and say the same when it is wrong. */
static int parse_value(arg_spec *s, const char *v, char *msg, int msglen)
{
    mm_err err;
    if (!mm_parse_value((mm_value_type)s->type, s->name, v, s->min, s->max, s->dest, &err)) return 0;
    snprintf(msg, (size_t)msglen, "%s", err.msg);
    return -1;
}

int args_parse(arg_spec *specs, int nspecs, int argc, char **argv, char *msg, int msglen)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return 1;
        if (a[0] != '-' || !a[1]) {
            snprintf(msg, (size_t)msglen, "unexpected argument '%s'", a);
            return -1;
        }
        const char *eq = strncmp(a, "--", 2) ? NULL : strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        arg_spec *s = lookup(specs, nspecs, a, len);
        if (!s) {
            snprintf(msg, (size_t)msglen, "unknown flag '%.*s' (see --help)", (int)len, a);
            return -1;
        }
        s->seen = 1;
        if (s->type == ARG_FLAG) {
            if (eq) {
                snprintf(msg, (size_t)msglen, "%s takes no value", s->name);
                return -1;
            }
            *(int *)s->dest = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            snprintf(msg, (size_t)msglen, "%s needs a value", s->name);
            return -1;
        }
        if (parse_value(s, v, msg, msglen)) return -1;
    }
    return 0;
}

void args_usage(const char *usage, const arg_spec *specs, int nspecs)
{
    printf("%s\n\nOptions:\n", usage);
    for (int i = 0; i < nspecs; i++) {
        const arg_spec *s = &specs[i];
        char left[64];
        const char *meta = s->type == ARG_FLAG ? "" : s->type == ARG_STRING ? " S" :
                           s->type == ARG_DOUBLE ? " X" : " N";
        snprintf(left, sizeof left, "%s%s%s%s", s->alias ? s->alias : "", s->alias ? ", " : "",
                 s->name, meta);
        printf("  %-26s %s\n", left, s->help);
    }
    printf("  %-26s %s\n", "-h, --help", "show this help");
}

const arg_spec *args_find(const arg_spec *specs, int nspecs, const char *name)
{
    for (int i = 0; i < nspecs; i++)
        if (!strcmp(specs[i].name, name)) return &specs[i];
    return NULL;
}

int args_seen(const arg_spec *specs, int nspecs, const char *name)
{
    const arg_spec *s = args_find(specs, nspecs, name);
    return s && s->seen;
}
