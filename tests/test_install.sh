#!/usr/bin/env bash
# make install into a temporary DESTDIR, then: the README's C example (the
# first ```c block of README.md) compiled against the installed copy with
# `pkg-config --cflags --libs makemore`, run, and compared with `makemore
# sample`; the same linked statically; the soname; the man page installed
# (its contents: tests/test_man.sh); make uninstall removes it all.
#   MAKEMORE  the binary (its name picks the build: makemore, makemore-portable)
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${MM_SANITIZER:-}" ]; then
    skip_all "make install: the sanitizer build makes no shared library"
fi
plan 11
for tool in pkg-config cc; do
    command -v $tool >/dev/null || { bad "$tool is missing (apt-get install pkgconf gcc)"; finish; }
done
makeflags=()
case $(basename "$MM") in makemore-portable) makeflags=(PORTABLE=1) ;; esac
dest=$tmp/root prefix=/usr/local
lib=$dest$prefix/lib
files=(bin/makemore lib/libmakemore.a lib/libmakemore.so.1.0.0 lib/libmakemore.so.1 lib/libmakemore.so
       include/makemore.h lib/pkgconfig/makemore.pc share/man/man1/makemore.1)

make -s -C "$root" "${makeflags[@]}" install PREFIX=$prefix DESTDIR="$dest" >"$tmp/install.log" 2>&1
missing=$(for f in "${files[@]}"; do [ -e "$dest$prefix/$f" ] || echo "$f"; done)
check "make install DESTDIR=... puts the 8 files under $prefix${missing:+; missing: $missing}" \
    test -z "$missing"
check "the installed binary runs" bash -c "'$dest$prefix/bin/makemore' --help >/dev/null"
soname=$(readelf -d "$lib/libmakemore.so.1.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "libmakemore.so.1.0.0 has the soname libmakemore.so.1 ($soname)" test "$soname" = libmakemore.so.1
check "libmakemore.so exports only the makemore_ API" \
    bash -c "! nm -D --defined-only '$lib/libmakemore.so.1' | awk '\$2 == \"T\" {print \$3}' | grep -v '^makemore_' | grep -q ."

# a small model to sample from
for i in $(seq 1 300); do echo anna; echo bob; echo carla; echo dmitri; echo elena; echo zoë; done > "$tmp/small.txt"
"$MM" train -i "$tmp/small.txt" -o "$tmp/model" --max-steps 200 --n-hidden 16 --samples 0 --lr-find 0 -t 1 \
    >/dev/null 2>"$tmp/err" || { bad "train for the example failed: $(tail -n 1 "$tmp/err")"; finish; }

awk '/^```c$/ {on = 1; next} on && /^```/ {exit} on' "$root/README.md" > "$tmp/example.c"
lines=$(wc -l < "$tmp/example.c")
check "README.md has a C example of under 25 lines ($lines)" test "$lines" -gt 0 -a "$lines" -lt 25
export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs makemore)
check "pkg-config --cflags --libs makemore: $flags" bash -c "grep -q -- '-I$dest$prefix/include' <<<'$flags'"
cc -std=c11 -Wall -Werror "$tmp/example.c" $flags -o "$tmp/example" 2>"$tmp/cc.err"
check "the README example compiles against the installed copy with -Wall -Werror" test -x "$tmp/example" -a ! -s "$tmp/cc.err"
"$MM" sample -o "$tmp/model" -n 5 >"$tmp/want.tsv" 2>/dev/null
rc_cli=$?
cut -f1 "$tmp/want.tsv" >"$tmp/want"
LD_LIBRARY_PATH=$lib "$tmp/example" "$tmp/model" > "$tmp/got" 2>"$tmp/run.err"
rc=$?
check "it prints the 5 samples makemore sample prints (exit $rc, sample: $rc_cli): $(tr '\n' ' ' < "$tmp/got")" \
    bash -c "[ $rc -eq 0 ] && [ $rc_cli -eq 0 ] && [ \$(wc -l < '$tmp/got') -eq 5 ] && cmp -s '$tmp/got' '$tmp/want' && readelf -d '$tmp/example' >'$tmp/dyn' && grep -q 'NEEDED.*libmakemore.so.1' '$tmp/dyn'"
cc -std=c11 "$tmp/example.c" $(pkg-config --cflags makemore) "$lib/libmakemore.a" $(pkg-config --static --libs-only-other --libs-only-l makemore | sed 's/-lmakemore//') \
    -o "$tmp/example_static" 2>"$tmp/cc2.err" && "$tmp/example_static" "$tmp/model" > "$tmp/got2" 2>/dev/null
check "linked with libmakemore.a (pkg-config --static) it prints the same" cmp -s "$tmp/got2" "$tmp/want"

# the installed man page is the repository's (its contents: tests/test_man.sh)
check "the installed makemore.1 is man/makemore.1" cmp -s "$dest$prefix/share/man/man1/makemore.1" "$root/man/makemore.1"

make -s -C "$root" "${makeflags[@]}" uninstall PREFIX=$prefix DESTDIR="$dest" >>"$tmp/install.log" 2>&1
left=$(for f in "${files[@]}"; do [ -e "$dest$prefix/$f" ] || [ -L "$dest$prefix/$f" ] && echo "$f"; done)
check "make uninstall removes all 8${left:+; left: $left}" test -z "$left"
finish
