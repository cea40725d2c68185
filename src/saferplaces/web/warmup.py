"""Work a web process does once, before its first request: import what the dashboards
use and read the reference lookups (about 3 s), so that the first person to open a
dashboard after the server starts waits only for their figures. The server loads this
once in its master process (gunicorn --preload); its workers share the result."""

from __future__ import annotations

from saferplaces.insight import geography


def warm() -> None:
    from django.urls import get_resolver

    from saferplaces.insight.indicators import DEFAULT_INDICATORS
    from saferplaces.reports import charts

    get_resolver().url_patterns  # noqa: B018 - imports every view (and what they import)
    geography.lsoa_to_district()
    geography.lsoa_names()
    geography.lsoa_populations()
    geography.districts()
    geography.lsoas_of("")
    for unit in {i.unit for i in DEFAULT_INDICATORS}:
        charts.trend_chart([], title="", unit=unit, width=640)
