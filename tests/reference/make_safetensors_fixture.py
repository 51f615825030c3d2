"""Writes tests/DeepTrain.Tests/Checkpoints/Fixtures/reference.safetensors, a small safetensors file made
independently of DeepTrain (Python's json and struct, numpy for the values), following the format's published
specification (huggingface/safetensors README and its Rust reference `serialize`):

  8 bytes little-endian u64 N | N bytes UTF-8 JSON header, space-padded to a multiple of 8 | data

The header lists "__metadata__" (string -> string) and, for each tensor, dtype, shape and data_offsets relative to
the start of the data section; tensors tile the data section in order. To exercise a reader's tolerance the keys of
each entry are written in an unusual order and the dtypes mix F32, F64, F16 and BF16.
The Python package `safetensors` (the reference implementation) is not packaged for Debian 12, so it was not used;
DeepTrain's own writer is checked byte for byte against the reference implementation's published test vectors in
SafetensorsInteropTests instead.

Run: /usr/bin/python3 tests/reference/make_safetensors_fixture.py
"""
import json
import os
import struct

import numpy as np

tensors = {
    "dense.weight": ("F32", (np.arange(12).reshape(3, 4) * 0.25 - 1).astype("<f4")),
    "dense.bias": ("F32", np.array([0.5, -1.25, 3.0, 1e-7], dtype="<f4")),
    "scalar": ("F32", np.array(2.5, dtype="<f4")),
    "double": ("F64", np.array([[1.0, -2.0], [0.1, 1e30]], dtype="<f8")),
    "half": ("F16", np.array([1.0, -0.5, 65504.0, 6e-5], dtype="<f2")),
    # bfloat16 = the upper 16 bits of a float32
    "brain": ("BF16", (np.array([1.0, -2.5, 3.140625], dtype="<f4").view("<u4") >> 16).astype("<u2")),
    "empty": ("F32", np.zeros((0, 3), dtype="<f4")),
}

header = {"__metadata__": {"producer": "make_safetensors_fixture.py", "note": "ünïcode ✓"}}
data = b""
for name in sorted(tensors):
    dtype, array = tensors[name]
    raw = array.tobytes()
    header[name] = {"data_offsets": [len(data), len(data) + len(raw)], "shape": list(array.shape), "dtype": dtype}
    data += raw

text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
text += b" " * (-len(text) % 8)
out = os.path.join(os.path.dirname(__file__), "..", "DeepTrain.Tests", "Checkpoints", "Fixtures", "reference.safetensors")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    f.write(data)
print("wrote", os.path.normpath(out), 8 + len(text) + len(data), "bytes")
for name in sorted(tensors):
    dtype, array = tensors[name]
    values = (array.astype("<u4") << 16).view("<f4") if dtype == "BF16" else array
    print(name, dtype, list(array.shape), [float(v) for v in np.asarray(values, dtype=np.float64).ravel()])
