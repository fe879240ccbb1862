"""Build the bundled demo data: `python -m gardien.demo.build [--out DIR] [--seed N]`.

The same seed gives byte-identical files: one random source, sorted keys, gzip without a
timestamp.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
from datetime import datetime
from importlib import resources
from pathlib import Path
from random import Random
from typing import Any

import yaml

from gardien.demo.bundle import CATEGORIES, MANIFEST
from gardien.demo.cast import Cast
from gardien.demo.generate import Generator, when
from gardien.demo.grammar import load_banks
from gardien.demo.scenes import play
from gardien.demo.threads import Writer
from gardien.demo.timeline import assign_ids, render

DEFAULT_SEED = 20261125
DEFAULT_OUT = Path(__file__).with_name("data")


def read_package(name: str) -> str:
    return resources.files("gardien.demo").joinpath(name).read_text(encoding="utf-8")


def gzip_bytes(lines: list[bytes]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        for line in lines:
            out.write(line + b"\n")
    return buffer.getvalue()


def generate(seed: int) -> tuple[dict[str, Any], dict[str, list[bytes]]]:
    """The manifest and every channel's lines, from the seed alone."""
    world = yaml.safe_load(read_package("world.yaml"))
    real = json.loads(read_package("real_posts.json"))
    rng = Random(seed)
    start: datetime = when(world["start"])
    cast = Cast(rng, start)
    gen = Generator(rng, world, cast, Writer(rng, load_banks(), cast, real))
    for spec in world["channels"]:
        gen.channel(spec)
    play(gen)
    assign_ids(gen.drafts, {c["name"]: c["prefix"] for c in world["channels"]})
    lines = render(gen.drafts, world["channels"], rng, gen.end)
    posts = {
        c["name"]: sum(1 for d in gen.drafts if d.channel == c["name"]) for c in world["channels"]
    }
    manifest = {
        "brand": world["brand"],
        "communities": world["communities"],
        "channels": [
            {
                "name": c["name"],
                "kind": c["kind"],
                "community": c["community"],
                "file": f"{c['name']}.jsonl.gz",
                "posts": posts[c["name"]],
                "lines": len(lines[c["name"]]),
            }
            for c in world["channels"]
        ],
        "categories": list(CATEGORIES),
        "start": world["start"],
        "end": world["end"],
        "seed": seed,
    }
    return manifest, lines


def build(out: Path, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write manifest.json and one gzip JSONL file per channel into `out`."""
    manifest, lines = generate(seed)
    out.mkdir(parents=True, exist_ok=True)
    for channel in manifest["channels"]:
        (out / channel["file"]).write_bytes(gzip_bytes(lines[channel["name"]]))
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    (out / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build Gardien's bundled demo data.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    manifest = build(args.out, args.seed)
    for channel in manifest["channels"]:
        print(f"{channel['file']}: {channel['posts']} posts, {channel['lines']} lines")


if __name__ == "__main__":
    main()
