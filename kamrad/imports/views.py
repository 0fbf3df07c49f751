"""Import pages: upload, mapping, dry-run report, run with progress, result; for the head."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamrad.imports import reading, services
from kamrad.imports.engine import ACTIONS
from kamrad.imports.forms import MappingForm, RunForm, UploadForm
from kamrad.imports.kinds import KINDS
from kamrad.imports.models import ImportJob
from kamrad.users.access import Rule, policy

HISTORY_SIZE = 50


@policy(read=Rule.HEAD, write=Rule.HEAD)
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                user=request.user,  # type: ignore[arg-type]
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
                delimiter=form.cleaned_data["delimiter"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:HISTORY_SIZE]
    return render(
        request,
        "imports/import_list.html",
        {"form": form, "jobs": jobs, "kinds": KINDS},
        status=400 if form.errors else 200,
    )


def _samples(job: ImportJob, count: int = 3) -> list[list[str]]:
    try:
        table = reading.open_table(
            services.job_path(job), encoding=job.encoding, delimiter=job.delimiter
        )
    except (reading.FileRefused, OSError):
        return []
    try:
        return [
            [reading.text(c) for c in cells] for _n, cells in itertools.islice(table.rows, count)
        ]
    except reading.FileRefused:
        return []
    finally:
        table.rows.close()  # type: ignore[attr-defined]


def _job_context(request: HttpRequest, job: ImportJob, **extra: Any) -> dict[str, Any]:
    kind = KINDS.get(job.kind)
    report = job.report or {}
    counts = report.get("counts", {})
    samples = report.get("samples", {})
    fields_by_column = {int(i): name for i, name in job.mapping.items()}
    context = {
        "job": job,
        "kind": kind,
        "done": services.rows_done(job),
        "report": report,
        "outcomes": [
            (action, counts.get(action, 0), samples.get(action, [])) for action in ACTIONS
        ],
        "mapped_header": [
            (title, kind.field(fields_by_column[i]).label if kind and i in fields_by_column else "")
            for i, title in enumerate(job.header)
        ],
        "problems": report.get("problems", []),
        "run_form": RunForm(),
    }
    context.update(extra)
    return context


@policy(read=Rule.HEAD, write=Rule.HEAD)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page: mapping (POST starts the dry run), progress, report."""
    job = get_object_or_404(ImportJob, pk=pk)
    kind = KINDS.get(job.kind)
    if kind is None:
        return render(request, "imports/import_job.html", _job_context(request, job))
    mapping = services.job_mapping(job)
    form = MappingForm(
        request.POST or None,
        kind=kind,
        header=job.header,
        mapping=mapping,
        samples=_samples(job) if request.method == "GET" and not job.is_busy else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.import_job_start(
                    user=request.user,  # type: ignore[arg-type]
                    job=job,
                    dry_run=True,
                    mapping=form.mapping(),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                return redirect("imports:job", pk=job.pk)
        status = 400
        job.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        if not job.is_busy:
            # The run is over: reload the whole page, mapping form and all.
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        return render(request, "imports/import_job.html#status", _job_context(request, job))
    return render(
        request, "imports/import_job.html", _job_context(request, job, form=form), status=status
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    form = RunForm(request.POST)
    form.is_valid()
    try:
        services.import_job_start(
            user=request.user,  # type: ignore[arg-type]
            job=job,
            dry_run=False,
            good_rows_only=form.cleaned_data.get("good_rows_only", False),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("imports:job", pk=job.pk)


@policy(read=Rule.HEAD, write=Rule.HEAD)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of the job's last run as CSV: row, column, reason."""
    job = get_object_or_404(ImportJob, pk=pk)
    path = services.errors_path(job)
    name = f"import-{job.pk}-problems.csv"
    if not path.exists() or job.is_busy:
        response = HttpResponse(
            "\ufeff" + ",".join([_("Row"), _("Column"), _("Problem")]) + "\r\n",
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )
