"""The import pages: upload and preview, confirm, and the confirmed import's progress."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.models import Assembly, Role
from registration import forms as rforms
from registration import imports
from registration.models import ImportRun, ImportStatus

RECENT_IMPORTS = 5


@require_http_methods(["GET", "POST"])
@assembly_page(Role.SECRETARIAT)
def import_csv(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    form = rforms.ImportUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"assembly": assembly, "form": form}
    status = 200
    if request.method == "POST" and "confirm" in request.POST:
        try:
            key, text = imports.unsign_import(request.POST.get("payload", ""))
            run = imports.start_import(assembly=assembly, key=key, text=text, by=request.user)
        except DomainError as error:
            context["error"] = error.detail
            status = 400
        else:
            if run.status != ImportStatus.DONE:
                return redirect("registration:import-run", assembly.slug, run.pk)
            messages.success(request, imported_message(run))
            return redirect("registration:queue", assembly.slug)
    elif request.method == "POST" and form.is_valid():
        try:
            # One byte past the limit is enough to refuse: a huge file stays on disk, not in memory.
            raw = form.cleaned_data["file"].read(imports.MAX_IMPORT_BYTES + 1)
            text = imports.decode(raw)
            preview = imports.preview_import(assembly=assembly, text=text)
        except DomainError as error:
            context["error"] = error.detail
            status = 400
        else:
            if note := imports.decoding_note(raw):
                preview.notes.insert(0, note)
            context["preview"] = preview
            if preview.valid:
                context["payload"] = imports.sign_import(text)
            else:
                status = 400
    imports.fail_stale_imports(assembly=assembly)  # the list shows them stopped, not running
    context["columns"] = (imports.REQUIRED_COLUMNS, imports.OPTIONAL_COLUMNS)
    context["runs"] = ImportRun.objects.filter(assembly=assembly).defer("text")[:RECENT_IMPORTS]
    return render(request, "registration/import.html", context, status=status)


def imported_message(run: ImportRun) -> str:
    """A finished import in a sentence: the rows written, and those skipped as registered."""
    skipped = len(run.row_errors)
    written = _("%(n)s registrations imported.") % {"n": run.done - skipped}
    if not skipped:
        return written
    return written + " " + _("%(n)s already registered, skipped.") % {"n": skipped}


@require_http_methods(["GET", "POST"])
@assembly_page(Role.SECRETARIAT)
def import_run(request: HttpRequest, assembly: Assembly, run_id: int) -> HttpResponse:
    """A confirmed import: its progress while it runs (the page reloads itself), what it wrote
    and why it stopped; POST confirms the rest of a stopped one."""
    imports.fail_stale_imports(assembly=assembly)
    run = ImportRun.objects.filter(assembly=assembly, pk=run_id).defer("text").first()
    if run is None:
        message = _("No such import at this assembly.")
        return render(request, "errors/message.html", {"message": message}, status=404)
    if request.method == "POST":
        try:
            imports.resume_import(run=run)
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect("registration:import-run", assembly.slug, run.pk)
    return render(
        request,
        "registration/import_run.html",
        {"assembly": assembly, "run": run, "lines": imports.import_lines(run)},
    )
