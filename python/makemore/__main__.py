"""`python3 -m makemore ...` (and the `makemore` command a pip install puts
on PATH): the makemore CLI, the binary built with the package."""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cli_path():
    """The package's CLI, else the source tree's (after make), else PATH's."""
    for p in (os.path.join(HERE, "bin", "makemore"), os.path.join(os.path.dirname(os.path.dirname(HERE)), "makemore")):
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return shutil.which("makemore")


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    exe = cli_path()
    if not exe:
        sys.exit("makemore: the makemore program was not found (install the package with pip, or run make)")
    panel = os.path.join(HERE, "report-panel.html")
    if not os.environ.get("MAKEMORE_REPORT_PANEL") and os.path.isfile(panel):
        os.environ["MAKEMORE_REPORT_PANEL"] = panel  # report.html's interactive panel
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, [exe] + args)


if __name__ == "__main__":
    main()
