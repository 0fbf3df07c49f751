"""Every write of an import job: upload, mapping, starting a dry or real run, and the run.

Pages and the CLI share the engine (`kamrad.imports.engine`); these functions keep the job row
and the uploaded file in step. A web run happens in a thread of the web process (or in the
request, with KAMRAD_IMPORT_BACKGROUND off, as in tests); its progress goes to a small file
beside the upload, because the run's own transaction holds the database until it ends (on
SQLite it holds the only write lock) and the page must see progress before that.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kamrad.imports import reading
from kamrad.imports.engine import Report, run_import
from kamrad.imports.kinds import KINDS, check_mapping, guess_mapping
from kamrad.imports.models import ImportJob
from kamrad.lib import background
from kamrad.pyramid.models import RecomputeRun
from kamrad.pyramid.services import RecomputeBusy, pyramid_recompute
from kamrad.users.models import User

log = logging.getLogger("kamrad.imports")


def pyramid_after_import(*, report: Report, user: User | None) -> RecomputeRun | None:
    """Bring the client pyramid up to date with what an import wrote.

    Only the clients the import touched are read again (all of them after a rate changed
    conversions); everyone is ranked anew. When a recompute is already running, this one is
    left to the next run and None is returned.
    """
    if report.dry_run or not report.written or report.touched == set():
        return None
    try:
        return pyramid_recompute(user=user, organization_ids=report.touched)
    except RecomputeBusy:
        log.info("pyramid recompute busy: the import's clients wait for the next run")
        return None


def upload_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_path(job: ImportJob) -> Path:
    return upload_dir() / job.stored_as


def errors_path(job: ImportJob) -> Path:
    return upload_dir() / f"{job.stored_as}.errors.csv"


def _progress_path(job: ImportJob) -> Path:
    return upload_dir() / f"{job.stored_as}.progress"


def rows_done(job: ImportJob) -> int:
    if not job.is_busy:
        return int(job.report.get("rows", 0))
    try:
        return int(_progress_path(job).read_text() or 0)
    except (OSError, ValueError):
        return 0


@transaction.atomic
def import_job_create(
    *, user: User, kind: str, upload: UploadedFile, encoding: str = "", delimiter: str = ""
) -> ImportJob:
    """Keep the uploaded file, read its header, guess the mapping; refuse what cannot be read."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    limit = settings.KAMRAD_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s MB, the most an import takes.")
                % {"limit": f"{limit / 2**20:g}"}
            }
        )
    suffix = Path(upload.name or "").suffix.lower()[:8]
    stored = f"{uuid.uuid4().hex}{suffix if suffix in {'.csv', '.txt', '.xlsx'} else ''}"
    path = upload_dir() / stored
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        table = reading.open_table(path, encoding=encoding, delimiter=delimiter)
    except reading.FileRefused as error:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": str(error)}) from None
    table.rows.close()  # type: ignore[attr-defined]
    mapping = guess_mapping(KINDS[kind], table.header)
    return ImportJob.objects.create(
        created_by=user,
        kind=kind,
        file_name=(upload.name or stored)[:255],
        stored_as=stored,
        size=path.stat().st_size,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=table.header,
        mapping={str(i): name for i, name in mapping.items()},
        rows_total=table.total,
    )


def job_mapping(job: ImportJob) -> dict[int, str]:
    return {int(i): name for i, name in job.mapping.items()}


def import_job_start(
    *,
    user: User,
    job: ImportJob,
    dry_run: bool,
    mapping: dict[int, str] | None = None,
    good_rows_only: bool = False,
) -> ImportJob:
    """Start a dry run (with a new mapping) or the real run of a checked job."""
    with transaction.atomic():
        job = _claim(job, dry_run=dry_run, mapping=mapping, good_rows_only=good_rows_only)
    pk = job.pk
    if settings.KAMRAD_IMPORT_BACKGROUND:
        # The thread must see the job as saved: start it once the caller's transaction commits.
        transaction.on_commit(lambda: background.start(f"import-{pk}", import_job_execute, pk))
        return job
    return import_job_execute(pk)


def _claim(
    job: ImportJob, *, dry_run: bool, mapping: dict[int, str] | None, good_rows_only: bool
) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.is_busy:
        raise ValidationError(_("This import is already running."))
    if job.status in {ImportJob.Status.DONE}:
        raise ValidationError(_("This file has been imported; upload it again to re-import."))
    if mapping is not None:
        problems = check_mapping(KINDS[job.kind], mapping)
        if problems:
            raise ValidationError(problems)
        job.mapping = {str(i): name for i, name in mapping.items()}
    if not dry_run and job.status not in {ImportJob.Status.CHECKED, ImportJob.Status.REFUSED}:
        raise ValidationError(_("Run the dry run first."))
    job.dry_run = dry_run
    job.good_rows_only = good_rows_only and not dry_run
    job.status = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.RUNNING
    job.message = ""
    job.language = translation.get_language() or ""
    job.save()
    _progress_path(job).write_text("0")
    return job


def import_job_execute(pk: int) -> ImportJob:
    """Run the job's file through the engine and record the outcome on the job."""
    job = ImportJob.objects.select_related("created_by").get(pk=pk)
    with translation.override(job.language or None):
        return _execute(job)


def _execute(job: ImportJob) -> ImportJob:
    pk = job.pk
    progress_file = _progress_path(job)

    def progress(rows: int) -> None:
        progress_file.write_text(str(rows))

    try:
        table = reading.open_table(job_path(job), encoding=job.encoding, delimiter=job.delimiter)
        with errors_path(job).open("w", encoding="utf-8-sig", newline="") as errors:
            report = run_import(
                KINDS[job.kind],
                table,
                job_mapping(job),
                user=job.created_by,
                dry_run=job.dry_run,
                good_rows_only=job.good_rows_only,
                source=f"import:{job.pk}",
                errors_to=errors,
                progress=progress,
            )
    except reading.FileRefused as error:
        job.status, job.message = ImportJob.Status.FAILED, str(error)
    except Exception:
        log.exception("import %s failed", pk)
        job.status, job.message = ImportJob.Status.FAILED, _("The import failed unexpectedly.")
    else:
        job.report = report.to_json()
        job.message = report.file_error
        try:
            pyramid_after_import(report=report, user=job.created_by)
        except Exception:
            # The import itself is written; the pyramid catches up at its next recompute.
            log.exception("pyramid recompute after import %s failed", pk)
        if report.file_error:
            job.status = ImportJob.Status.FAILED
        elif job.dry_run:
            job.status = ImportJob.Status.CHECKED
        elif report.written:
            job.status = ImportJob.Status.DONE
        else:
            job.status = ImportJob.Status.REFUSED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "report", "finished_at"])
    progress_file.unlink(missing_ok=True)
    return job
