#!/usr/bin/env bash
# The man page (man/makemore.1) against the binary: every command that
# `makemore --help` lists has a section (.SS NAME), and that section names
# every flag of the command's --help, as a whole word (--lr is not
# satisfied by --lr-find); the page renders without a groff warning.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
man1=$TESTS_DIR/../man/makemore.1

"$M" --help >"$tmp/help" 2>&1
rc=$?
# the commands: the indented "  NAME   summary" lines after "commands:"
mapfile -t cmds < <(sed -n '/^commands:/,/^$/p' "$tmp/help" | sed -n 's/^  \([a-z][a-z0-9-]*\)  .*/\1/p')
plan $((2 + ${#cmds[@]}))
check "makemore --help exits 0 ($rc) and lists ${#cmds[@]} commands: ${cmds[*]}" \
    test "$rc" -eq 0 -a "${#cmds[@]}" -ge 5

if command -v groff >/dev/null; then
    warn=$(groff -man -Tutf8 -ww -z "$man1" 2>&1)
    check "makemore.1 renders without warnings${warn:+: $warn}" test -z "$warn"
else
    bad "groff is missing (apt-get install groff-base)"
fi

# section NAME: its lines, with groff's \- as -, up to the next section
section() {
    awk -v want=".SS $(sed 's/-/\\\\-/g' <<<"$1")" '
        $0 == want { on = 1; next }
        on && /^\.S[SH]/ { exit }
        on' "$man1" | sed 's/\\-/-/g'
}
for c in "${cmds[@]}"; do
    "$M" "$c" --help >"$tmp/c.help" 2>&1
    rc=$?
    # the option lines of --help: "  -x, --flag ..." or "  --flag ..."
    flags=$(sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' "$tmp/c.help" | grep -vx -- --help | sort -u)
    section "$c" >"$tmp/sec"
    grep -oE -- '--[a-z][a-z0-9-]*' "$tmp/sec" | sort -u >"$tmp/sec.flags"
    missing=$(for f in $flags; do grep -qxF -- "$f" "$tmp/sec.flags" || echo "$f"; done | tr '\n' ' ')
    n=$(wc -w <<<"$flags")
    if [ "$rc" -ne 0 ] || [ "$n" -eq 0 ]; then
        bad "$c --help: exit $rc, $n flags"
    elif [ ! -s "$tmp/sec" ]; then
        bad "makemore.1 has no section .SS $c"
    else
        check "makemore.1's section $c names its $n flags as whole words${missing:+; missing: $missing}" \
            test -z "$missing"
    fi
done
finish
