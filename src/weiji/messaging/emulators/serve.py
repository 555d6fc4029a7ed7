"""Run one emulator in its own process: ``python -m weiji.messaging.emulators.serve tencent``.

Prints one JSON line with its settings (endpoint, keys) and serves until killed;
``GET /_emulator/stats`` returns what it has accepted.
"""

from __future__ import annotations

import json
import sys
import threading

from weiji.messaging.emulators import AliyunEmulator, TencentEmulator, WeChatEmulator

KINDS = {"tencent": TencentEmulator, "aliyun": AliyunEmulator, "wechat": WeChatEmulator}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in KINDS:
        raise SystemExit(f"usage: serve {{{'|'.join(KINDS)}}}")
    emulator = KINDS[argv[0]]().start()
    print(json.dumps(emulator.settings()), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1:])
