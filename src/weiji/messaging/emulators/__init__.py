"""HTTP emulators of the providers for tests and benchmarks (127.0.0.1 only).

Each speaks its provider's real request and response format and checks its signature:
``TencentEmulator`` (TC3-HMAC-SHA256), ``AliyunEmulator`` (ACS3-HMAC-SHA256),
``WeChatEmulator`` (access_token flow, event-push signatures). They count what they
accepted, so tests can prove that no message was lost and none was sent twice.
"""

from weiji.messaging.emulators.aliyun import AliyunEmulator
from weiji.messaging.emulators.tencent import TencentEmulator
from weiji.messaging.emulators.wechat import WeChatEmulator

__all__ = ["AliyunEmulator", "TencentEmulator", "WeChatEmulator"]
