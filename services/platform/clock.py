from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.platform.settings import Settings

DISTRICT_TIME = ZoneInfo("Asia/Shanghai")


def today(settings: Settings) -> date:
    """Today in the district (deadlines are counted in its working days)."""
    return settings.today or datetime.now(DISTRICT_TIME).date()
