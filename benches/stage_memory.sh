#!/usr/bin/env bash
# Peak resident memory of `sacx run`, per stage and whole, on a corpus:
#   benches/stage_memory.sh CORPUS.jsonl OUT_DIR SEEDS [extra sacx run options]
# Prints the process's peak (GNU time) and every stage's peak from run.json
# (`<stage>_peak_mib`, measured by sacx itself between stages) and the
# resident set each stage started from (`<stage>_start_mib`).
set -euo pipefail
corpus=$1; out=$2; seeds=$3; shift 3
sacx=${SACX:-target/release/sacx}
log=$out.time.log
/usr/bin/time -v "$sacx" run --corpus "$corpus" --seeds "$seeds" --threads 2 --out "$out" "$@" \
  > "$out.log" 2> "$log"
grep -E "Maximum resident|Elapsed" "$log"
python3 - "$out/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["seconds"]
rows = []
for k, v in d.items():
    if isinstance(v, dict):
        for s in ("train", "explain"):
            if s in v:
                rows.append((f"{k} {s}", v[s], v.get(f"{s}_peak_mib"), v.get(f"{s}_start_mib")))
    elif not k.endswith("_mib"):
        rows.append((k, v, d.get(f"{k}_peak_mib"), d.get(f"{k}_start_mib")))
print(f"{'stage':<20} {'time':>11}  {'peak':>12}  {'start':>12}")
for name, sec, mib, start in rows:
    f = lambda x: "-" if x is None else x
    print(f"{name:<20} {sec:9.1f} s  {f(mib):>8} MiB  {f(start):>8} MiB")
PY
