#!/usr/bin/python3
"""Executes notebooks headless, top to bottom, with the kernel their metadata names (tslab), and fails on any error.

This is what `jupyter nbconvert --execute` does, through the same nbclient, with two differences that matter here:
tslab reports a failing cell (a runtime error or a TypeScript type error) only on the cell's stderr, with an empty
error reply, so nbconvert's own message is blank; this runner prints the failing cell's source and what it wrote to
stderr. And it writes the executed notebook even when a cell fails, so the outputs up to the failure can be read.
Executed copies go to --output-dir, never over the committed notebooks.

usage: run-notebooks.py [--cell-timeout S] --output-dir DIR NOTEBOOK...
Exit status: 0 when every notebook ran clean, 1 otherwise.
"""

import argparse
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def cell_text(cell, output_type, stream=None):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") != output_type:
            continue
        if stream is not None and out.get("name") != stream:
            continue
        text = out.get("text", "")
        parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


def write_atomic(nb, path):
    tmp = path + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, path)


def run(path, output_dir, cell_timeout):
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "tslab")
    state = {"index": None}
    # nbclient 0.7 has no hook at a cell's end, so a cell's time runs until the next cell starts.
    starts = []

    def on_cell_start(cell, cell_index, **_):
        state["index"] = cell_index
        starts.append((cell_index, time.monotonic()))

    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_start=on_cell_start,
    )
    started = time.monotonic()
    failure = None
    try:
        client.execute()
    except CellExecutionError:
        failure = "cell failed"
    except CellTimeoutError:
        failure = f"cell ran longer than {cell_timeout} s"
    except DeadKernelError as err:
        failure = f"kernel died: {err}"
    ended = time.monotonic()
    seconds = ended - started
    durations = [(i, end - start) for (i, start), (_, end) in zip(starts, starts[1:] + [(None, ended)])]
    out_path = os.path.join(output_dir, os.path.basename(path))
    write_atomic(nb, out_path)
    name = os.path.basename(path)
    slowest = sorted(durations, key=lambda kv: -kv[1])[:3]
    timing = ", ".join(f"cell {i} {d:.1f} s" for i, d in slowest)
    if failure is None:
        print(f"ok    {name}  {seconds:.1f} s (slowest: {timing})  -> {out_path}", flush=True)
        return True
    index = state["index"]
    print(f"FAIL  {name}  {seconds:.1f} s: {failure} in cell {index}  -> {out_path}", flush=True)
    if index is not None:
        cell = nb.cells[index]
        print("---- cell source", file=sys.stderr)
        print(cell.source, file=sys.stderr)
        errors = cell_text(cell, "stream", "stderr")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors += f"{out.get('ename', '')}: {out.get('evalue', '')}\n"
        print("---- cell stderr", file=sys.stderr)
        print(errors.rstrip() or "(nothing)", file=sys.stderr, flush=True)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cell-timeout", type=int, default=-1, help="seconds per cell; -1 for none (default)")
    ap.add_argument("--output-dir", required=True)
    ap.add_argument("notebooks", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.output_dir, exist_ok=True)
    timeout = None if args.cell_timeout < 0 else args.cell_timeout
    results = [run(nb, args.output_dir, timeout) for nb in args.notebooks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
