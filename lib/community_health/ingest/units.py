"""Finding the exports in a client's ``exports/`` folder and grouping what belongs together.

An *export unit* is what one reader reads at once: a single file (CSV, JSON, XLSX, or a zip such as a
Slack workspace export), or a folder holding an unpacked multi-file export (a Slack workspace export:
``channels.json``, ``users.json`` and one folder per channel; an X archive's ``data`` folder). Everything
inside such a folder belongs to it. Files the operating system leaves behind (``.DS_Store``, ``Thumbs.db``,
``~$`` lock files of an open spreadsheet) are not exports and are passed over.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

# A folder holding all of these file names is one export unit (an unpacked Slack workspace export).
FOLDER_EXPORT_MARKERS: tuple[frozenset[str], ...] = (frozenset({"channels.json", "users.json"}),)
# The ``data`` folder of an unpacked X archive (its tweets are read with the account's handle and the long
# posts' notes): these files beside ``tweets.js`` or ``tweet.js``, and no file but the archive's own
# (``.js`` and its ``README.txt``), so that another export put in the same folder is never taken in.
X_ARCHIVE_MARKER = frozenset({"manifest.js", "account.js"})
X_ARCHIVE_TWEETS = frozenset({"tweets.js", "tweet.js"})


def is_folder_export(names: set[str]) -> bool:
    """Whether a folder holding the files ``names`` (not its subfolders) is one export unit."""
    if any(marker <= names for marker in FOLDER_EXPORT_MARKERS):
        return True
    return (
        names >= X_ARCHIVE_MARKER
        and bool(X_ARCHIVE_TWEETS & names)
        and all(n.endswith(".js") or n == "README.txt" or is_system_file(n) for n in names)
    )


_SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def is_system_file(name: str) -> bool:
    """Whether a file name is left by an operating system or an open spreadsheet, not an export."""
    lowered = name.lower()
    return lowered in _SYSTEM_FILES or lowered.startswith(("._", "~$", ".~lock")) or name.startswith(".")


@dataclass(frozen=True)
class FileStat:
    """A file's path inside its unit, size and modification time (to skip hashing unchanged files)."""

    name: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ExportUnit:
    """One export: a file, or a folder holding a multi-file export.

    Attributes
    ----------
    path
        The file or folder.
    relpath
        Its path relative to the client's folder, POSIX style (``exports/slack/acme``): the name
        used in the ingest log, in ``source_file`` and in every quarantine reason.
    is_folder
        Whether the unit is a folder.
    """

    path: Path
    relpath: str
    is_folder: bool = False

    @cached_property
    def files(self) -> tuple[Path, ...]:
        """The files of the unit, sorted by name."""
        if not self.is_folder:
            return (self.path,)
        found = []
        for root, dirs, names in os.walk(self.path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
            found.extend(Path(root) / n for n in names if not is_system_file(n))
        return tuple(sorted(found))

    def stats(self) -> tuple[FileStat, ...]:
        """Size and modification time of every file of the unit."""
        out = []
        for f in self.files:
            st = f.stat()
            name = f.relative_to(self.path).as_posix() if self.is_folder else f.name
            out.append(FileStat(name, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def sha256(self) -> str:
        """The content hash: of the file, or of every (name, content hash) of a folder's files."""
        if not self.is_folder:
            return _file_sha256(self.path)
        digest = hashlib.sha256()
        for f in self.files:
            digest.update(f.relative_to(self.path).as_posix().encode("utf-8") + b"\0")
            digest.update(bytes.fromhex(_file_sha256(f)))
        return digest.hexdigest()

    def bundle(self) -> Bundle:
        """Read access to the unit's content."""
        if self.is_folder:
            return FolderBundle(self.path)
        return FileBundle(self.path)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_units(exports: Path, client_root: Path) -> list[ExportUnit]:
    """Every export unit under ``exports`` (any nesting), sorted by path.

    Parameters
    ----------
    exports
        The client's ``exports/`` folder.
    client_root
        The client's folder; unit paths are given relative to it.
    """
    units: list[ExportUnit] = []
    if not exports.is_dir():
        return units

    def rel(p: Path) -> str:
        try:
            return p.relative_to(client_root).as_posix()
        except ValueError:
            return p.as_posix()

    for root, dirs, names in os.walk(exports):
        here = Path(root)
        present = set(names)
        if is_folder_export(present):
            units.append(ExportUnit(here, rel(here), is_folder=True))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        units.extend(ExportUnit(here / n, rel(here / n)) for n in sorted(names) if not is_system_file(n))
    return sorted(units, key=lambda u: u.relpath)


# ---------------------------------------------------------------------------------------------------
# Bundles: uniform read access to a file, a folder, or a zip's members


class Bundle(Mapping[str, bytes]):
    """The files of an export by their POSIX path inside it, read lazily."""

    def head(self, n: int) -> bytes:
        """The first ``n`` bytes of a single-file unit."""
        raise NotImplementedError

    def members(self) -> Bundle:
        """The files inside: a zip's members for a zip file, the files of a folder, else itself."""
        return self


class FileBundle(Bundle):
    """A single file (its one name is the file name)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __getitem__(self, name: str) -> bytes:
        if name != self.path.name:
            raise KeyError(name)
        return self.path.read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter([self.path.name])

    def __len__(self) -> int:
        return 1

    def read(self) -> bytes:
        return self.path.read_bytes()

    def head(self, n: int) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(n)

    @cached_property
    def _zip(self) -> ZipBundle | None:
        if not zipfile.is_zipfile(self.path):
            return None
        try:
            return ZipBundle(zipfile.ZipFile(self.path))
        except (zipfile.BadZipFile, OSError):
            return None

    def members(self) -> Bundle:
        return self._zip if self._zip is not None else self


class FolderBundle(Bundle):
    """The files of a folder, by path relative to it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        unit = ExportUnit(root, root.name, is_folder=True)
        self._names = [f.relative_to(root).as_posix() for f in unit.files]

    def __getitem__(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        return (self.root / PurePosixPath(name)).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class ZipBundle(Bundle):
    """The member files of a zip archive (folders and the ``__MACOSX`` shadow folder left out)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self._names = sorted(
            i.filename
            for i in archive.infolist()
            if not i.is_dir()
            and not i.filename.startswith("__MACOSX/")
            and not is_system_file(PurePosixPath(i.filename).name)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> ZipBundle:
        return cls(zipfile.ZipFile(io.BytesIO(data)))

    def __getitem__(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        return self.archive.read(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
