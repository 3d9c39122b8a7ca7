/* One JSON object built in an mm_sbuf, for every command's --json: strings
 * are escaped (quote, backslash, control characters; malformed UTF-8 becomes
 * U+FFFD, well-formed non-ASCII is kept), and a number that is not finite
 * (an empty split's NaN loss) becomes null, so the result always parses
 * with a strict parser. The library builds the text; the CLI prints it.
 *
 *   mm_json j; mm_json_begin(&j);
 *   mm_json_int(&j, "steps", 300); mm_json_num(&j, "dev_loss", x, 6);
 *   mm_json_array(&j, "samples"); mm_json_item(&j, "ann"); mm_json_array_end(&j);
 *   mm_json_array(&j, "probs"); mm_json_item_object(&j);
 *   mm_json_str(&j, "char", "a"); mm_json_item_object_end(&j); mm_json_array_end(&j);
 *   mm_json_end(&j);  // j.b holds the object and a newline */
#ifndef MM_JSON_H
#define MM_JSON_H

#include <stddef.h>

#include "strbuf.h"

typedef struct {
    mm_sbuf b;
    int fields; /* written in the object so far */
    int items;  /* written in the open array so far, or -1 outside one */
    int outer;  /* the top object's fields while an item object is open, else -1 */
} mm_json;

void mm_json_begin(mm_json *j);
void mm_json_end(mm_json *j);
void mm_json_int(mm_json *j, const char *key, long long v);
/* v with this many decimals, or null when v is NaN or infinite. */
void mm_json_num(mm_json *j, const char *key, double v, int decimals);
/* v in %.9g (learning rates and other small numbers), or null. */
void mm_json_real(mm_json *j, const char *key, double v);
/* v with this many significant digits (%.*g), or null. */
void mm_json_g(mm_json *j, const char *key, double v, int digits);
void mm_json_str(mm_json *j, const char *key, const char *s);
/* s, or null when s is NULL. */
void mm_json_str_or_null(mm_json *j, const char *key, const char *s);
void mm_json_array(mm_json *j, const char *key);
void mm_json_item(mm_json *j, const char *s);
/* A number item, as mm_json_g. */
void mm_json_item_g(mm_json *j, double v, int digits);
/* An object as the next item of the open array: the fields written until
 * mm_json_item_object_end are its own (one level deep). */
void mm_json_item_object(mm_json *j);
void mm_json_item_object_end(mm_json *j);
void mm_json_array_end(mm_json *j);
void mm_json_free(mm_json *j);

/* Appends s (NUL-terminated) as a JSON string literal, quotes included. */
void mm_sbuf_json(mm_sbuf *b, const char *s);

#endif
