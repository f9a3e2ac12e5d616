#!/usr/bin/env bash
# Makes .venv/ with the reference tools the interop tests compare against (PyTorch, ONNX, ONNX Runtime, Keras).
# Run once: `npm run setup:python`. It needs python3 (3.10 or newer) with venv, and pip's index.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=test/interop/requirements.txt
stamp=.venv/.requirements
if [ -x .venv/bin/python ] && cmp -s "$requirements" "$stamp"; then
  echo "setup:python: .venv is up to date"
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet -r "$requirements"
cp "$requirements" "$stamp"
echo "setup:python: .venv ready"
