"""Settings, read once from the environment (and command-line flags) into a frozen value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The repository's own tree: `content/`, `flows/` and `locales/` beside the `bot` package.
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("data") / "rafiq.sqlite3"
DEFAULT_STAFF_ALERTS = Path("data") / "staff-alerts.log"


@dataclass(frozen=True)
class Settings:
    content_dir: Path = DEFAULT_CONTENT_DIR
    db: str = str(DEFAULT_DB)
    default_locale: str = "en"
    default_country: str | None = None
    log_level: str = "WARNING"
    check_back_minutes: float = 20.0
    staff_alerts: str = str(DEFAULT_STAFF_ALERTS)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {
            "content_dir": Path(env.get("RAFIQ_CONTENT_DIR") or DEFAULT_CONTENT_DIR),
            "db": env.get("RAFIQ_DB") or str(DEFAULT_DB),
            "default_locale": env.get("RAFIQ_DEFAULT_LOCALE") or "en",
            "default_country": (env.get("RAFIQ_DEFAULT_COUNTRY") or "").upper() or None,
            "log_level": (env.get("RAFIQ_LOG_LEVEL") or "WARNING").upper(),
            "check_back_minutes": float(env.get("RAFIQ_CHECK_BACK_MINUTES") or 20),
            "staff_alerts": env.get("RAFIQ_STAFF_ALERTS") or str(DEFAULT_STAFF_ALERTS),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values["content_dir"], str):
            values["content_dir"] = Path(values["content_dir"])
        return cls(**values)  # type: ignore[arg-type]
