"""Optional extras: the core install answers questions; the web chat and benchmarks need more.

``pip install hccqa`` brings retrieval, answers, the CLI and the evaluation metrics.
``hccqa[web]`` adds Gradio and the FastAPI/uvicorn server under it for the web chat;
``hccqa[bench]`` adds matplotlib (charts), psutil (server memory) and the web chat for the
load and soak benchmarks. Modules of the extras are imported only where they are used;
:func:`require` checks for one first, so that a command without its extra stops with the
pip command to run.
"""

from __future__ import annotations

import importlib.util

from .errors import DependencyError


def require(module: str, extra: str, feature: str) -> None:
    """Check that ``module`` can be imported, before a command that needs it starts.

    Args:
        module: The top-level module, e.g. ``"gradio"``.
        extra: The hccqa extra that brings it, e.g. ``"web"``.
        feature: What needs it, e.g. ``"the web chat"``.

    Raises:
        DependencyError: the module is not installed (the message says what to install).
    """
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise DependencyError(
            f"{feature} needs {module}, which is not installed; run: pip install 'hccqa[{extra}]'"
        )
