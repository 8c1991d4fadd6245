"""This year, as the library sees it: SOURCE_DATE_EPOCH's year when set, for reproducible output."""

from __future__ import annotations

import os
import time


def current_year() -> int:
    """This year, or the year of SOURCE_DATE_EPOCH so that builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return time.gmtime(int(epoch) if epoch.isdigit() else None).tm_year
