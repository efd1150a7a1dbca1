#!/usr/bin/env bash
# The keyword-precision levers of issue 25, measured on a finished `sacx run`
# directory without retraining: each variant re-ranks the run's explanations
# (`sacx keywords`), is evaluated next to the run's baselines with the run's
# models (`sacx evaluate --run`, K = 10) and summarised by bars.py.
#
# usage: benches/quality/levers.sh RUN_DIR OUT_DIR [corpus options of the run, e.g. --corpus FILE]
set -euo pipefail
run=$1; out=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
sacx=${SACX:-$here/../../target/release/sacx}
py=${PYTHON:-python3}
declare -A variants=(
  [default]=""
  [support]="--ranking support --specificity-power 2"
  [original]="--ranking original"
  [contrast-rr]="--ranking contrast --association relative-risk --association-power 1"
  [contrast-rr-q2]="--ranking contrast --association relative-risk --association-power 2"
  [contrast-rr-p1]="--ranking contrast --association relative-risk --specificity-power 1"
  [contrast-rr-q3]="--ranking contrast --association relative-risk --association-power 3"
  [contrast-bound]="--ranking contrast --association relative-risk-bound --association-power 1"
  [contrast-bound-q2]="--ranking contrast --association relative-risk-bound --association-power 2"
  [contrast-phi]="--ranking contrast --association phi --association-power 1"
  [contrast-phi-q2]="--ranking contrast --association phi --association-power 2"
  [contrast-entropy]="--ranking contrast --association entropy --association-power 1"
)
mkdir -p "$out"
for name in ${VARIANTS:-default support original contrast-rr contrast-phi-q2 contrast-entropy}; do
  d="$out/$name"
  rm -rf "$d"; mkdir -p "$d"
  # shellcheck disable=SC2086
  "$sacx" keywords --explanations "$run" --counts "$run/counts" ${variants[$name]} \
    --no-language-lists --out "$d/keywords" > /dev/null
  sets=(--keywords "$d/keywords")
  for m in log-odds chi2 ctfidf; do
    if [ -d "$run/keywords/$m" ]; then
      ln -s "$(cd "$run/keywords/$m" && pwd)" "$d/keywords/$m"
      sets+=(--keywords "$d/keywords/$m")
    fi
  done
  "$sacx" evaluate "${sets[@]}" --explanations "$run" --counts "$run/counts" --run "$run" \
    --eval-k 10 --out "$d/evaluation.json" "$@" > /dev/null
  echo "## $name: ${variants[$name]}"
  "$py" "$here/bars.py" "$d"
done
