/* SHA-256 against the standard test vectors (FIPS 180-4's examples, NIST's
 * "abc" and 448-bit messages, a million 'a'), whole and fed in pieces that
 * cross the block boundary. */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "check.h"

static const char *hex_of(const void *p, size_t n)
{
    static char out[65];
    unsigned char d[32];
    mm_sha256_of(p, n, d);
    mm_sha256_hex(d, out);
    return out;
}

int main(void)
{
    PLAN(7);
    static const struct { const char *msg, *want; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
         "mnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        const char *got = hex_of(v[i].msg, strlen(v[i].msg));
        CHECK(!strcmp(got, v[i].want), "SHA-256 of the %zu-byte vector: %s", strlen(v[i].msg), got);
    }
    /* a million 'a', fed 1, 63, 64, 65 ... bytes at a time */
    char *a = malloc(1000000);
    if (!a) return 1;
    memset(a, 'a', 1000000);
    const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    CHECK(!strcmp(hex_of(a, 1000000), want), "SHA-256 of a million 'a', in one call");
    mm_sha256 s;
    mm_sha256_init(&s);
    size_t done = 0, step[] = {1, 63, 64, 65, 127, 1000, 3};
    for (int k = 0; done < 1000000; k++) {
        size_t n = step[k % 7] < 1000000 - done ? step[k % 7] : 1000000 - done;
        mm_sha256_update(&s, a + done, n);
        done += n;
    }
    unsigned char d[32];
    char hex[65];
    mm_sha256_final(&s, d);
    mm_sha256_hex(d, hex);
    CHECK(!strcmp(hex, want), "SHA-256 of a million 'a', in pieces across block boundaries");
    /* lengths around the padding's two cases: 55 bytes fit one block, 56 need two */
    CHECK(!strcmp(hex_of(a, 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318") &&
          !strcmp(hex_of(a, 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
          "SHA-256 of 55 and 56 'a' (one and two final blocks)");
    free(a);
    return CHECK_DONE();
}
