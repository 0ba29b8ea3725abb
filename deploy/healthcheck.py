"""Exit 0 when a dih-dash replica (or the proxy in front of them) answers its health
check, 1 otherwise: the one health check of the Dockerfile, compose.yaml and local.sh.

    python deploy/healthcheck.py [BASE_URL]     (default http://127.0.0.1:8501)

The path follows Streamlit's base path (STREAMLIT_SERVER_BASE_URL_PATH), as HAProxy's
check does (DIH_DASH_HEALTH_PATH).
"""

from __future__ import annotations

import os
import sys
import urllib.request


def health_path(base_path: str | None = None) -> str:
    base = (
        base_path if base_path is not None else os.environ.get("STREAMLIT_SERVER_BASE_URL_PATH", "")
    )
    base = base.strip("/")
    return f"/{base}/_stcore/health" if base else "/_stcore/health"


def healthy(base_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(
            base_url.rstrip("/") + health_path(), timeout=timeout
        ) as answer:
            return answer.status == 200 and answer.read().strip() == b"ok"
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if healthy(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8501") else 1)
