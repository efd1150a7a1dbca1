#!/usr/bin/env sh
# Fetches the original SACX kws.py (unlicensed upstream, so not committed) at a
# pinned commit, checks it, and installs the pandas / numpy it needs into
# target/py-original for .venv/bin/python. See README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
commit=ace4c281b70612e4f25cd91365dfd90e961bbd74
sha256=b5e5548bb9e0e88ece7f5e1ee7d0e1a280467a8758f4120234708dce88cf1dfb
url="https://raw.githubusercontent.com/mmanteli/SACX-backup/$commit/kws.py"
if [ ! -f "$here/kws.py" ]; then
    curl -fsSL "$url" -o "$here/kws.py.part"
    mv "$here/kws.py.part" "$here/kws.py"
fi
echo "$sha256  $here/kws.py" | sha256sum -c -
"$root/.venv/bin/pip" install --quiet --target "$root/target/py-original" \
    pandas==1.5.3 numpy==1.26.4
echo "kws.py and its dependencies are ready; run: cargo test -p sacx-cli --test explain_tsv"
