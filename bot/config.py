"""Settings, read once from the environment (and command-line flags) into a frozen value."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The repository's own tree: `content/`, `flows/` and `locales/` beside the `bot` package.
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("data") / "rafiq.sqlite3"
DEFAULT_STAFF_ALERTS = Path("data") / "staff-alerts.log"


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(
    r"^(?P<first>[a-z]{3})-(?P<last>[a-z]{3}) "
    r"(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d) (?P<zone>\S+)$",
    re.IGNORECASE,
)
HOURS_EXAMPLE = "Mon-Fri 09:00-17:00 Europe/Istanbul"


@dataclass(frozen=True)
class StaffHours:
    """When the programme's staff answer, e.g. "Mon-Fri 09:00-17:00 Europe/Istanbul"."""

    label: str
    days: frozenset[int]
    start: dt.time
    end: dt.time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str) -> StaffHours:
        label = " ".join(text.split())
        match = _HOURS.match(label)
        if match is None or not {match["first"].lower(), match["last"].lower()} <= set(DAYS):
            raise ValueError(f"RAFIQ_STAFF_HOURS is '{text}'; write it like '{HOURS_EXAMPLE}'")
        first, last = DAYS.index(match["first"].lower()), DAYS.index(match["last"].lower())
        try:
            zone = ZoneInfo(match["zone"])
            start, end = dt.time.fromisoformat(match["start"]), dt.time.fromisoformat(match["end"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"RAFIQ_STAFF_HOURS is '{text}'; write it like '{HOURS_EXAMPLE}'"
            ) from exc
        days = frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
        return cls(label, days, start, end, zone)

    def open_at(self, when: dt.datetime) -> bool:
        local = when.astimezone(self.zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end


@dataclass(frozen=True)
class Settings:
    content_dir: Path = DEFAULT_CONTENT_DIR
    db: str = str(DEFAULT_DB)
    default_locale: str = "en"
    default_country: str | None = None
    log_level: str = "WARNING"
    check_back_minutes: float = 20.0
    staff_ack_minutes: float = 10.0
    staff_hours: StaffHours | None = None
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
            "staff_ack_minutes": float(env.get("RAFIQ_STAFF_ACK_MINUTES") or 10),
            "staff_hours": StaffHours.parse(env["RAFIQ_STAFF_HOURS"])
            if env.get("RAFIQ_STAFF_HOURS")
            else None,
            "staff_alerts": env.get("RAFIQ_STAFF_ALERTS") or str(DEFAULT_STAFF_ALERTS),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values["content_dir"], str):
            values["content_dir"] = Path(values["content_dir"])
        return cls(**values)  # type: ignore[arg-type]
