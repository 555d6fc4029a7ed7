"""Reminder messaging (温馨告知): providers, limits, quiet hours, plans. Read from the environment.

The embedded default is the ``log`` provider (messages are appended to a file under
WEIJI_VAR_DIR). Tencent Cloud SMS, Aliyun SMS and WeChat official-account template
messages are switched on by naming them; their endpoints can be pointed elsewhere (the
tests point them at an emulator on 127.0.0.1).
"""

from __future__ import annotations

from weiji.config.env import env_int, env_str, var_dir

# Which provider carries each channel: log | tencent | aliyun (sms); log | wechat (wechat).
WEIJI_SMS_PROVIDER = env_str("WEIJI_SMS_PROVIDER", "log")
WEIJI_WECHAT_PROVIDER = env_str("WEIJI_WECHAT_PROVIDER", "")  # empty: WeChat off

WEIJI_MESSAGING_LOG_FILE = env_str(
    "WEIJI_MESSAGING_LOG_FILE", str(var_dir() / "messages.log")
)

# Tencent Cloud SMS (tencentcloud-sdk-python). ENDPOINT "host:port"; SCHEME http|https.
WEIJI_TENCENT_SMS = {
    "secret_id": env_str("WEIJI_TENCENT_SECRET_ID"),
    "secret_key": env_str("WEIJI_TENCENT_SECRET_KEY"),
    "region": env_str("WEIJI_TENCENT_REGION", "ap-guangzhou"),
    "sdk_app_id": env_str("WEIJI_TENCENT_SMS_SDK_APP_ID"),
    "sign_name": env_str("WEIJI_TENCENT_SMS_SIGN_NAME"),
    "endpoint": env_str("WEIJI_TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com"),
    "scheme": env_str("WEIJI_TENCENT_SMS_SCHEME", "https"),
    "variable_max_length": env_int("WEIJI_TENCENT_SMS_VARIABLE_MAX", 12),
}

# Aliyun SMS (alibabacloud-dysmsapi20170525, ACS3-HMAC-SHA256 signatures).
WEIJI_ALIYUN_SMS = {
    "access_key_id": env_str("WEIJI_ALIYUN_ACCESS_KEY_ID"),
    "access_key_secret": env_str("WEIJI_ALIYUN_ACCESS_KEY_SECRET"),
    "sign_name": env_str("WEIJI_ALIYUN_SMS_SIGN_NAME"),
    "endpoint": env_str("WEIJI_ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"),
    "scheme": env_str("WEIJI_ALIYUN_SMS_SCHEME", "https"),
    "variable_max_length": env_int("WEIJI_ALIYUN_SMS_VARIABLE_MAX", 35),
}

# WeChat official account (公众号) template messages (wechatpy).
WEIJI_WECHAT = {
    "app_id": env_str("WEIJI_WECHAT_APP_ID"),
    "app_secret": env_str("WEIJI_WECHAT_APP_SECRET"),
    "token": env_str("WEIJI_WECHAT_TOKEN"),  # server-config token for event push signatures
    "api_base": env_str("WEIJI_WECHAT_API_BASE", "https://api.weixin.qq.com/cgi-bin/"),
    "variable_max_length": env_int("WEIJI_WECHAT_VARIABLE_MAX", 20),
}

# Secret path segment of the receipt / reply callback URLs of the SMS providers
# (they do not sign their pushes): /messaging/hook/<provider>/<token>/...
WEIJI_MESSAGING_CALLBACK_TOKEN = env_str("WEIJI_MESSAGING_CALLBACK_TOKEN")

WEIJI_MESSAGING_QUIET_HOURS = env_str("WEIJI_MESSAGING_QUIET_HOURS", "21:00-08:00")
WEIJI_MESSAGING_SEND_AT = env_str("WEIJI_MESSAGING_SEND_AT", "09:00")
WEIJI_MESSAGING_PROVIDER_TIMEOUT = env_int("WEIJI_MESSAGING_PROVIDER_TIMEOUT", 10)
# A message left "sending" longer than this (crash, timeout, database loss) is checked with
# the provider by its idempotency key and then either marked sent or sent again.
WEIJI_MESSAGING_SENDING_LEASE_SECONDS = env_int("WEIJI_MESSAGING_SENDING_LEASE_SECONDS", 120)
WEIJI_MESSAGING_MAX_ATTEMPTS = env_int("WEIJI_MESSAGING_MAX_ATTEMPTS", 8)
WEIJI_MESSAGING_BATCH = env_int("WEIJI_MESSAGING_BATCH", 500)
WEIJI_MESSAGING_THREADS = env_int("WEIJI_MESSAGING_THREADS", 8)
# Provider-wide rate (messages per second, per process) and per-number daily cap.
WEIJI_MESSAGING_RATE_PER_SECOND = {
    "tencent": env_int("WEIJI_TENCENT_SMS_RATE", 200),
    "aliyun": env_int("WEIJI_ALIYUN_SMS_RATE", 200),
    "wechat": env_int("WEIJI_WECHAT_RATE", 100),
    "log": env_int("WEIJI_LOG_PROVIDER_RATE", 0),  # 0: unlimited
}
WEIJI_MESSAGING_PER_NUMBER_DAILY = env_int("WEIJI_MESSAGING_PER_NUMBER_DAILY", 3)

# When reminders go out, per service (prefix match on the service code; "*" = default).
# Each step: anchor due_from|due_until, offset_days; "if_open" steps are re-checked at send.
WEIJI_REMINDER_PLANS = {
    "*": [
        {"step": "window_open", "anchor": "due_from", "offset_days": 0},
        {"step": "closing", "anchor": "due_until", "offset_days": -3},
    ],
    "elderly_checkup": [
        {"step": "window_open", "anchor": "due_from", "offset_days": 0},
        {"step": "closing", "anchor": "due_until", "offset_days": -30},
    ],
    "folic_acid": [{"step": "window_open", "anchor": "due_from", "offset_days": 0}],
    "contraception_service": [{"step": "window_open", "anchor": "due_from", "offset_days": 0}],
}
# Services never sent to residents (leads for staff only).
WEIJI_REMINDER_EXCLUDED_SERVICES = ("pregnancy_followup_lost",)
# SMS reply keywords that opt a number out (退订).
WEIJI_OPTOUT_KEYWORDS = ("TD", "T", "N", "退订", "0000", "UNSUBSCRIBE")
