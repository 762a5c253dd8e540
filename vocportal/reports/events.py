"""What happens to weekly reports, announced for the features that react (chat integrations).

`reports` imports none of its listeners; they connect in their own `subscribers` module.
The signal is sent inside the job's transaction, right after the report row is flushed:
receivers only add rows to the same session (deliveries, pending jobs) and must not
commit, so a report that is rolled back leaves no trace of its announcement either.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

weekly_report_ready = _signals.signal(
    "weekly-report-ready",
    doc="""A week's report was built: sent once per week, when its row is first stored
    (never when a second run of the weekly job or "send now" finds it built). Sender: None.
    Keyword arguments: `report_id` (int), `week_start` (a `datetime.date`, the Monday the
    report covers), `figures` (the report's figures as stored: a dict of plain JSON values,
    see `vocportal.reports.figures.build_figures`), `path` (the report's page in the portal,
    e.g. "/staff/reports/2026-11-16", for a link: prefix BASE_URL).""",
)
