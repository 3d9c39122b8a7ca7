/* A growable text buffer for the writers (CSV, SVG, HTML, Markdown), with
 * XML/HTML escaping. Writers build a whole file in memory and hand it to
 * mm_write_file_atomic, so a reader never sees half a plot.
 *
 * Appends after a failed allocation do nothing and set oom, so a writer
 * checks once at the end instead of after every append. */
#ifndef MM_STRBUF_H
#define MM_STRBUF_H

#include <stddef.h>

#include "status.h"

typedef struct {
    char *s;    /* NUL-terminated once anything was appended */
    size_t len, cap;
    int oom;
} mm_sbuf;

void mm_sbuf_put(mm_sbuf *b, const char *p, size_t n);
void mm_sbuf_puts(mm_sbuf *b, const char *s);
void mm_sbuf_printf(mm_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as XML/HTML character data or attribute value: & < > " ' become
 * entities; bytes XML 1.0 forbids (controls other than tab and newline, and
 * malformed UTF-8) become U+FFFD, so the document always parses. */
void mm_sbuf_xml(mm_sbuf *b, const char *s);
/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 for a
 * malformed one (overlong, surrogate, beyond U+10FFFF, U+FFFE/U+FFFF, or
 * cut short by the NUL that ends p). */
int mm_utf8_len(const unsigned char *p);
/* Appends s as one CSV field, quoted when it holds a comma, quote or newline. */
void mm_sbuf_csv(mm_sbuf *b, const char *s);
/* Appends the n bytes of p in base64 (RFC 4648, padded, one line), e.g. a
 * file a page embeds and decodes with atob. */
void mm_sbuf_base64(mm_sbuf *b, const unsigned char *p, size_t n); // p: (n)
/* The text so far ("" when empty). */
const char *mm_sbuf_str(const mm_sbuf *b);
/* Writes the buffer to path atomically; fails with MM_ENOMEM if an append
 * failed. */
mm_status mm_sbuf_save(const mm_sbuf *b, const char *path, mm_err *err);
void mm_sbuf_free(mm_sbuf *b);

#endif
