"""Runs .tflite files in TensorFlow's own TFLite interpreter and prints their outputs for given inputs, as JSON
(for test/interop).

    python tflite_outputs.py MODEL_FILE=INPUTS.json [MODEL_FILE=INPUTS.json ...]

INPUTS.json: {"shape": [n, h, w, c], "values": [...]}, the input of the model file before it. The batch is set by
resizing the input (the files have a dynamic batch). Prints {"<file>": {"shape": [...], "values": [...], "operators": [builtin names]}} or, for a file
the interpreter refuses, {"<file>": {"error": "..."}}.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    out = {}
    for arg in sys.argv[1:]:
        path, inputs = arg.rsplit("=", 1)
        try:
            with open(inputs) as f:
                spec = json.load(f)
            x = np.asarray(spec["values"], dtype="float32").reshape(spec["shape"])
            # The reference kernels, no XNNPACK delegate: the interpreter's own arithmetic.
            interpreter = tf.lite.Interpreter(model_path=path, experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
            [given] = interpreter.get_input_details()
            interpreter.resize_tensor_input(given["index"], list(x.shape))
            interpreter.allocate_tensors()
            interpreter.set_tensor(given["index"], x)
            interpreter.invoke()
            [result] = interpreter.get_output_details()
            y = interpreter.get_tensor(result["index"])
            operators = sorted({op["op_name"] for op in interpreter._get_ops_details()})
            out[path] = {"shape": list(y.shape), "values": [float(v) for v in y.ravel()], "operators": operators, "tensorflow": tf.__version__}
        except Exception as error:  # reported to the test, which fails with it
            out[path] = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
