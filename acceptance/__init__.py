import os as _os
from pathlib import Path as _Path

# ../shared beside the repository (WEIJI_SHARED_DIR overrides).
SHARED = str(_Path(_os.environ.get("WEIJI_SHARED_DIR",
                                  _Path(__file__).resolve().parents[2] / "shared")))
