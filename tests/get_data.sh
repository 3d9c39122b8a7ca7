#!/usr/bin/env bash
# Puts names.txt at $1: a copy of $NAMES_TXT when set, else a download from
# $3; either way its sha256 must be $2.
set -u
dest=$1 sha=$2 url=$3
mkdir -p "$(dirname "$dest")"
tmp="$dest.tmp.$$"
trap 'rm -f "$tmp"' EXIT
if [ -n "${NAMES_TXT:-}" ]; then
    if ! cp "$NAMES_TXT" "$tmp" 2>/dev/null; then
        echo "make data: cannot copy NAMES_TXT=$NAMES_TXT" >&2; exit 2
    fi
elif command -v curl >/dev/null && curl -fsSL --max-time 60 -o "$tmp" "$url"; then
    :
elif command -v wget >/dev/null && wget -q -T 60 -O "$tmp" "$url"; then
    :
else
    echo "make data: could not download $url; set NAMES_TXT=/path/to/names.txt and run make data again" >&2
    exit 2
fi
got=$(sha256sum "$tmp" | cut -d' ' -f1)
if [ "$got" != "$sha" ]; then
    echo "make data: names.txt has sha256 $got, expected $sha" >&2; exit 2
fi
mv "$tmp" "$dest"
trap - EXIT
echo "data: $dest ($(wc -l < "$dest") lines, sha256 ok)"
