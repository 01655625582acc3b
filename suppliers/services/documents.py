"""Uploaded documents: checked by content (not by name), stored outside the web root."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from shop.core.errors import Invalid

#: Allowed kinds: what the first bytes must be, and the file name endings that go with them.
SIGNATURES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}


@dataclass(frozen=True)
class Upload:
    """A file as received: its name and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks: its real type, size and digest."""

    filename: str
    content_type: str
    size_bytes: int
    sha256: str


def sniff(upload: Upload) -> str | None:
    """The content type the bytes really are (and the name agrees with), else None."""
    name = upload.filename.lower()
    for content_type, (magic, endings) in SIGNATURES.items():
        if upload.data.startswith(magic) and name.endswith(endings):
            if content_type == "application/pdf" and b"%%EOF" not in upload.data[-1024:]:
                return None  # a truncated or fake PDF
            return content_type
    return None


def check(upload: Upload, *, field: str = "documents") -> Checked:
    """Validate one upload: PDF, JPEG or PNG by content, not empty, within the size limit."""
    limit = int(current_app.config["SUPPLIER_UPLOAD_MAX_BYTES"])
    if not upload.data:
        raise Invalid(_("The file is empty."), fields={field: [_("The file is empty.")]})
    if len(upload.data) > limit:
        message = _("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024))
        raise Invalid(message, fields={field: [message]})
    content_type = sniff(upload)
    if content_type is None:
        message = _("Only PDF, JPEG or PNG files are accepted.")
        raise Invalid(message, fields={field: [message]})
    safe_name = Path(upload.filename).name[-200:] or "document"
    digest = hashlib.sha256(upload.data).hexdigest()
    return Checked(safe_name, content_type, len(upload.data), digest)


def upload_dir() -> Path:
    """Where documents are kept: under instance/, never under a static folder."""
    return Path(current_app.config["UPLOAD_DIR"]) / "suppliers"


def store(upload: Upload) -> str:
    """Write the bytes under a random name; returns that name."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{uuid.uuid4().hex}.bin"
    (directory / stored_name).write_bytes(upload.data)
    return stored_name


def path_of(stored_name: str) -> Path:
    """The file of a stored document."""
    return upload_dir() / Path(stored_name).name
