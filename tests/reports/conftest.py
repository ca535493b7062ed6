import pytest


@pytest.fixture(autouse=True)
def _archive_in_tmp(settings, tmp_path):
    """Archived report files go to the test's own directory, not the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
