"""Unit tests of the pure task logic: python3 -m pytest tests (no database or Redis needed)."""

import pytest

from app.jobs import add, run_job, word_count


def test_add():
    assert add(2, 3) == {"sum": 5}


def test_word_count_counts_case_insensitively():
    result = word_count("The cat and the hat. THE end")
    assert result["words"] == 7
    assert result["unique"] == 5
    assert result["top"][0] == ["the", 3]


def test_run_job_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown task kind"):
        run_job("nope", {})
