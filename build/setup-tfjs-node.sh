#!/usr/bin/env bash
# Gives @tensorflow/tfjs-node (TensorFlow's native CPU backend) the TensorFlow C library of a TensorFlow pip wheel,
# for machines where its install cannot download libtensorflow (offline, or a registry mirror only).
# `npm run setup:tfjs-node [-- TENSORFLOW_DIR]`; without an argument it asks .venv's (or python3's) tensorflow.
# It builds the binding with npm's node-gyp against the wheel's headers: it needs a C++ compiler, make and Node's
# headers (include/node beside the node binary, as Node's tarballs and Debian's nodejs ship them).
# The wheel's libtensorflow_cc.so.2 exports the same C API that tfjs-node links (TF_*, TFE_*).
set -euo pipefail
cd "$(dirname "$0")/.."
package=node_modules/@tensorflow/tfjs-node
[ -f "$package/binding.gyp" ] || { echo "setup:tfjs-node: $package is not installed (npm install keeps it as an optional dependency)"; exit 1; }
tf_dir=${1:-}
if [ -z "$tf_dir" ]; then
  python=python3
  [ -x .venv/bin/python ] && python=.venv/bin/python
  tf_dir=$("$python" -c 'import os, tensorflow; print(os.path.dirname(tensorflow.__file__))' 2>/dev/null) ||
    { echo "setup:tfjs-node: no tensorflow in $python (npm run setup:python, or pass the folder of a tensorflow wheel)"; exit 1; }
fi
for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2 include/tensorflow/c/c_api.h include/tensorflow/c/eager/c_api.h; do
  [ -e "$tf_dir/$f" ] || { echo "setup:tfjs-node: $tf_dir has no $f (is it the tensorflow package of a TensorFlow 2 wheel?)"; exit 1; }
done
node_dir=$(dirname "$(dirname "$(node -p process.execPath)")")
[ -f "$node_dir/include/node/node_api.h" ] || { echo "setup:tfjs-node: Node's headers are not in $node_dir/include/node"; exit 1; }
gyp=${npm_config_node_gyp:-$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js}
[ -f "$gyp" ] || { echo "setup:tfjs-node: npm's node-gyp was not found (looked at $gyp)"; exit 1; }

mkdir -p "$package/deps/lib"
ln -sfn "$tf_dir/include" "$package/deps/include"
# The binding links -ltensorflow; the wheel's library calls itself libtensorflow_cc.so.2 (its soname).
for name in libtensorflow.so libtensorflow.so.2 libtensorflow_cc.so.2; do ln -sf "$tf_dir/libtensorflow_cc.so.2" "$package/deps/lib/$name"; done
for name in libtensorflow_framework.so libtensorflow_framework.so.2; do ln -sf "$tf_dir/libtensorflow_framework.so.2" "$package/deps/lib/$name"; done
napi=8
(cd "$package" && node "$gyp" rebuild --loglevel=error --nodedir="$node_dir" --napi_build_version=$napi --module_name=tfjs_binding --module_path="$PWD/lib/napi-v$napi" >/dev/null)
node -e "require('./$package'); const tf = require('@tensorflow/tfjs-core'); if (tf.getBackend() !== 'tensorflow') process.exit(1)" 2>/dev/null ||
  { echo "setup:tfjs-node: the binding was built but does not load"; exit 1; }
echo "setup:tfjs-node: tfjs-node runs on $tf_dir (Pruneflow now picks the 'node' backend when it is not told otherwise)"
