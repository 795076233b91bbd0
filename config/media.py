"""Uploaded files served by Agora itself, from the media folder (MEDIA_ROOT).

Only images, and only as images: whatever is asked for, the answer is a JPEG, PNG or WebP
with that exact type, `nosniff`, and a policy that runs nothing, or a 404. With an S3 bucket
(AWS_STORAGE_BUCKET_NAME) the pages link to the bucket and this view serves nothing.
"""

import os
from pathlib import PurePosixPath
from stat import S_ISREG

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from shop.images import CONTENT_TYPES

# Every stored name is new (a random one per upload), so a file never changes under its name.
CACHE_CONTROL = "public, max-age=31536000, immutable"
# An image needs no script, style or frame; should one be opened on its own, nothing runs.
POLICY = "default-src 'none'; img-src 'self'; sandbox"


@require_safe
def media(request: HttpRequest, name: str) -> HttpResponse:
    # isinstance sees through the lazy default_storage to the storage it stands for.
    if not isinstance(default_storage, FileSystemStorage):
        raise Http404
    path = PurePosixPath(name)
    if any(part in {".", ".."} or part.startswith(".") for part in name.split("/")):
        raise Http404
    content_type = CONTENT_TYPES.get(path.suffix.lower().lstrip("."))
    if content_type is None:
        raise Http404
    try:
        full_path = default_storage.path(name)  # refuses a name that leads out of MEDIA_ROOT
        stat = os.stat(full_path)
    except (SuspiciousFileOperation, OSError, ValueError):
        raise Http404 from None
    if not S_ISREG(stat.st_mode):
        raise Http404
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        return HttpResponseNotModified()
    response = FileResponse(open(full_path, "rb"), content_type=content_type)  # noqa: SIM115
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = POLICY
    response["Content-Disposition"] = f'inline; filename="{path.name}"'
    return response
