"""Reads a sacx map directory with numpy only (no sacx, no safetensors
package), checks it against map.json, and writes the clusters back.

    python tests/python/map_numpy.py MAP_DIR

The safetensors layout is 8 bytes of little-endian header length, the JSON
header (name -> dtype, shape, data_offsets), then the raw little-endian data.
It rewrites clusters.safetensors with numpy (the same labels, so a reloaded
map answers the same search) and prints one JSON line of what it read.
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np

DTYPES = {"F32": np.float32, "I32": np.int32}


def read(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = raw[8 + n :]
    out = {}
    for name, t in header.items():
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(body[lo:hi], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
    return out, meta


def write(path, tensors, meta):
    header, offset, blobs = {"__metadata__": meta}, 0, []
    for name, a in tensors.items():
        b = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}[a.dtype]
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    d = Path(sys.argv[1])
    info = json.loads((d / "map.json").read_text())
    n, dim = info["documents"], info["dim"]
    vectors, meta = read(d / "vectors.safetensors")
    layout, _ = read(d / "layout.safetensors")
    clusters, cmeta = read(d / "clusters.safetensors")
    v, labels = vectors["vectors"], clusters["labels"]
    assert meta["format"] == info["format"] == "sacx-map/1", meta
    assert v.shape == (n, dim), v.shape
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4), "rows are unit vectors"
    assert layout["plot"].shape == (n, 2) and layout["cluster_space"].shape[0] == n
    assert labels.shape == (n,) and labels.min() >= -1
    found = int(labels.max()) + 1
    assert found == info["metrics"]["clusters"], (found, info["metrics"])
    assert int((labels == -1).sum()) == info["metrics"]["noise"]
    sizes = [c["size"] for c in info["clusters"] if c["cluster"] is not None]
    assert sizes == [int((labels == c).sum()) for c in range(found)], sizes
    write(d / "clusters.safetensors", {"labels": labels.copy()}, cmeta)
    print(json.dumps({"documents": n, "dim": dim, "clusters": found}))


if __name__ == "__main__":
    main()
