#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

static int reserve(mm_sbuf *b, size_t n)
{
    if (b->oom) return 0;
    if (b->len + n + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) { b->oom = 1; return 0; }
    b->s = s;
    b->cap = cap;
    return 1;
}

void mm_sbuf_put(mm_sbuf *b, const char *p, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = 0;
}

void mm_sbuf_puts(mm_sbuf *b, const char *s)
{
    mm_sbuf_put(b, s, strlen(s));
}

void mm_sbuf_printf(mm_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int mm_utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xc2)) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (n == 3) {
        unsigned cp = ((c & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u);
        if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000) || cp == 0xfffe || cp == 0xffff) return 0;
    }
    if (n == 4) {
        unsigned cp = ((c & 7u) << 18) | ((p[1] & 63u) << 12);
        if (cp < 0x10000 || cp > 0x10ffff) return 0;
    }
    return n;
}

void mm_sbuf_xml(mm_sbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const char *ent = NULL;
        switch (*p) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: break;
        }
        if (ent) { mm_sbuf_puts(b, ent); p++; continue; }
        int n = mm_utf8_len(p);
        if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n')) {
            mm_sbuf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
            p++;
            continue;
        }
        mm_sbuf_put(b, (const char *)p, (size_t)n);
        p += n;
    }
}

void mm_sbuf_csv(mm_sbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) { mm_sbuf_puts(b, s); return; }
    mm_sbuf_put(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"') mm_sbuf_put(b, "\"", 1);
        mm_sbuf_put(b, s, 1);
    }
    mm_sbuf_put(b, "\"", 1);
}

void mm_sbuf_base64(mm_sbuf *b, const unsigned char *p, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned long w = (unsigned long)p[i] << 16;
        if (i + 1 < n) w |= (unsigned long)p[i + 1] << 8;
        if (i + 2 < n) w |= p[i + 2];
        q[0] = A[w >> 18 & 63];
        q[1] = A[w >> 12 & 63];
        q[2] = i + 1 < n ? A[w >> 6 & 63] : '=';
        q[3] = i + 2 < n ? A[w & 63] : '=';
        mm_sbuf_put(b, q, 4);
    }
}

const char *mm_sbuf_str(const mm_sbuf *b)
{
    return b->s ? b->s : "";
}

mm_status mm_sbuf_save(const mm_sbuf *b, const char *path, mm_err *err)
{
    if (b->oom) return mm_fail(err, MM_ENOMEM, "%s: out of memory while building the file", path);
    return mm_write_file_atomic(path, mm_sbuf_str(b), b->len, err);
}

void mm_sbuf_free(mm_sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}
