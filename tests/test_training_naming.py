"""Run names: numbered per preset or model, translated, renamed by the owner, stored in the run folder."""

from __future__ import annotations

import os

import pytest

from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.naming import MAX_NAME_LENGTH, RunNameError, name_new_run, read_name, rename, run_label
from explorer.training.view import preset_config, preset_of, short_model


def new_run(config: RunConfig) -> str:
    return runs.create_run(config, os.getpid())


def test_runs_are_numbered_per_preset_or_model_and_read_in_each_language(isolated_cache):
    book = preset_config("book_onehot")
    first, second = new_run(book), new_run(book)
    assert name_new_run(first, book, "book_onehot").number == 1
    assert name_new_run(second, book, "book_onehot").number == 2
    assert run_label(second, book, "en") == "Book one-hot #2" and run_label(second, book, "ko") == "책 원-핫 #2"
    changed = book.with_changes(units=16)
    other = new_run(changed)
    assert name_new_run(other, changed, None).number == 1  # its own count
    assert run_label(other, changed, "en") == "OneHot(500) → SimpleRNN(16) #1"
    assert (runs.run_dir(second) / runs.NAME_FILE).is_file()


def test_the_owner_renames_and_an_empty_name_goes_back_to_the_number(isolated_cache):
    config = RunConfig()
    run_id = new_run(config)
    name_new_run(run_id, config, None)
    rename(run_id, config, "  Ji-woo's   <b>run</b> ")
    assert run_label(run_id, config, "en") == "Ji-woo's <b>run</b>"  # one line; shown as text, not markup
    assert read_name(run_id).number == 1
    rename(run_id, config, "")
    assert run_label(run_id, config, "en") == f"{short_model(config)} #1"
    with pytest.raises(RunNameError, match="at most"):
        rename(run_id, config, "x" * (MAX_NAME_LENGTH + 1))


def test_an_unnamed_older_run_shows_its_model_and_id(isolated_cache):
    config = RunConfig()
    run_id = new_run(config)
    assert run_label(run_id, config, "en") == f"{short_model(config)} · {run_id}"
    (runs.run_dir(run_id) / runs.NAME_FILE).write_text("{damaged")
    assert read_name(run_id) is None and run_id in run_label(run_id, config, "en")


def test_preset_of_recognises_an_unchanged_preset():
    assert preset_of(preset_config("chollet_lstm", seed=7, source="x"), 100_000) == "chollet_lstm"
    assert preset_of(preset_config("book_embedding").with_changes(num_words=300), 300) == "book_embedding"  # capped
    assert preset_of(preset_config("book_embedding").with_changes(units=9), 100_000) is None
