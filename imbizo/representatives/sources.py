"""Reading a representatives CSV (docs/representatives.md) into rows, without checking
their values (checks.py does). A file is refused whole only when it cannot be read as
the format at all: no such file, not text in its encoding, no header, a required column
missing or a column the format does not have."""

import csv
from dataclasses import dataclass
from pathlib import Path

from imbizo.core.errors import ImbizoError

COLUMNS = ("municipality", "kind", "ward", "authority", "id", "title", "name", "position",
           "party", "phone", "email", "office", "hours", "photo", "term_start", "term_end",
           "login")
REQUIRED = ("municipality", "kind", "name")


@dataclass(frozen=True)
class Row:
    line: int  # the file's line the row starts on, as an editor counts
    values: dict[str, str]  # every column of COLUMNS, stripped ("" when absent)
    problem: str = ""  # why the row cannot be read at all (the wrong number of fields)


def unreadable(path: Path, reason: str) -> ImbizoError:
    return ImbizoError("unreadable_file", f"{path.name}: {reason}; nothing was imported.")


def read_rows(path: Path, encoding: str = "utf-8-sig") -> list[Row]:
    """Every data row of the file; blank lines and comments (a first field starting with
    ``#``) are skipped."""
    path = Path(path)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            return _rows(path, handle)
    except UnicodeDecodeError:
        raise unreadable(path, f"is not {encoding} text (save it as UTF-8, or give its "
                               "encoding with --encoding)") from None
    except csv.Error as exc:
        raise unreadable(path, f"is not CSV ({exc})") from None
    except (OSError, LookupError) as exc:
        raise unreadable(path, exc.strerror or str(exc)) from None


def _rows(path: Path, handle) -> list[Row]:
    reader = csv.reader(handle)
    header = next(reader, None)
    while header is not None and _skipped(header):
        header = next(reader, None)
    if header is None:
        raise unreadable(path, "has no header line")
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [n for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise unreadable(path, f"names the column(s) {', '.join(repeated)} twice")
    if missing or unknown:
        parts = [f"no {', '.join(missing)} column" if missing else "",
                 f"unknown column(s) {', '.join(map(repr, unknown))} (the columns are "
                 f"{', '.join(COLUMNS)})" if unknown else ""]
        raise unreadable(path, " and ".join(filter(None, parts)))
    rows = []
    while True:
        line = reader.line_num + 1  # a record may span lines (a quoted address)
        fields = next(reader, None)
        if fields is None:
            return rows
        if _skipped(fields):
            continue
        values = dict.fromkeys(COLUMNS, "")
        values.update({n: f.strip() for n, f in zip(names, fields, strict=False)})
        problem = "" if len(fields) == len(names) else \
            f"has {len(fields)} fields where the header has {len(names)}"
        rows.append(Row(line, values, problem))


def _skipped(fields: list[str]) -> bool:
    """A blank line, or a comment: a line whose first field starts with ``#``."""
    return not any(f.strip() for f in fields) or fields[0].lstrip().startswith("#")
