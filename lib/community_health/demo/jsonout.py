"""Writing the demo's text files: one place for encodings, line ends and JSON spelling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` (parents created) with LF line ends exactly as given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def write_json(
    path: Path, obj: Any, indent: int | None = None, ensure_ascii: bool = False, escape_slashes: bool = False
) -> None:
    """Write ``obj`` as JSON; ``escape_slashes`` spells "/" as "\\/" the way Slack's exports do."""
    text = json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii)
    if escape_slashes:
        text = text.replace("/", "\\/")
    write_text(path, text)


def avatar_hash(i: int) -> str:
    """A stable 12-hex-digit avatar hash for account number ``i``."""
    return f"{(i * 2654435761 + 40503) % (16**12):012x}"
