/* The one parser of the values behind flags and named settings (the
 * command line's args.c, the run builder's settings.c), so both read a
 * value the same way and say the same when it is wrong. Kept apart from
 * src/train: the web build compiles that folder in a mode that refuses
 * errno. */
#ifndef MM_PARSE_H
#define MM_PARSE_H

#include <stddef.h>

#include "status.h"

typedef enum { MM_VAL_INT, MM_VAL_LONG, MM_VAL_U64, MM_VAL_DOUBLE, MM_VAL_STRING, MM_VAL_FLAG } mm_value_type;

/* Parses text as a value of type t (int, long, uint64_t, double, a
 * non-empty string kept by pointer, or a flag's 0/1 as an int) in
 * [min, max] into dest, naming flag in the message. */
mm_status mm_parse_value(mm_value_type t, const char *flag, const char *text, double min, double max, void *dest,
                         mm_err *err);

/* "a, b or c" from name(0) .. name(count - 1), for the messages that list
 * a registry's names; into out (n bytes). */
void mm_names_join(char *out, size_t n, int count, const char *(*name)(int));

#endif
