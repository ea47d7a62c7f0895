"""HELPLINE_STORAGE_URL: the data directory when unset, an S3 bucket when set; every bad value is
one line naming the variable and never the secret."""

from __future__ import annotations

import pytest

from helpline.core.config import ConfigError
from helpline.core.storage import storage_url, storages_setting

pytestmark = pytest.mark.pure


def parse(raw: str) -> dict:
    options = storage_url({"HELPLINE_STORAGE_URL": raw})
    assert options is not None
    return options


def test_unset_is_the_data_directory() -> None:
    assert storage_url({}) is None
    assert storage_url({"HELPLINE_STORAGE_URL": "  "}) is None
    assert storages_setting(None) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_over_https_with_options() -> None:
    o = parse("s3://AK%2F1:se%40cret@s3.example.com/files?region=ap-south-1&prefix=/helpline/")
    assert o["endpoint_url"] == "https://s3.example.com"
    assert (o["access_key"], o["secret_key"]) == ("AK/1", "se@cret")
    assert (o["bucket_name"], o["region_name"], o["location"]) == (
        "files",
        "ap-south-1",
        "helpline",
    )
    assert o["use_ssl"] is True and o["verify"] is True
    # Private objects: no ACL, signed short-lived URLs only; random names, so no HEAD first.
    assert o["default_acl"] is None and o["querystring_auth"] is True
    assert o["querystring_expire"] == 300 and o["file_overwrite"] is True
    assert storages_setting(o)["BACKEND"] == "storages.backends.s3.S3Storage"


def test_plain_http_and_ambient_credentials() -> None:
    o = parse("s3+http://127.0.0.1:9000/bucket?addressing=virtual")
    assert o["endpoint_url"] == "http://127.0.0.1:9000"
    assert o["access_key"] is None and o["secret_key"] is None  # boto3 finds them itself
    assert o["addressing_style"] == "virtual" and o["use_ssl"] is False


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("minio://k:hunter2@h/b", "must be s3:// (HTTPS) or s3+http://, not minio://"),
        ("s3://k:hunter2@h", "must name a host and one bucket"),
        ("s3://k:hunter2@h/a/b", "must name a host and one bucket"),
        ("s3://k:hunter2@/b", "must name a host and one bucket"),
        ("s3://k:hunter2@h:notaport/b", "cannot be read"),
        ("s3://k:hunter2@h/b?acl=public-read", "unknown option 'acl'"),
        ("s3://k:hunter2@h/b?addressing=dns", "addressing must be path or virtual"),
        ("s3://k@h/b", "must give both key and secret"),
    ],
)
def test_bad_values_name_the_variable_and_hide_the_secret(raw: str, says: str) -> None:
    with pytest.raises(ConfigError) as exc:
        storage_url({"HELPLINE_STORAGE_URL": raw})
    assert str(exc.value).startswith("HELPLINE_STORAGE_URL")
    assert says in str(exc.value) and "hunter2" not in str(exc.value)
