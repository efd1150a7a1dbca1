#!/usr/bin/env bash
# The topic map at scale (docs/benchmarks.md, "Topic map at 1 M documents"):
# N short documents (default 1,000,000) cut from the bundled corpus's texts
# (12 words each, every label and language kept, deterministic), mapped with
# paragraph vectors (NN-descent above 20,000 documents), with the wall time
# and peak memory (/usr/bin/time -v) of the whole command and each step's
# time; then one `sacx search` on the map, with its load and query times.
#   benches/map_scale.sh [N] [extra sacx map options]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
shift || true
WORK=${MAP_SCALE_DIR:-/tmp/sacx-map-scale}
mkdir -p "$WORK"
CORPUS="$WORK/short-$N.jsonl"
if [ ! -f "$CORPUS" ]; then
  python3 - "$N" "$CORPUS" <<'PY'
import gzip, json, sys
n, out = int(sys.argv[1]), sys.argv[2]
docs = [json.loads(l) for l in gzip.open("data/appstream.jsonl.gz", "rt", encoding="utf-8")]
chunks = []
for d in docs:
    w = d["text"].split()
    for i in range(0, max(len(w) - 11, 1), 12):
        chunks.append((d, " ".join(w[i:i + 12])))
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        d, text = chunks[(i * 7919) % len(chunks)]
        f.write(json.dumps({"id": f"{d['id']}#{i}", "lang": d["lang"], "text": text, "labels": d["labels"]}, ensure_ascii=False) + "\n")
PY
fi
rm -rf "$WORK/map-$N"
/usr/bin/time -v target/release/sacx map --corpus "$CORPUS" --out "$WORK/map-$N" --source paragraph-vectors "$@" 2> "$WORK/time-$N.txt"
grep -E "Elapsed|Maximum resident" "$WORK/time-$N.txt"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps({k: m[k] for k in ('documents','dim','vectors_s','timings','metrics')}))" "$WORK/map-$N/map.json"
/usr/bin/time -v target/release/sacx search --map "$WORK/map-$N" -k 10 "edit photos and raw images" 2> "$WORK/search-$N.txt" > /dev/null
grep -E "loaded in|Elapsed|Maximum resident" "$WORK/search-$N.txt"
