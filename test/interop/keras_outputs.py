"""Loads model files in real Keras 3 and prints their outputs for given inputs, as JSON (for test/interop).

    python keras_outputs.py INPUTS.json MODEL_FILE [MODEL_FILE ...]

INPUTS.json: {"shape": [n, h, w, c], "values": [...]}. Prints {"<file>": {"shape": [...], "values": [...],
"layers": [class names]}} or, for a file Keras cannot load, {"<file>": {"error": "..."}}.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402


def flat_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from flat_layers(layer)
        else:
            yield layer.__class__.__name__


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    x = np.asarray(spec["values"], dtype="float32").reshape(spec["shape"])
    out = {}
    for path in sys.argv[2:]:
        try:
            model = keras.models.load_model(path, compile=False)
            y = np.asarray(model(x, training=False))
            out[path] = {"shape": list(y.shape), "values": [float(v) for v in y.ravel()], "layers": list(flat_layers(model)),
                         "keras": keras.__version__}
        except Exception as error:  # reported to the test, which fails with it
            out[path] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
