"""Prints the TFLite schema as TensorFlow's own generated Python reads it (tensorflow.lite.python.schema_py_generated),
as JSON, for test/interop: {"tables": {Table: {fieldCamel: slot}}, "enums": {Enum: {NAME: value}}}."""
import inspect
import json
import re

from tensorflow.lite.python import schema_py_generated as schema

source = inspect.getsource(schema)
tables = {}
for table, field, slot in re.findall(r"def (\w+?)Add(\w+)\(builder, \w+\):\s*\n\s*(?:return )?builder\.Prepend\w+Slot\((\d+)", source):
    tables.setdefault(table, {})[field[0].lower() + field[1:]] = int(slot)
enums = {}
for name in ["BuiltinOperator", "BuiltinOptions", "TensorType", "Padding", "ActivationFunctionType"]:
    cls = getattr(schema, name)
    enums[name] = {k: v for k, v in vars(cls).items() if not k.startswith("_") and isinstance(v, int)}
print(json.dumps({"tables": tables, "enums": enums}))
