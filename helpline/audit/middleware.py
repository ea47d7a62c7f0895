"""The request's part in the audit: who acts and from where (``audit.context``) for every entry
written while it runs, and an entry for every export a person downloads — any answer that is a
file to keep (``Content-Disposition: attachment``) of a spreadsheet, CSV or PDF kind, from the
pages, the API or the admin alike. A ticket's attachment is not an export."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from helpline.audit import chain, context

EXPORT_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
    "application/zip",
)


def is_export(request: HttpRequest, response: HttpResponse) -> bool:
    disposition = str(response.get("Content-Disposition", ""))
    kind = str(response.get("Content-Type", "")).split(";")[0].strip()
    if not disposition.startswith("attachment") or kind not in EXPORT_TYPES:
        return False
    return "/attachments/" not in request.path  # a ticket's file, not an export


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.request_scope(request):
            response = self.get_response(request)
            if response.status_code == 200 and is_export(request, response):
                chain.record(
                    action="export",
                    object_type="download",
                    object_id=request.path[:64],
                    after={
                        "path": request.path,
                        "query": request.META.get("QUERY_STRING", ""),
                        "file": response.get("Content-Disposition", ""),
                        "type": response.get("Content-Type", ""),
                    },
                )
        return response
