"""Runs an example notebook headless for tests/python_notebook.py and
tests/python_words_notebook.py: nbclient with a python3 kernel that is this
interpreter (the venv with the installed package), and what its cells show."""
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def execute(name, tmp):
    """(the executed notebook, None or its error's last line); examples/NAME
    runs in tmp, its output folder tmp/out, and is saved as tmp/NAME.out."""
    nb = nbformat.read(os.path.join(root, "examples", name), as_version=4)
    os.environ["MAKEMORE_NOTEBOOK_OUT"] = os.path.join(tmp, "out")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the debugger's note on frozen modules
    # JUPYTER_PATH comes first in the kernel search, before the system's python3
    spec = os.path.join(tmp, "jupyter", "kernels", "python3")
    os.makedirs(spec, exist_ok=True)
    with open(os.path.join(spec, "kernel.json"), "w") as f:
        json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                   "display_name": "Python 3 (makemore test)", "language": "python"}, f)
    os.environ["JUPYTER_PATH"] = os.path.join(tmp, "jupyter")
    error = None
    try:
        NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()
    except CellExecutionError as e:
        error = str(e).strip().splitlines()[-1] if str(e).strip() else repr(e)
    nbformat.write(nb, os.path.join(tmp, name.replace(".ipynb", ".out.ipynb")))
    return nb, error


def texts(cell):
    """What a cell printed (streams) and its value; not the text stand-ins of
    displayed HTML or figures."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif o.get("output_type") == "execute_result" and "text/plain" in o.get("data", {}):
            out.append(o["data"]["text/plain"] + "\n")
    return "".join(out)


def html(cell):
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.get("outputs", []))
