"""The manager's own words for a report: ``data/<client>/commentary/<period>.md``.

The file is Markdown with level-two headings; the report places each part where it belongs::

    ## Executive summary
    ## Highlights
    ## Recommendations
    ## Verbatims          (optional: one message id per bullet, `- slack:C01:1700000000.000100`)

Any HTML written in the file is shown as text, and links that would run script are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import mistune

_markdown = mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])

KNOWN_PARTS = ("executive summary", "highlights", "recommendations", "verbatims")


@dataclass(frozen=True)
class Commentary:
    """The parts of a commentary file, as Markdown text; ``path`` is where it was read from."""

    path: Path
    parts: dict[str, str] = field(default_factory=dict)
    present: bool = False

    def html(self, part: str) -> str:
        """One part rendered to HTML, with any raw HTML escaped."""
        text = self.parts.get(part, "").strip()
        return str(_markdown(text)) if text else ""

    @property
    def verbatim_ids(self) -> list[str]:
        """Message ids the manager chose as verbatims (``platform:message_id``, bare ids or links)."""
        return [reference for reference, _ in self.verbatims]

    @property
    def verbatims(self) -> list[tuple[str, str]]:
        """The chosen verbatims as (reference, note): one list item each, ``- id (why it matters)``."""
        chosen = []
        for line in self.parts.get("verbatims", "").splitlines():
            match = re.match(r"\s*[-*]\s+`?([^`\s]+)`?\s*(?:\((.*)\))?\s*$", line)
            if match:
                chosen.append((match.group(1), (match.group(2) or "").strip()))
        return chosen


def read_commentary(path: Path) -> Commentary:
    """Split the commentary file at its ``##`` headings; a missing file gives an empty commentary."""
    if not path.is_file():
        return Commentary(path)
    parts: dict[str, list[str]] = {}
    current = "executive summary"
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if heading:
            current = heading.group(1).strip().lower()
            parts.setdefault(current, [])
            continue
        if re.match(r"^#\s+", line):  # the file's own title
            continue
        parts.setdefault(current, []).append(line)
    return Commentary(path, {k: "\n".join(v).strip() for k, v in parts.items()}, present=True)
