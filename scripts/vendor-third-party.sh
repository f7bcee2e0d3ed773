#!/usr/bin/env bash
# Re-creates third_party/ from Debian source packages. Needs a deb-src entry and dpkg-dev.
# Run by hand when upgrading a dependency; the normal build uses the committed copy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq utf8proc libonig sentencepiece
dst="$root/third_party"
mkdir -p "$dst/utf8proc" "$dst/oniguruma/src" "$dst/nlohmann" "$dst/rapidjson" "$dst/darts_clone" "$dst/fast_float"
cp utf8proc-*/{utf8proc.c,utf8proc.h,utf8proc_data.c,LICENSE.md} "$dst/utf8proc/"
cd libonig-*/src
cp ascii.c utf8.c unicode.c unicode_*.c reg{comp,enc,error,exec,ext,parse,syntax,trav,version}.c \
   st.c st.h onig_init.c regenc.h regint.h regparse.h oniguruma.h config.h.cmake.in "$dst/oniguruma/src/"
cp ../COPYING "$dst/oniguruma/"
cp -r /usr/include/nlohmann/* "$dst/nlohmann/"   # from nlohmann-json3-dev (header-only)
cp -r /usr/include/rapidjson/* "$dst/rapidjson/"   # from rapidjson-dev (header-only)
cp /usr/share/doc/rapidjson-dev/copyright "$dst/rapidjson/COPYRIGHT"
cp /usr/include/fast_float/*.h "$dst/fast_float/" && rm "$dst/fast_float/fast_float_all.h"   # from libfast-float-dev (header-only; the single-file copy left out)
cp /usr/share/doc/libfast-float-dev/copyright "$dst/fast_float/COPYRIGHT"
cp "$work"/sentencepiece-*/third_party/darts_clone/{darts.h,LICENSE} "$dst/darts_clone/"
echo "vendored into $dst"
