"""Reading uploaded tables: CSV in any delimiter and encoding Russian Excel writes, and XLSX.

A table is read as a stream of rows, never whole: a ten-million-row file costs the memory of
one batch. Cell values come out as text (CSV) or as what openpyxl gives (XLSX: text, numbers,
dates); the parsers below accept both.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kamrad.lib import money

DELIMITERS = ";,\t|"
ENCODINGS = ("utf-8", "cp1251")
SNIFF_BYTES = 64 * 1024

csv.field_size_limit(1024 * 1024)


class FileRefused(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


class CellError(ValueError):
    """A cell that does not hold what its field needs; the message says why, for the user."""


# --- Opening -----------------------------------------------------------------------------


@dataclass
class Table:
    """A header and a stream of (row number as a spreadsheet shows it, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    total: int  # data rows, counted cheaply beforehand (a quoted line break may overcount)
    encoding: str = ""
    delimiter: str = ""
    position: Any = None  # () -> bytes read so far, for progress


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04" or path.suffix.lower() in {".xlsx", ".xlsm"}


def open_table(path: Path, *, encoding: str = "", delimiter: str = "") -> Table:
    """Open a CSV or XLSX file; raises FileRefused with a reason people can act on."""
    size = path.stat().st_size
    if size == 0:
        raise FileRefused(_("The file is empty."))
    if is_xlsx(path):
        return _open_xlsx(path)
    return _open_csv(path, encoding=encoding, delimiter=delimiter)


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, else Windows-1251."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start < len(head) - 3:
            return "cp1251"
    return "utf-8"


def sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _open_csv(path: Path, *, encoding: str, delimiter: str) -> Table:
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if encoding:
        encoding = encoding.lower().replace("_", "-")
        if encoding in {"utf8", "utf-8"}:
            encoding = "utf-8-sig"  # a BOM is never part of the first header
        elif encoding in {"windows-1251", "win1251", "cp-1251"}:
            encoding = "cp1251"
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileRefused(_("Unknown encoding %(name)s.") % {"name": encoding}) from None
    else:
        encoding = detect_encoding(head)
    if b"\x00" in head:
        raise FileRefused(_("This is not a text (CSV) file."))
    sample = head.decode(encoding, errors="ignore")
    if delimiter:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise FileRefused(_("The delimiter must be one character."))
    else:
        delimiter = sniff_delimiter(sample)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        raise FileRefused(_("The file is empty.")) from None
    except UnicodeDecodeError:
        raw.close()
        raise FileRefused(_encoding_message(encoding)) from None
    header = [h.strip() for h in header]
    if not any(header):
        raw.close()
        raise FileRefused(_("The first line must name the columns; it is empty."))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for cells in reader:
                if any(cells):
                    # reader.line_num counts physical lines; with quoted line breaks inside a
                    # cell the row's number is its last line, which is where editors point.
                    yield reader.line_num, cells
        except UnicodeDecodeError:
            raise FileRefused(
                _encoding_message(encoding)
                + " "
                + _("Near line %(line)s.") % {"line": reader.line_num + 1}
            ) from None
        except csv.Error as error:
            raise FileRefused(
                _("Line %(line)s cannot be read: %(error)s.")
                % {"line": reader.line_num, "error": error}
            ) from None
        finally:
            raw.close()

    return Table(
        header=header,
        rows=rows(),
        total=max(count_lines(path) - 1, 0),
        encoding=encoding,
        delimiter=delimiter,
        position=raw.tell,
    )


def _encoding_message(encoding: str) -> str:
    name = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp1251": "Windows-1251"}.get(
        encoding, encoding
    )
    return _("The file is not in the %(encoding)s encoding.") % {"encoding": name}


# --- XLSX --------------------------------------------------------------------------------


def check_xlsx(path: Path) -> None:
    """Refuse a file that is not a real XLSX or could blow up when unpacked, before opening it."""
    if not zipfile.is_zipfile(path):
        raise FileRefused(_("This is not an XLSX file (it is not a ZIP archive)."))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(_("This XLSX file is damaged.")) from None
    if len(entries) > settings.KAMRAD_IMPORT_XLSX_MAX_ENTRIES:
        raise FileRefused(_("This XLSX file holds too many parts to be a spreadsheet."))
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise FileRefused(_("This is not an XLSX file (no workbook inside the archive)."))
    total = sum(e.file_size for e in entries)
    if total > settings.KAMRAD_IMPORT_XLSX_MAX_UNPACKED:
        raise FileRefused(
            _("This XLSX file would unpack to %(size)s MB, more than the %(limit)s MB allowed.")
            % {
                "size": total // 2**20,
                "limit": settings.KAMRAD_IMPORT_XLSX_MAX_UNPACKED // 2**20,
            }
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1 << 20 and ratio > settings.KAMRAD_IMPORT_XLSX_MAX_RATIO:
            raise FileRefused(
                _("This XLSX file is compressed suspiciously well (a ZIP bomb?); refused.")
            )


def _open_xlsx(path: Path) -> Table:
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise FileRefused(_("XLSX import needs the defusedxml package."))
    check_xlsx(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise FileRefused(_("This XLSX file cannot be read.")) from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        book.close()
        raise FileRefused(_("The file is empty.")) from None
    header = ["" if v is None else str(v).strip() for v in first]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        book.close()
        raise FileRefused(_("The first line must name the columns; it is empty."))
    total = max((sheet.max_row or 1) - 1, 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(values, start=2):
                if any(c is not None and str(c).strip() for c in cells):
                    yield number, list(cells)
        finally:
            book.close()

    return Table(header=header, rows=rows(), total=total)


# --- Cell parsers ------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> datetime.date:
    if value.__class__ is str:
        return _parse_date_text(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float):
        return _excel_date(value)
    return _parse_date_text(str(value))


@functools.lru_cache(maxsize=8192)
def _parse_date_text(raw: str) -> datetime.date:
    """Dates repeat a great deal in a big file: each distinct text is parsed once."""
    raw = raw.strip()
    # The common shapes by slicing first: a million dates a second matter for big files.
    try:
        if len(raw) == 10 and raw[2] == "." and raw[5] == ".":
            return datetime.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            return datetime.date(int(raw[:4]), int(raw[5:7]), int(raw[8:]))
    except ValueError:
        raise CellError(_("%(value)s is not a date.") % {"value": raw}) from None
    if raw[:10] != raw and _YMD.match(raw[:10]) and raw[10:11] in {" ", "T"}:
        return parse_date(raw[:10])  # "2024-05-01 00:00:00" from a database export
    match = _DMY.match(raw)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        match = _YMD.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        if raw.isdigit() and 20000 <= int(raw) <= 80000:
            return _excel_date(int(raw))
    except ValueError:
        pass
    raise CellError(
        _("%(value)s is not a date (write dd.mm.yyyy or yyyy-mm-dd).") % {"value": raw or "—"}
    )


def _excel_date(serial: float) -> datetime.date:
    if not 1 <= serial <= 2958465:
        raise CellError(_("%(value)s is not a date.") % {"value": serial})
    return _EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def parse_month(value: Any) -> datetime.date:
    """A month as its first day: '05.2024', '2024-05', or any date in it."""
    raw = text(value) if not isinstance(value, datetime.date) else value
    if isinstance(raw, str):
        match = re.match(r"^(\d{1,2})[./](\d{4})$", raw) or None
        if match:
            month, year = int(match[1]), int(match[2])
            if 1 <= month <= 12:
                return datetime.date(year, month, 1)
        match = re.match(r"^(\d{4})-(\d{1,2})$", raw)
        if match and 1 <= int(match[2]) <= 12:
            return datetime.date(int(match[1]), int(match[2]), 1)
    return parse_date(raw).replace(day=1)


_OTHER_EXPONENT = frozenset(c for c in money._EXPONENTS if money.exponent(c) != 2)
_SIMPLE_AMOUNT = re.compile(r"^(-?)(\d{1,15}|\d{1,3}(?:[ \u00a0]\d{3}){1,4})(?:[.,](\d{1,2}))?$")


def parse_minor(value: Any, currency: str) -> int:
    """An amount in major units as integer minor units, exactly ('1 234,56' → 123456)."""
    if value.__class__ is str:
        raw = value
    else:
        raw = text(repr(value) if isinstance(value, float) else value)
    if not raw:
        raise CellError(_("An amount is required."))
    if currency not in _OTHER_EXPONENT:
        match = _SIMPLE_AMOUNT.match(raw)
        if match:  # the common case without Decimal: integers are exact and fast
            sign, whole, frac = match.groups()
            if len(whole) > 3 and not whole.isdigit():
                whole = whole.replace(" ", "").replace("\u00a0", "")
            minor = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
            return -minor if sign else minor
    try:
        return money.to_minor(raw, currency)
    except money.MoneyError:
        raise CellError(_("%(value)s is not an amount.") % {"value": raw}) from None


@functools.lru_cache(maxsize=4096)
def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    if value.__class__ is str and value.isdigit():
        return Decimal(value)
    raw = text(value)
    try:
        return money.parse_decimal(raw)
    except money.MoneyError:
        raise CellError(_("%(value)s is not a number.") % {"value": raw or "—"}) from None


@functools.lru_cache(maxsize=256)
def parse_currency(value: Any) -> str:
    raw = text(value).upper()
    raw = {"RUR": "RUB", "РУБ": "RUB", "РУБ.": "RUB", "₽": "RUB", "$": "USD", "€": "EUR"}.get(
        raw, raw
    )
    try:
        return money.check_currency(raw)
    except money.MoneyError:
        raise CellError(
            _("%(value)s is not a three-letter currency code.") % {"value": raw}
        ) from None


_TRUE = {"1", "yes", "true", "y", "да", "д", "истина", "+", "x"}
_FALSE = {"0", "no", "false", "n", "нет", "н", "ложь", "-", ""}


def parse_bool(value: Any) -> bool:
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(_("%(value)s is neither yes nor no.") % {"value": raw})


def split_list(value: Any) -> list[str]:
    """'a, b; c' → ['a', 'b', 'c']: several phones or e-mails in one cell."""
    return [part.strip() for part in re.split(r"[;,\n]", text(value)) if part.strip()]
