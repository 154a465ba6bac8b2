"""What notebooks call: open a report, then one section per cell.

>>> from community_health import report
>>> rpt = report.open_report(client="demo", period="2026-10")   # doctest: +SKIP
>>> rpt.cover()                                                  # doctest: +SKIP
"""

from community_health.report.blocks import Block
from community_health.report.sections import Report, open_report, pseudonym

__all__ = ["Block", "Report", "open_report", "pseudonym"]
