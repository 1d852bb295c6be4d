"""Settings from the environment (every variable of the spec), built once in the entry point."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.business_clock import BusinessCalendar, BusinessHoursError, make_calendar, parse_business_hours
from bot.durations import Duration, DurationError, parse_duration

DEFAULT_THRESHOLDS = [90, 60, 30, 14, 7, 1, 0]
DEFAULT_OBLIGATION_THRESHOLDS = [30, 7, 0]


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///contractbot.db", validation_alias=_env("DATABASE_URL"))
    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))
    port: int = Field(3000, validation_alias=_env("PORT"))
    timezone: str = Field("UTC", validation_alias=_env("CONTRACTBOT_TIMEZONE"))
    alert_channel: str | None = Field(None, validation_alias=_env("CONTRACTBOT_ALERT_CHANNEL"))
    managers: Annotated[list[str], NoDecode] = Field(default_factory=list, validation_alias=_env("CONTRACTBOT_MANAGERS"))
    deadline_thresholds: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_THRESHOLDS), validation_alias=_env("CONTRACTBOT_DEADLINE_THRESHOLDS")
    )
    obligation_thresholds: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_OBLIGATION_THRESHOLDS),
        validation_alias=_env("CONTRACTBOT_OBLIGATION_THRESHOLDS"))
    business_hours: str = Field("Mon-Fri 09:00-18:00", validation_alias=_env("CONTRACTBOT_BUSINESS_HOURS"))
    holidays: str | None = Field(None, validation_alias=_env("CONTRACTBOT_HOLIDAYS"))
    language: str = Field("en", validation_alias=_env("CONTRACTBOT_LANGUAGE"))
    currency: str = Field("EUR", validation_alias=_env("CONTRACTBOT_CURRENCY"))
    lead_time: str = Field("0d", validation_alias=_env("CONTRACTBOT_LEAD_TIME"))
    # More than this many alerts due for one destination in one sweep go out as one grouped message.
    alert_group_over: int = Field(5, ge=0, validation_alias=_env("CONTRACTBOT_ALERT_GROUP_OVER"))
    # Least seconds between two posts of a sweep to one channel (Slack: ~1 message/s per channel).
    post_interval: float = Field(1.0, ge=0, le=60, validation_alias=_env("CONTRACTBOT_POST_INTERVAL"))
    # `serve`: light answers move to a child process once they queue (handlers.lanes.LightLane); 0: never.
    light_lane: bool = Field(True, validation_alias=_env("CONTRACTBOT_LIGHT_LANE"))

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("managers", mode="before")
    @classmethod
    def _split_managers(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("deadline_thresholds", "obligation_thresholds", mode="before")
    @classmethod
    def _split_thresholds(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            return sorted({int(part) for part in parts}, reverse=True)
        return value

    @field_validator("deadline_thresholds", "obligation_thresholds")
    @classmethod
    def _non_negative(cls, value: list[int]) -> list[int]:
        if not value or any(t < 0 for t in value):
            raise ValueError("thresholds are whole days ≥ 0, e.g. 90,60,30,14,7,1,0")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = value.strip().lower()[:2]
        if value not in ("en", "fr"):
            raise ValueError("CONTRACTBOT_LANGUAGE is en or fr")
        return value

    @field_validator("lead_time")
    @classmethod
    def _lead(cls, value: str) -> str:
        try:
            duration = parse_duration(value)
        except DurationError as exc:
            raise ValueError(f"CONTRACTBOT_LEAD_TIME {value!r} is not a duration like 30d") from exc
        if not duration.is_calendar:
            raise ValueError("CONTRACTBOT_LEAD_TIME is in days, weeks, months or years")
        return duration.written()

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        try:
            parse_business_hours(value)
        except BusinessHoursError as exc:
            raise ValueError(f"CONTRACTBOT_BUSINESS_HOURS {value!r} is not like 'Mon-Fri 09:00-18:00'") from exc
        return value

    @field_validator("holidays")
    @classmethod
    def _holiday_country(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        # Only when a country is set: the holidays package loads its country tables at import.
        import holidays as holidays_lib

        code = value.strip().upper().partition("-")[0]
        if code not in holidays_lib.list_supported_countries():
            raise ValueError(f"CONTRACTBOT_HOLIDAYS {value!r} is not a country code such as FR, DE or US")
        return value.strip().upper()

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return value.strip().upper()

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def calendar(self) -> BusinessCalendar:
        """The business clock for SLAs (business hours and public holidays, in the org's zone)."""
        return make_calendar(tz=self.tz, business_hours=self.business_hours, holidays=self.holidays)

    @property
    def default_lead(self) -> Duration:
        return parse_duration(self.lead_time)

    def today(self, now: datetime) -> date:
        """The org's calendar day at `now`: derive it once per request or job run from its one `now`."""
        return now.astimezone(self.tz).date()

    def is_manager(self, user_id: str | None) -> bool:
        """With no managers configured everybody may write (the spec's default)."""
        return not self.managers or (user_id or "") in self.managers

    @property
    def has_http_credentials(self) -> bool:
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    @property
    def has_socket_credentials(self) -> bool:
        return self.slack_bot_token is not None and self.slack_app_token is not None
