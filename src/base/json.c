#include "json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void mm_sbuf_json(mm_sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    mm_sbuf_put(b, "\"", 1);
    while (*p) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            mm_sbuf_put(b, e, 2);
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            mm_sbuf_put(b, e, 6);
            p++;
        } else {
            int n = mm_utf8_len(p);
            if (n) mm_sbuf_put(b, (const char *)p, (size_t)n);
            else mm_sbuf_puts(b, "\\ufffd"); /* one malformed byte: JSON text is UTF-8 */
            p += n ? n : 1;
        }
    }
    mm_sbuf_put(b, "\"", 1);
}

static void key(mm_json *j, const char *k)
{
    if (j->fields++) mm_sbuf_puts(&j->b, ", ");
    mm_sbuf_json(&j->b, k);
    mm_sbuf_puts(&j->b, ": ");
}

void mm_json_begin(mm_json *j)
{
    memset(j, 0, sizeof *j);
    j->items = -1;
    j->outer = -1;
    mm_sbuf_puts(&j->b, "{");
}

void mm_json_end(mm_json *j)
{
    if (j->outer >= 0) mm_json_item_object_end(j);
    if (j->items >= 0) mm_json_array_end(j);
    mm_sbuf_puts(&j->b, "}\n");
}

void mm_json_int(mm_json *j, const char *k, long long v)
{
    key(j, k);
    mm_sbuf_printf(&j->b, "%lld", v);
}

void mm_json_num(mm_json *j, const char *k, double v, int decimals)
{
    key(j, k);
    if (isfinite(v)) mm_sbuf_printf(&j->b, "%.*f", decimals, v);
    else mm_sbuf_puts(&j->b, "null");
}

void mm_json_real(mm_json *j, const char *k, double v)
{
    key(j, k);
    if (isfinite(v)) mm_sbuf_printf(&j->b, "%.9g", v);
    else mm_sbuf_puts(&j->b, "null");
}

static void number_g(mm_sbuf *b, double v, int digits)
{
    if (isfinite(v)) mm_sbuf_printf(b, "%.*g", digits, v);
    else mm_sbuf_puts(b, "null");
}

void mm_json_g(mm_json *j, const char *k, double v, int digits)
{
    key(j, k);
    number_g(&j->b, v, digits);
}

void mm_json_str(mm_json *j, const char *k, const char *s)
{
    key(j, k);
    mm_sbuf_json(&j->b, s);
}

void mm_json_str_or_null(mm_json *j, const char *k, const char *s)
{
    key(j, k);
    if (s) mm_sbuf_json(&j->b, s);
    else mm_sbuf_puts(&j->b, "null");
}

void mm_json_array(mm_json *j, const char *k)
{
    key(j, k);
    mm_sbuf_puts(&j->b, "[");
    j->items = 0;
}

void mm_json_item(mm_json *j, const char *s)
{
    if (j->items++ > 0) mm_sbuf_puts(&j->b, ", ");
    mm_sbuf_json(&j->b, s);
}

void mm_json_item_g(mm_json *j, double v, int digits)
{
    if (j->items++ > 0) mm_sbuf_puts(&j->b, ", ");
    number_g(&j->b, v, digits);
}

void mm_json_item_object(mm_json *j)
{
    if (j->items++ > 0) mm_sbuf_puts(&j->b, ", ");
    mm_sbuf_puts(&j->b, "{");
    j->outer = j->fields;
    j->fields = 0;
}

void mm_json_item_object_end(mm_json *j)
{
    mm_sbuf_puts(&j->b, "}");
    j->fields = j->outer;
    j->outer = -1;
}

void mm_json_array_end(mm_json *j)
{
    mm_sbuf_puts(&j->b, "]");
    j->items = -1;
}

void mm_json_free(mm_json *j)
{
    mm_sbuf_free(&j->b);
}
