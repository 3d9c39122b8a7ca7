/* The writers: string buffer escaping, SVG builder, plots, HTML builder.
 * With "--write DIR" it also writes a sample SVG and HTML page full of
 * awkward text, which tests/test_writers.sh parses with Python. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "plot.h"
#include "json.h"
#include "check.h"

static const char *NASTY = "a<b>&\"c'\x01\xff\tz \xc3\xa9 </svg>";

static void test_escaping(void)
{
    mm_sbuf b = {0};
    mm_sbuf_xml(&b, "a<b>&\"'");
    CHECK(!strcmp(mm_sbuf_str(&b), "a&lt;b&gt;&amp;&quot;&#39;"), "markup characters become entities: %s", mm_sbuf_str(&b));
    mm_sbuf_free(&b);
    mm_sbuf_xml(&b, "\x01x\xffy\xc3\xa9\t\xed\xa0\x80");
    CHECK(!strcmp(mm_sbuf_str(&b), "\xef\xbf\xbdx\xef\xbf\xbdy\xc3\xa9\t\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
          "controls, bad bytes and surrogates become U+FFFD; UTF-8 and tab kept");
    mm_sbuf_free(&b);
    mm_sbuf_csv(&b, "plain");
    mm_sbuf_puts(&b, ",");
    mm_sbuf_csv(&b, "a,\"b\"");
    CHECK(!strcmp(mm_sbuf_str(&b), "plain,\"a,\"\"b\"\"\""), "CSV fields quoted only when needed: %s", mm_sbuf_str(&b));
    mm_sbuf_free(&b);
    CHECK(!strcmp(mm_sbuf_str(&b), ""), "an empty buffer reads as \"\"");
    for (int i = 0; i < 5000; i++) mm_sbuf_printf(&b, "%d,", i);
    CHECK(b.len > 20000 && !b.oom && !strncmp(b.s + b.len - 5, "4999,", 5), "buffer grows over many appends");
    mm_sbuf_free(&b);
}

/* JSON strings and numbers (json.h): what a strict parser needs. */
static void test_json(void)
{
    mm_sbuf b = {0};
    mm_sbuf_json(&b, "q\"b\\t\tc\x01\x1f\x7f\n");
    CHECK(!strcmp(mm_sbuf_str(&b), "\"q\\\"b\\\\t\\u0009c\\u0001\\u001f\\u007f\\u000a\""),
          "JSON escapes quote, backslash and control characters: %s", mm_sbuf_str(&b));
    mm_sbuf_free(&b);
    mm_sbuf_json(&b, "\xc3\xa9\xf0\x9f\x98\x80|\xff|\xc0\xaf|\xed\xa0\x80|\xe2\x82");
    CHECK(!strcmp(mm_sbuf_str(&b), "\"\xc3\xa9\xf0\x9f\x98\x80|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
                                   "\\ufffd\\ufffd\""),
          "JSON keeps well-formed UTF-8 and turns each malformed byte into \\ufffd: %s", mm_sbuf_str(&b));
    mm_sbuf_free(&b);
    mm_json j;
    mm_json_begin(&j);
    mm_json_num(&j, "nan", NAN, 6);
    mm_json_real(&j, "inf", INFINITY);
    mm_json_num(&j, "x", 1.5, 2);
    mm_json_array(&j, "s");
    mm_json_item(&j, "a");
    mm_json_item(&j, "b");
    mm_json_array_end(&j);
    mm_json_int(&j, "n", -3);
    mm_json_end(&j);
    CHECK(!strcmp(mm_sbuf_str(&j.b), "{\"nan\": null, \"inf\": null, \"x\": 1.50, \"s\": [\"a\", \"b\"], \"n\": -3}\n"),
          "a JSON object: NaN and infinity are null: %s", mm_sbuf_str(&j.b));
    mm_json_free(&j);
    mm_json_begin(&j);
    mm_json_array(&j, "p");
    mm_json_item_object(&j);
    mm_json_str(&j, "c", "\"");
    mm_json_g(&j, "x", 0.25, 9);
    mm_json_item_object_end(&j);
    mm_json_item_object(&j);
    mm_json_str_or_null(&j, "c", NULL);
    mm_json_item_object_end(&j);
    mm_json_array_end(&j);
    mm_json_array(&j, "v");
    mm_json_item_g(&j, 1.5, 6);
    mm_json_item_g(&j, NAN, 6);
    mm_json_array_end(&j);
    mm_json_int(&j, "n", 1);
    mm_json_end(&j);
    CHECK(!strcmp(mm_sbuf_str(&j.b), "{\"p\": [{\"c\": \"\\\"\", \"x\": 0.25}, {\"c\": null}], "
                                     "\"v\": [1.5, null], \"n\": 1}\n"),
          "JSON objects as array items, number items, null strings: %s", mm_sbuf_str(&j.b));
    mm_json_free(&j);
}

static void test_ticks(void)
{
    double t[MM_MAX_TICKS], step;
    int n = mm_nice_ticks(-3, 0, 8, t, &step);
    CHECK(n == 7 && step == 0.5 && t[0] == -3 && t[6] == 0, "ticks of -3..0: %d from %g step %g", n, t[0], step);
    n = mm_nice_ticks(0, 200000, 8, t, &step);
    CHECK(step == 50000 && n == 5 && t[4] == 200000, "ticks of 0..200000 step %g", step);
    char lab[32];
    mm_tick_label(lab, sizeof lab, 150000, 50000);
    CHECK(!strcmp(lab, "150k"), "150000 labelled 150k (%s)", lab);
    mm_tick_label(lab, sizeof lab, 0.25, 0.05);
    CHECK(!strcmp(lab, "0.25"), "0.25 at step 0.05 keeps two decimals (%s)", lab);
    mm_tick_label(lab, sizeof lab, -1.5, 0.5);
    CHECK(!strcmp(lab, "-1.5"), "-1.5 at step 0.5 (%s)", lab);
    int bad = 0;
    srand(7);
    for (int k = 0; k < 2000; k++) {
        double lo = (rand() / (double)RAND_MAX - 0.5) * pow(10, rand() % 12 - 6);
        double hi = lo + (rand() / (double)RAND_MAX + 1e-3) * pow(10, rand() % 12 - 6);
        int max = 3 + rand() % 8;
        n = mm_nice_ticks(lo, hi, max, t, &step);
        if (n < 2 || n > max) bad++;
        for (int i = 0; i < n; i++)
            if (t[i] < lo - 1e-9 * step || t[i] > hi + 1e-9 * step || (i && !(t[i] > t[i - 1]))) bad++;
    }
    CHECK(bad == 0, "2000 random ranges: ticks inside, increasing, count within limits (%d bad)", bad);
    CHECK(mm_nice_ticks(1, 1, 8, t, &step) == 0 && mm_nice_ticks(NAN, 1, 8, t, &step) == 0,
          "no ticks for an empty or NaN range");
    double v[] = {NAN, 2, INFINITY, 4};
    mm_range r = mm_range_of(v, 4, 0.5);
    CHECK(r.lo == 1 && r.hi == 5, "range skips non-finite values and pads (%g..%g)", r.lo, r.hi);
    r = mm_range_of(v, 1, 0.1);
    CHECK(r.lo == 0 && r.hi == 1, "range of nothing finite is 0..1");
}

static void test_smoothing(void)
{
    double in[] = {1, 2, 3, 4, 5}, out[5];
    mm_smooth_mean(out, in, 5, 3);
    CHECK(out[0] == 1.5 && out[1] == 2 && out[2] == 3 && out[4] == 4.5, "moving mean of 1..5 over 3");
    double gap[] = {1, NAN, 3};
    mm_smooth_mean(out, gap, 3, 3);
    CHECK(out[1] == 2 && out[0] == 1 && out[2] == 3, "NaN points are left out of the mean");
    enum { N = 1000, W = 37 };
    double x[N], s[N];
    for (int i = 0; i < N; i++) x[i] = sin(i * 0.1) + (i % 7) * 0.01;
    mm_smooth_mean(s, x, N, W);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double sum = 0;
        int c = 0;
        for (int j = i - W / 2; j <= i + W / 2; j++)
            if (j >= 0 && j < N) { sum += x[j]; c++; }
        worst = fmax(worst, fabs(sum / c - s[i]));
    }
    CHECK(worst < 1e-9, "running mean equals the direct mean (max diff %.2g)", worst);
    size_t idx[10];
    size_t m = mm_decimate(idx, 1000, 10);
    int inc = 1;
    for (size_t k = 1; k < m; k++) inc &= idx[k] > idx[k - 1];
    CHECK(m == 10 && idx[0] == 0 && idx[9] == 999 && inc, "decimation keeps the ends and order");
    CHECK(mm_decimate(idx, 4, 10) == 4 && idx[3] == 3, "short series are kept whole");
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

static void sample_svg(mm_svg *s)
{
    mm_svg_begin(s, "t\"st<", 600, 400, NASTY);
    double x[] = {0, 1, 2, 3, 4, 5}, y[] = {1, 2, NAN, 3, 2, 1};
    mm_series se[2] = {
        {MM_SERIES_LINE, x, y, 6, NASTY, {"#1f77b4", 2, 0, MM_MARK_NONE, 0}, 0, 0},
        {MM_SERIES_POINTS, x, y, 6, "points", {"#d62728", 0, 0, MM_MARK_RING, 4}, 0, 0},
    };
    mm_axes_opts o = {NASTY, "x <axis>", "y & axis", {0, 0}, {0, 0}, MM_TOP_RIGHT};
    mm_err e;
    mm_plot_lines(s, mm_plot_box(600, 400), &o, se, 2, &e);
    mm_svg_end(s);
}

static void test_svg(void)
{
    mm_svg s;
    sample_svg(&s);
    const char *d = mm_sbuf_str(&s.out);
    CHECK(!s.out.oom && !strncmp(d, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"t_st_\"", 50),
          "id is made safe for attributes");
    CHECK(count(d, "<path") == 1 && count(d, " M") + (strstr(d, "d=\"M") != NULL) == 2,
          "the NaN point breaks the line into two pieces");
    CHECK(count(d, "<circle") == 5 + 1 && count(d, "t_st_-clip1") == 3, "5 finite markers (+1 in the legend), clipped to the panel");
    CHECK(!strstr(d, "</svg>\n</svg>") && count(d, "</svg>") == 1 && strstr(d, "&lt;/svg&gt;"),
          "text cannot close the document early");
    CHECK(strstr(d, "x &lt;axis&gt;") && strstr(d, "y &amp; axis"), "axis labels escaped");
    mm_svg_free(&s);
}

static void test_html(void)
{
    mm_html h;
    mm_html_begin(&h, NASTY);
    const char *hdr[] = {"k", "v"}, *row[] = {"<k>", NULL};
    mm_html_table_begin(&h, "cap&", hdr, 2);
    mm_html_table_row(&h, row);
    mm_html_table_end(&h);
    mm_html_figure(&h, "<svg id=\"x\"></svg>", "fig <1>");
    const char *items[] = {"anna", "<script>"};
    mm_html_list(&h, items, NULL, 2);
    mm_html_end(&h);
    const char *d = mm_sbuf_str(&h.out);
    CHECK(!strncmp(d, "<!DOCTYPE html>", 15) && strstr(d, "<meta charset=\"utf-8\">"), "a UTF-8 HTML5 page");
    CHECK(!strstr(d, "<script") && strstr(d, "&lt;script&gt;"), "list items escaped");
    CHECK(strstr(d, "<td>&lt;k&gt;</td><td></td>") != NULL, "cells escaped, NULL cells empty");
    CHECK(strstr(d, "<figure>\n<svg id=\"x\"></svg><figcaption>fig &lt;1&gt;") != NULL, "SVG inlined verbatim, caption escaped");
    CHECK(!strstr(d, "http:") && !strstr(d, "https:") && !strstr(d, "src=") && !strstr(d, "href"), "nothing to fetch");
    CHECK(strstr(d, "Content-Security-Policy\" content=\"default-src 'none';") != NULL, "a policy that forbids every fetch");
    mm_html_free(&h);
}

static void test_base64(void)
{
    /* RFC 4648's test vectors, section 10 */
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    int ok = 1;
    for (int i = 0; i < 7; i++) {
        mm_sbuf b = {0};
        mm_sbuf_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
        ok = ok && !strcmp(mm_sbuf_str(&b), want[i]);
        mm_sbuf_free(&b);
    }
    CHECK(ok, "base64 of RFC 4648's test vectors");
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)(255 - i);
    mm_sbuf b = {0};
    mm_sbuf_base64(&b, all, sizeof all);
    CHECK(b.len == 344 && !strncmp(b.s, "//79/Pv6", 8) && !strcmp(b.s + 340, "AA=="), "base64 of every byte value");
    mm_sbuf_free(&b);
}

static int write_samples(const char *dir)
{
    char path[1024];
    mm_err e;
    mm_svg s;
    sample_svg(&s);
    snprintf(path, sizeof path, "%s/sample.svg", dir);
    int bad = mm_sbuf_save(&s.out, path, &e) != MM_OK;
    mm_html h;
    mm_html_begin(&h, NASTY);
    mm_html_para(&h, NASTY);
    mm_html_figure(&h, mm_sbuf_str(&s.out), NASTY);
    mm_html_end(&h);
    snprintf(path, sizeof path, "%s/sample.html", dir);
    bad |= mm_sbuf_save(&h.out, path, &e) != MM_OK;
    mm_html_free(&h);
    mm_svg_free(&s);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) return write_samples(argv[2]);
    PLAN(36);
    test_escaping();
    test_json();
    test_ticks();
    test_smoothing();
    test_svg();
    test_html();
    test_base64();
    return CHECK_DONE();
}
