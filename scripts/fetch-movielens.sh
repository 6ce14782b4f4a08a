#!/usr/bin/env bash
# scripts/fetch-movielens.sh — download an official MovieLens data set from GroupLens into data/.
#
#   scripts/fetch-movielens.sh ml-100k|ml-1m|ml-10m|ml-20m|ml-25m|ml-latest-small [DEST]
#
# For users only: the project never redistributes MovieLens (GroupLens' licence forbids it) and
# its tests never download anything.  The zip's MD5 is checked against the checksum GroupLens
# published for the frozen releases (below); for ml-latest-small, whose content changes over
# time, against the .md5 file GroupLens serves beside the zip.  Needs curl (or wget) and unzip.
set -euo pipefail
name=${1:-}
dest=${2:-"$(cd "$(dirname "$0")/.." && pwd)/data"}
base=https://files.grouplens.org/datasets/movielens
case "$name" in
ml-100k) md5=0e33842e24a9c977be4e0107933c0723 ;;
ml-1m) md5=c4d9eecfca2ab87c1945afe126590906 ;;
ml-10m) md5=ce571fd55effeba0271552578f2648bd ;;
ml-20m) md5=cd245b17a1ae2cc31bb14903e1204af3 ;;
ml-25m) md5=6b51fb2759a8657d3bfcbfc42b592ada ;;
ml-latest-small) md5="" ;;
*) echo "usage: $0 ml-100k|ml-1m|ml-10m|ml-20m|ml-25m|ml-latest-small [DEST]" >&2; exit 2 ;;
esac
command -v unzip >/dev/null || { echo "$0: needs unzip (apt-get install unzip)" >&2; exit 2; }
fetch() { if command -v curl >/dev/null; then curl -fL --retry 3 -o "$2" "$1"; else wget -O "$2" "$1"; fi; }
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching $base/$name.zip"
fetch "$base/$name.zip" "$tmp/$name.zip"
if [ -z "$md5" ]; then
    fetch "$base/$name.zip.md5" "$tmp/$name.zip.md5"
    md5=$(grep -Eo '[0-9a-f]{32}' "$tmp/$name.zip.md5" | head -n1)
fi
got=$(md5sum "$tmp/$name.zip" | cut -d' ' -f1)
if [ "$got" != "$md5" ]; then
    echo "$0: checksum mismatch for $name.zip: expected $md5, got $got" >&2
    exit 1
fi
rm -rf "${dest:?}/$name"
unzip -q "$tmp/$name.zip" -d "$tmp/x"
# ml-10m unpacks as ml-10M100K
src=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d | head -n1)
mv "$src" "$dest/$name"
echo "$name: MD5 ok, unpacked into $dest/$name (licence: $dest/$name/README*)"
