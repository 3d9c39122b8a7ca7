"""`python3 -m makemore ...` (and the `makemore` command a pip install puts
on PATH): the makemore CLI, the binary built with the package."""
import os
import sys

from ._cli import cli_path, environment


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    exe = cli_path()
    if not exe:
        sys.exit("makemore: the makemore program was not found (install the package with pip, or run make)")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(exe, [exe] + args, environment())


if __name__ == "__main__":
    main()
