"""Where files live: the data directory (the default) or an S3 bucket (``HELPLINE_STORAGE_URL``).

Everything that keeps a file (attachments: ``tickets.attachments``) goes through Django's
storage API, so the same code writes to ``<data dir>/media`` on one machine and to a bucket
shared by every web node and worker on several (django-storages' ``S3Storage``, boto3). The
bucket stays private: files are streamed to the reader through the access checks, never linked
publicly (decision 0154).

``s3+http://`` talks plain HTTP to the endpoint (a server on a private network or loopback);
``s3://`` is HTTPS. A storage that does not answer is ``StorageUnavailable`` (503, "try again"),
raised before anything that points at the file is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from helpline.core.config import ConfigError
from helpline.core.errors import HelplineError

ENV = "HELPLINE_STORAGE_URL"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
RETRY_AFTER_SECONDS = 30
_QUERY = {"region", "prefix", "addressing", "verify"}


class StorageUnavailable(HelplineError):
    status = 503
    code = "storage_unavailable"


def storage_url(env: Mapping[str, str]) -> dict[str, Any] | None:
    """The S3Storage options from ``HELPLINE_STORAGE_URL``, or None for the data directory.

    ``s3://KEY:SECRET@host[:port]/BUCKET?region=…&prefix=…&addressing=path|virtual`` (HTTPS),
    ``s3+http://…`` (plain HTTP). Without ``KEY:SECRET`` boto3 finds credentials itself (the
    instance's role, ``AWS_*`` variables). A bad value is one line naming the variable and never
    echoes the URL (it carries a secret)."""
    raw = env.get(ENV, "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{ENV} cannot be read (s3://key:secret@host:port/bucket)") from None
    if parts.scheme not in ("s3", "s3+http"):
        scheme = parts.scheme + "://" if parts.scheme else "no scheme"
        raise ConfigError(f"{ENV} must be s3:// (HTTPS) or s3+http://, not {scheme}")
    bucket = parts.path.strip("/")
    if not parts.hostname or not bucket or "/" in bucket:
        raise ConfigError(f"{ENV} must name a host and one bucket (s3://key:secret@host/bucket)")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - _QUERY)
    if unknown:
        raise ConfigError(f"{ENV} has unknown option {unknown[0]!r} (region, prefix, addressing)")
    if (parts.username is None) != (parts.password is None):
        raise ConfigError(f"{ENV} must give both key and secret (s3://key:secret@host/bucket)")

    def one(name: str, default: str) -> str:
        return query.get(name, [default])[-1]

    addressing = one("addressing", "path")
    if addressing not in ("path", "virtual"):
        raise ConfigError(f"{ENV} addressing must be path or virtual, not {addressing!r}")
    tls = parts.scheme == "s3"
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return {
        "bucket_name": bucket,
        "endpoint_url": f"{'https' if tls else 'http'}://{host}" + (f":{port}" if port else ""),
        "access_key": unquote(parts.username) if parts.username is not None else None,
        "secret_key": unquote(parts.password) if parts.password is not None else None,
        "region_name": one("region", "us-east-1"),
        "location": one("prefix", "").strip("/"),
        "addressing_style": addressing,
        "use_ssl": tls,
        "verify": one("verify", "on") not in ("off", "0", "false", "no") if tls else None,
        # Private objects, never a public ACL.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        # Names are random (96 bits under the ticket's folder), so nothing is ever overwritten;
        # asking the bucket first (a HEAD before every PUT, django-storages' default) was one
        # more round trip per file for a question whose answer is always "free" (decision 0196).
        "file_overwrite": True,
        **_transfer_options(addressing),
    }


def _transfer_options(addressing: str) -> dict[str, Any]:
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    return {
        # Each upload and download in the request's own thread, one request for a file up to
        # 64 MB (attachments are ≤ 10 MB): s3transfer's thread pool per file cost seconds
        # under concurrent uploads and held the request past gunicorn's timeout (decision 0154).
        "transfer_config": TransferConfig(use_threads=False, multipart_threshold=64 * 1024 * 1024),
        # A bucket that does not answer is said within seconds, not after boto3's ~20 s of
        # retries: the upload is refused (503) and the person tries again.
        "client_config": Config(
            connect_timeout=3,
            read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"},
            signature_version="s3v4",
            # Checksums only where S3 requires them: boto3 ≥ 1.36 otherwise streams every upload
            # as aws-chunked with a trailing CRC, which S3-compatible servers (rclone, older
            # MinIO, Ceph) answer slowly or not at all.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": addressing},
        ),
    }


def storages_setting(s3: dict[str, Any] | None) -> dict[str, Any]:
    """Django's ``STORAGES["default"]`` for the options above (None: the data directory)."""
    if s3 is None:
        return {"BACKEND": LOCAL_BACKEND}
    return {"BACKEND": S3_BACKEND, "OPTIONS": s3}


def storage_errors() -> tuple[type[BaseException], ...]:
    """What a storage raises when it cannot be reached or refuses: the disk's OSError, boto3's
    connection and client errors."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (OSError, BotoCoreError, ClientError)


def open_stream(field_file: Any) -> Any:
    """A file-like object to stream ``field_file``'s bytes from (``read(n)``, ``close()``).

    From a bucket: the GetObject response's body, read as it is sent (django-storages' own
    ``open`` downloads the whole object into a temporary file first: twice the bytes moved, and
    the first byte only after the last one arrived). Errors (unreachable, missing) are raised
    here, before a response starts."""
    from storages.backends.s3 import S3Storage

    store = field_file.storage
    if isinstance(store, S3Storage):
        key = f"{store.location}/{field_file.name}" if store.location else field_file.name
        answer = store.connection.meta.client.get_object(Bucket=store.bucket_name, Key=key)
        return answer["Body"]
    handle = field_file.open("rb")
    handle.read(0)
    return handle


def is_missing(exc: BaseException) -> bool:
    """The storage answered that the file is not there (not that it cannot be reached)."""
    if isinstance(exc, FileNotFoundError):
        return True
    response = getattr(exc, "response", None)
    code = str((response or {}).get("Error", {}).get("Code", "")) if response else ""
    return code in ("404", "NoSuchKey", "NotFound")


def unavailable(action: str) -> StorageUnavailable:
    return StorageUnavailable(
        f"File storage is not answering, so the {action} could not be completed"
        + (" and nothing was saved" if action != "download" else "")
        + "; try again in a minute.",
        retry_after=RETRY_AFTER_SECONDS,
    )


def local() -> Any:
    """The data directory's storage (``MEDIA_ROOT``), whatever the default is."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.MEDIA_ROOT)


def bucket() -> Any:
    """The bucket of ``HELPLINE_STORAGE_URL``; ConfigError when it is not set."""
    from django.conf import settings

    if settings.STORAGE_S3 is None:
        raise ConfigError(f"{ENV} is not set: there is no bucket to move files to or from")
    from storages.backends.s3 import S3Storage

    return S3Storage(**settings.STORAGE_S3)
