"""The makemore CLI that came with the package, for the commands the
library does not offer as calls (lr-find, sweep, report.html)."""
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def cli_path():
    """The package's CLI, else the source tree's (after make), else PATH's."""
    for p in (os.path.join(HERE, "bin", "makemore"), os.path.join(os.path.dirname(os.path.dirname(HERE)), "makemore")):
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return shutil.which("makemore")


def environment():
    """os.environ with MAKEMORE_REPORT_PANEL set to the package's panel when it has one."""
    env = dict(os.environ)
    panel = os.path.join(HERE, "report-panel.html")
    if not env.get("MAKEMORE_REPORT_PANEL") and os.path.isfile(panel):
        env["MAKEMORE_REPORT_PANEL"] = panel
    return env


def command(*args):
    """Runs `makemore ARGS...` and returns its stdout (str). A failure raises
    MakemoreError with the CLI's one-line message."""
    from ._check import MakemoreError
    exe = cli_path()
    if not exe:
        raise MakemoreError("the makemore program was not found (install the package with pip, or run make)", 1)
    for i, a in enumerate(args):
        if not isinstance(a, (str, os.PathLike)):
            raise TypeError(f"args[{i}] must be a str, not {type(a).__name__}")
    r = subprocess.run([exe, *map(os.fspath, args)], capture_output=True, text=True, env=environment(),
                       stdin=subprocess.DEVNULL)
    if r.returncode:
        lines = r.stderr.strip().splitlines()
        raise MakemoreError(lines[-1] if lines else f"makemore exited with status {r.returncode}", r.returncode)
    return r.stdout
