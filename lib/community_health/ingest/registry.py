"""The registry of readers: each export format is registered once, by name, with how to recognise it
from its content and how to read it. Detection asks every registered reader in turn; nothing else in the
package names a format.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from community_health.ingest.envelope import ReadBatch, ReadContext, ReadResult, Table
from community_health.ingest.tabular import (
    HEAD_BYTES,
    HEADER_SCAN_ROWS,
    HeaderAt,
    HeaderTest,
    TableError,
    decode,
    is_xlsx,
    locate_header,
    locate_header_in_records,
    mac_csv,
    xlsx_records,
)
from community_health.ingest.units import ExportUnit, FileBundle


class UnknownFormatError(KeyError):
    """A format name that no reader is registered under; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Probe:
    """What detection looks at, read lazily: a file's first bytes (as text, as spreadsheet rows), or
    the file names inside a folder or zip.

    Parameters
    ----------
    unit
        The export being recognised.
    mappings
        Format name -> the client's column mapping for it, so a renamed header is still recognised.
    """

    def __init__(self, unit: ExportUnit, mappings: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.unit = unit
        self.mappings = mappings or {}

    @cached_property
    def head(self) -> bytes:
        """The first bytes of a file (empty for a folder)."""
        if self.unit.is_folder:
            return b""
        return mac_csv(FileBundle(self.unit.path).head(HEAD_BYTES), partial=True)

    @cached_property
    def is_xlsx(self) -> bool:
        return (
            not self.unit.is_folder and self.head.startswith(b"PK") and is_xlsx(self.unit.path.read_bytes())
        )

    @cached_property
    def text(self) -> str:
        """The head decoded as text ('' for folders, zips and workbooks)."""
        if self.unit.is_folder or self.head.startswith(b"PK"):
            return ""
        return decode(self.head, strict=False)

    @cached_property
    def json_head(self) -> str:
        """The head without leading whitespace when it opens a JSON object or array, else ''."""
        stripped = self.text.lstrip("\ufeff \t\r\n")
        return stripped if stripped[:1] in ("{", "[") else ""

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Files inside a folder or a (non-workbook) zip; empty for anything else."""
        if self.unit.is_folder:
            return tuple(self.unit.bundle())
        if self.head.startswith(b"PK") and not self.is_xlsx:
            return tuple(FileBundle(self.unit.path).members())
        return ()

    def member(self, name: str) -> bytes:
        """The content of one file inside a folder or zip."""
        return self.unit.bundle().members()[name]

    @cached_property
    def sheet_rows(self) -> list[list[str]]:
        """The first rows of a workbook's first sheet ([] when the file is not a workbook)."""
        if not self.is_xlsx:
            return []
        try:
            return xlsx_records(self.unit.path.read_bytes(), limit=HEADER_SCAN_ROWS)
        except TableError:
            return []

    def header(self, is_header: HeaderTest, fmt: str) -> HeaderAt | int | None:
        """Where a header passing ``is_header`` sits: in delimited text, or (an int) in a workbook."""
        mapping = self.mappings.get(fmt, {})
        if self.is_xlsx:
            return locate_header_in_records(self.sheet_rows, is_header, mapping)
        if not self.text or self.json_head:
            return None
        cut = self.text.rfind("\n") if len(self.head) >= HEAD_BYTES else len(self.text)
        return locate_header(self.text[: max(cut, 0)], is_header, mapping)

    def json_has_keys(self, *patterns: str, within: int = 4096) -> bool:
        """Whether the JSON head holds every one of the given ``"key":`` names near its start."""
        head = self.json_head[:within]
        return bool(head) and all(re.search(rf'"{re.escape(p)}"\s*:', head) for p in patterns)


@dataclass(frozen=True)
class Reader:
    """One export format.

    Attributes
    ----------
    name
        The format's name, as the ingest log reports it (``x_analytics``).
    title
        What a person calls it (``X/Twitter Analytics "Tweet activity" CSV``).
    table
        The normalised table it fills.
    detect
        Whether a probed export is in this format, judged from its content.
    read
        Read an export of this format.
    version
        Raised when the reader changes what it produces, so stored results are read again.
    read_many
        Read several exports of this format at once, for formats that come as many small files
        (optional: the pipeline reads exports one by one with ``read`` otherwise).
    """

    name: str
    title: str
    table: Table
    detect: Callable[[Probe], bool]
    read: Callable[[ExportUnit, ReadContext], ReadResult]
    version: int = 1
    read_many: Callable[[Sequence[ExportUnit], Sequence[ReadContext]], ReadBatch] | None = None


_READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    """Add a reader to the registry (a name can be registered once)."""
    if reader.name in _READERS and _READERS[reader.name] is not reader:
        raise ValueError(f"a reader named {reader.name!r} is already registered")
    _READERS[reader.name] = reader
    return reader


def readers() -> list[Reader]:
    """Every registered reader, in registration order."""
    return list(_READERS.values())


def known_formats() -> list[str]:
    """The names of every registered format, sorted."""
    return sorted(_READERS)


def describe_formats() -> str:
    """Every known format with its title, for messages: ``x_analytics (X/Twitter Analytics ...), ...``."""
    return "; ".join(f"{name} ({_READERS[name].title})" for name in known_formats())


def get_reader(name: str) -> Reader:
    """The reader registered under ``name``.

    Raises
    ------
    UnknownFormatError
        When no reader has that name; the message lists the known names.
    """
    try:
        return _READERS[name]
    except KeyError:
        raise UnknownFormatError(
            f"no reader for the format {name!r}; known formats: {', '.join(known_formats())}"
        ) from None


def detect(probe: Probe) -> Reader | None:
    """The reader whose detection accepts the probed export (first registered wins), or None."""
    for reader in _READERS.values():
        try:
            if reader.detect(probe):
                return reader
        except (OSError, ValueError, KeyError, TableError, zipfile.BadZipFile, RuntimeError):
            continue  # a damaged file is not this format; the next reader may still recognise it
    return None
