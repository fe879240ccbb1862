"""`python -m gardien.workers`: `gardien worker` without loading the rest of the command line
(quicker to start, for containers and tests that start many)."""

from __future__ import annotations

import typer

from gardien.cli.worker import worker_command


def main() -> None:
    typer.run(worker_command)


if __name__ == "__main__":
    main()
