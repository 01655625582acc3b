"""Uploaded images: checked by decoding them, re-encoded in two sizes, served with long caching.

An image is accepted only if Pillow decodes it as JPEG, PNG or WebP within the byte and pixel
limits (a renamed PDF or a decompression bomb is refused). It is turned upright by its EXIF
orientation and re-encoded as JPEG, which drops the camera's metadata (GPS included), in a
thumbnail for cards and a page size. Files live under UPLOAD_DIR/media, outside any static
folder, named by the content's digest, so a URL never changes meaning and may be cached for
a year.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, url_for
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shop.core.errors import Invalid

#: Longest side in pixels of each stored size.
SIZES = {"thumb": 400, "page": 1200}
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: A stored image's key: "<folder>/<digest>", the folder being e.g. "items/12".
KEY = re.compile(r"^[a-z]+/\d+/[0-9a-f]{32}$")
_FILE = re.compile(r"^[a-z]+/\d+/[0-9a-f]{32}-(thumb|page)\.jpg$")
CACHE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class StoredImage:
    """An image as saved: its key and its size as received."""

    key: str
    width: int
    height: int


def media_dir() -> Path:
    """Where images are kept: under UPLOAD_DIR, never under a static folder."""
    return Path(current_app.config["UPLOAD_DIR"]) / "media"


def _refuse(message: str, field: str) -> Invalid:
    return Invalid(message, fields={field: [message]})


def _decode(data: bytes, field: str) -> Image.Image:
    """The decoded image, or Invalid: not an image, a kind we do not take, too many pixels."""
    limit = int(current_app.config["MEDIA_MAX_PIXELS"])
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise _refuse(_("Only JPEG, PNG or WebP images are accepted."), field)
            if probe.width * probe.height > limit:
                raise _refuse(_("The image has too many pixels."), field)
            probe.verify()  # structure and checksums, without decoding the pixels
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _refuse(_("This file is not an image we can read."), field) from exc
    return image


def save_image(data: bytes, *, folder: str, field: str = "image") -> StoredImage:
    """Check, resize and store an upload under `folder` ("items/12"); its key.

    Raises Invalid (422, with a message for `field`) for an empty, oversized or unreadable
    file. The same bytes saved twice give the same key and write nothing new.
    """
    if not re.fullmatch(r"[a-z]+/\d+", folder):
        raise ValueError(f"bad media folder {folder!r}")
    limit = int(current_app.config["MEDIA_MAX_BYTES"])
    if not data:
        raise _refuse(_("The file is empty."), field)
    if len(data) > limit:
        raise _refuse(_("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)), field)
    image = _decode(data, field)
    width, height = image.size
    upright = ImageOps.exif_transpose(image).convert("RGB")
    key = f"{folder}/{hashlib.sha256(data).hexdigest()[:32]}"
    target = media_dir() / folder
    target.mkdir(parents=True, exist_ok=True)
    for size, side in SIZES.items():
        path = media_dir() / f"{key}-{size}.jpg"
        if path.exists():
            continue
        copy = upright.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        tmp = path.with_suffix(".tmp")
        copy.save(tmp, "JPEG", quality=82, optimize=True, progressive=True)
        tmp.replace(path)  # readers never see half a file
    return StoredImage(key, width, height)


def image_url(key: str, size: str = "thumb") -> str | None:
    """The URL of a stored image in one of SIZES; None for anything that is not a media key."""
    if not KEY.match(key) or size not in SIZES:
        return None
    return url_for("media", path=f"{key}-{size}.jpg")


def serve(path: str) -> Response:
    """One stored image, cached for a year (the name is the content's digest).

    The bytes are read whole (a page size is a few hundred KB at most): a streamed file would
    stay open when a phone drops the connection halfway.
    """
    if not _FILE.match(path):
        abort(404)
    file = media_dir() / path
    if not file.is_file():
        abort(404)
    response = Response(file.read_bytes(), mimetype="image/jpeg")
    response.set_etag(path.rsplit("/", 1)[-1])
    response.make_conditional(request)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """The /media/ route (the limits are settings: MEDIA_MAX_BYTES, MEDIA_MAX_PIXELS)."""
    app.add_url_rule("/media/<path:path>", "media", serve)
