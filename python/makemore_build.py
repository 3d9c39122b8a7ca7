"""The PEP 517 build backend of the makemore Python package, in the source
tree (pyproject.toml: backend-path = ["python"]) and needing nothing but the
standard library, make and a C compiler: `pip install .` works offline, in a
fresh venv, with no build dependency fetched.

build_wheel runs `make` for the shared library and the CLI, then zips
python/makemore with them inside (makemore/libmakemore.so.1,
makemore/bin/makemore, and web/dist/report-panel.html when `make web` made
it). The version is the C library's: MAKEMORE_VERSION_MAJOR and _MINOR of
include/makemore.h. build_sdist (also `make dist`) packs the tracked files.

    config settings (pip install . --config-settings portable=1):
      portable=1   build without -march=native (make PORTABLE=1)
    environment: CC, MAKE (default make), MAKEFLAGS (default -jN, N cores)
"""
import base64
import hashlib
import io
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile

NAME = "makemore"
SUMMARY = "Character-level language models of the makemore lectures, in C, with a Python package"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def version(root=ROOT):
    """MAJOR.MINOR from include/makemore.h, the one place the version is written."""
    with open(os.path.join(root, "include", "makemore.h"), encoding="utf-8") as f:
        text = f.read()
    parts = [re.search(r"^#define MAKEMORE_VERSION_%s (\d+)" % k, text, re.M) for k in ("MAJOR", "MINOR")]
    if not all(parts):
        raise RuntimeError("include/makemore.h: MAKEMORE_VERSION_MAJOR/MINOR not found")
    return ".".join(p.group(1) for p in parts)


def _metadata(ver):
    readme = ""
    path = os.path.join(ROOT, "README.md")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            readme = f.read()
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {ver}\nSummary: {SUMMARY}\n"
            "Requires-Python: >=3.8\nProvides-Extra: numpy\nRequires-Dist: numpy; extra == \"numpy\"\n"
            "Description-Content-Type: text/markdown\n\n" + readme)


def _tag():
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{plat}"


def _dist_info_files(ver):
    return {
        "METADATA": _metadata(ver),
        "WHEEL": f"Wheel-Version: 1.0\nGenerator: makemore_build {ver}\nRoot-Is-Purelib: false\nTag: {_tag()}\n",
        "entry_points.txt": "[console_scripts]\nmakemore = makemore.__main__:main\n",
    }


# -- PEP 517 hooks ----------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    ver = version()
    info = f"{NAME}-{ver}.dist-info"
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    for name, text in _dist_info_files(ver).items():
        with open(os.path.join(metadata_directory, info, name), "w", encoding="utf-8") as f:
            f.write(text)
    return info


def _make(portable):
    """Builds the shared library and the CLI; returns their paths."""
    suffix = "-portable" if portable else ""
    lib = os.path.join(ROOT, "build" + suffix, "libmakemore.so.1")
    cli = os.path.join(ROOT, "makemore" + suffix)
    make = os.environ.get("MAKE", "make")
    cmd = [make, "-C", ROOT]
    if "MAKEFLAGS" not in os.environ:
        cmd.append(f"-j{os.cpu_count() or 1}")
    if portable:
        cmd.append("PORTABLE=1")
    cmd += [os.path.relpath(lib, ROOT), os.path.relpath(cli, ROOT)]
    print("makemore_build: " + " ".join(cmd), file=sys.stderr)
    # make's output goes to stderr: pip shows it with -v, and on failure
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    return lib, cli


def _record_line(arc, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arc},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    settings = config_settings or {}
    portable = str(settings.get("portable", os.environ.get("MAKEMORE_PORTABLE", "0"))) in ("1", "true", "yes")
    lib, cli = _make(portable)
    ver = version()
    files = []  # (archive name, bytes, executable)
    pkg = os.path.join(ROOT, "python", "makemore")
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py"):
            with open(os.path.join(pkg, name), "rb") as f:
                files.append((f"makemore/{name}", f.read(), False))
    with open(lib, "rb") as f:
        files.append(("makemore/libmakemore.so.1", f.read(), True))
    with open(cli, "rb") as f:
        files.append(("makemore/bin/makemore", f.read(), True))
    panel = os.path.join(ROOT, "web", "dist", "report-panel.html")
    if os.path.exists(panel):
        with open(panel, "rb") as f:
            files.append(("makemore/report-panel.html", f.read(), False))
    info = f"{NAME}-{ver}.dist-info"
    for name, text in _dist_info_files(ver).items():
        files.append((f"{info}/{name}", text.encode("utf-8"), False))
    record = [_record_line(arc, data) for arc, data, _ in files] + [f"{info}/RECORD,,"]
    files.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode(), False))
    wheel_name = f"{NAME}-{ver}-{_tag()}.whl"
    stamp = time.localtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data, executable in files:
            zi = zipfile.ZipInfo(arc, stamp)
            zi.external_attr = (0o100755 if executable else 0o100644) << 16  # S_IFREG: pip keeps the x bit
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return wheel_name


# Never in a source tarball: build outputs, data and local state.
_SKIP = re.compile(r"^(\.git/|build[^/]*/|dist/|data/|out[^/]*/|makemore(-[^/]*)?$|web/dist/|"
                   r"tests/web/node_modules/|.*__pycache__/|.*\.pyc$)")


def _source_files():
    """Tracked files when this is a git checkout, else (an unpacked source
    tarball) every file but build outputs."""
    if os.path.isdir(os.path.join(ROOT, ".git")) or os.path.isfile(os.path.join(ROOT, ".git")):
        try:
            out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True, capture_output=True).stdout
            return sorted(p for p in out.decode().split("\0") if p and os.path.isfile(os.path.join(ROOT, p)))
        except (OSError, subprocess.CalledProcessError):
            pass
    found = []
    for d, dirs, names in os.walk(ROOT):
        rel = os.path.relpath(d, ROOT)
        for n in names:
            p = n if rel == "." else f"{rel}/{n}"
            if not _SKIP.match(p) and p != "PKG-INFO":
                found.append(p)
        dirs[:] = [x for x in dirs if not _SKIP.match((x if rel == "." else f"{rel}/{x}") + "/")]
    return sorted(found)


def build_sdist(sdist_directory, config_settings=None):
    ver = version()
    base = f"{NAME}-{ver}"
    name = f"{base}.tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    tmp = os.path.join(sdist_directory, f".{name}.tmp")
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for rel in _source_files():
            t.add(os.path.join(ROOT, rel), arcname=f"{base}/{rel}", recursive=False)
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata(ver).encode("utf-8")
        info.size, info.mtime, info.mode = len(data), mtime, 0o644
        t.addfile(info, io.BytesIO(data))
    os.replace(tmp, os.path.join(sdist_directory, name))
    return name


if __name__ == "__main__":
    # make dist: python3 python/makemore_build.py sdist DIR
    if len(sys.argv) == 3 and sys.argv[1] == "sdist":
        print(os.path.join(sys.argv[2], build_sdist(sys.argv[2])))
    elif len(sys.argv) == 2 and sys.argv[1] == "version":
        print(version())
    else:
        sys.exit("usage: makemore_build.py sdist DIR | version")
