"""Lesson files, their facts, the code behind the views, and the class board (explorer/lesson/)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from explorer.data.corpus import Corpus
from explorer.lesson import board
from explorer.lesson.code import ACLIMDB_SOURCE, PAGE_CODE, DataSource, ViewSettings, load_sections, training_sections
from explorer.lesson.export import run_notebook, run_script
from explorer.lesson.facts import FACTS, FactInput, reveal
from explorer.lesson.lessons import LessonError, lesson_files, load_lesson, parse_lesson
from explorer.sequences.stats import truncated_share
from explorer.training import runs
from explorer.training.config import RunConfig, total_parameters
from explorer.training.evaluate import evaluate_predictions
from explorer.training.view import PRESETS, preset_config

PAGES = {"lengths", "padding", "onehot", "training", "embeddings", "lab", "lab_rnn", "home"}
PARAMS = {"maxlen": str.isdigit, "num_words": str.isdigit, "preset": lambda value: value in PRESETS}
TEXT = {"en": "English", "ko": "한국어"}
GOOD_STEP = {"page": "lengths", "settings": {"maxlen": 100}, "title": TEXT, "text": TEXT}


def lesson_data(**step_changes) -> dict:
    step = {**GOOD_STEP, **step_changes}
    return {"title": TEXT, "summary": TEXT, "steps": [GOOD_STEP, {k: v for k, v in step.items() if v is not None}]}


def test_the_shipped_lessons_load_and_cover_both_seeds() -> None:
    from ui.lesson.steps import STEP_PARAMS, step_pages  # the app's own pages and link checks

    files = lesson_files()
    assert {"hongong_rnn", "chollet_text"} <= set(files)
    hongong = load_lesson(files["hongong_rnn"], step_pages(), STEP_PARAMS)
    assert [step.page for step in hongong.steps] == ["lengths", "padding", "onehot", "training", "training"]
    assert [step.settings.get("preset") for step in hongong.steps[3:]] == ["book_onehot", "book_embedding"]
    chollet = load_lesson(files["chollet_text"], step_pages(), STEP_PARAMS)
    assert chollet.steps[1].settings["preset"] == "flatten" and chollet.steps[-1].settings["preset"] == "chollet_lstm"
    assert all(step.predict is not None for step in (*hongong.steps, *chollet.steps))
    assert [step.focus for step in hongong.steps[:3]] == [("histogram",), ("review",), ("sizes",)]
    assert all("form" in step.focus and "live" in step.focus for step in hongong.steps[3:])  # train, then watch


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"page": "lenghts"}, "step 2: page is 'lenghts', not one of"),
        ({"settings": {"maxlen": "a lot"}}, "step 2: maxlen = 'a lot' is not a value a link may give"),
        ({"settings": {"colour": "red"}}, "step 2: unknown setting 'colour'"),
        ({"text": {"en": "only English"}}, "step 2, text: needs a text in ko"),
        ({"title": None}, "step 2: title is missing"),
        ({"predict": {"kind": "number", "fact": "nonsense", "question": TEXT}}, "fact is 'nonsense'"),
        ({"predict": {"kind": "number", "fact": "preset_parameters", "question": TEXT}}, "needs preset = one of"),
        ({"predict": {"kind": "choice", "question": TEXT, "choices": [TEXT, TEXT], "answer": 3}}, "answer must be"),
        ({"predict": {"kind": "choice", "question": TEXT, "choices": [TEXT]}}, "choices must be a list of 2"),
        ({"predict": {"kind": "guess", "question": TEXT}}, "kind is 'guess'"),
        ({"colour": "red"}, "step 2: unknown field(s) colour"),
        ({"focus": ["histogram", "legend"]}, "step 2: focus names 'legend', not one of: histogram, cumulative"),
        ({"focus": "histogram"}, "step 2: focus must be a list of section names"),
        ({"page": "lab", "focus": ["tabs"]}, "step 2: the lab page has no sections to focus on"),
    ],
)
def test_a_broken_step_is_named_with_its_field(changes: dict, message: str) -> None:
    with pytest.raises(LessonError, match=None) as raised:
        parse_lesson("mine", lesson_data(**changes), PAGES, PARAMS, where="mine.toml")
    assert str(raised.value).startswith("mine.toml") and message in str(raised.value), str(raised.value)


def test_a_broken_file_says_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('title = { en = "x", ko = "y"\n[[steps]]\npage = "lengths"\n', encoding="utf-8")
    with pytest.raises(LessonError, match=r"^broken.toml: is not valid TOML \(.*line 1"):
        load_lesson(path, PAGES, PARAMS)
    path.write_text('title = { en = "x", ko = "y" }\nsummary = { en = "x", ko = "y" }\n', encoding="utf-8")
    with pytest.raises(LessonError, match="needs at least one"):
        load_lesson(path, PAGES, PARAMS)


def test_a_teachers_folder_adds_lessons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("IMDB_EXPLORER_LESSONS", str(tmp_path))
    assert lesson_files()["mine"] == tmp_path / "mine.toml"


def test_facts_are_computed_from_the_data(small_corpus: Corpus) -> None:
    lengths = small_corpus.book_split()[0].ids.lengths
    given = FactInput(small_corpus, 50, 100, "book_embedding")
    assert FACTS["truncated_reviews"].compute(given) == round(truncated_share(lengths, 100) * len(lengths))
    assert FACTS["one_hot_bytes"].compute(given) == len(lengths) * 100 * 50 * 4
    assert FACTS["preset_parameters"].compute(given) == total_parameters(preset_config("book_embedding")) == 8209
    shown = reveal("truncated_share", given, 50.0)
    assert shown.percent and shown.value == pytest.approx(truncated_share(lengths, 100) * 100)
    assert shown.off_by == pytest.approx(50.0 - shown.value)


@pytest.mark.parametrize("kind", ["keras", ACLIMDB_SOURCE])
def test_every_page_code_is_valid_python(kind: str) -> None:
    for page, generate in PAGE_CODE.items():
        code = generate(DataSource(kind), ViewSettings(1000, 200, "post", "pre"))
        ast.parse(code)
        assert page == "lab" or "1000" in code, page
    for name in PRESETS:
        ast.parse("\n".join(code for _, code in training_sections(preset_config(name), DataSource(kind))))


def test_the_generated_loader_gives_the_explorers_ids(small_corpus: Corpus, synthetic_tarball: Path) -> None:
    namespace: dict = {}
    code = load_sections(DataSource(ACLIMDB_SOURCE, str(synthetic_tarball)), 30)[0][1]
    exec(compile(code, "loader", "exec"), namespace)  # the code a student would run
    expected = small_corpus.train.ids.with_vocabulary(30, 2)
    assert [len(review) for review in namespace["train_input"]] == list(expected.lengths)
    assert all(list(expected.row(i)) == namespace["train_input"][i] for i in range(len(expected)))
    assert np.array_equal(namespace["test_target"], small_corpus.test.labels)


def test_the_notebook_holds_the_script(tmp_path: Path) -> None:
    config = preset_config("book_embedding")
    notebook = nbformat.reads(run_notebook(config, DataSource(), "run-1"), as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    script = run_script(config, DataSource(), "run-1")
    assert code_cells and all(cell in script for cell in code_cells)
    assert "Embedding(500, 16)" in script and "SimpleRNN(8)" in script and "model.fit(" in script


def test_the_exported_embedding_model_trains(synthetic_tarball: Path, tmp_path: Path) -> None:
    """The book's Embedding + SimpleRNN, exported as a script, trained on the tests' corpus."""
    import subprocess
    import sys

    config = preset_config("book_embedding").with_changes(num_words=60, maxlen=60, epochs=20, units=8, patience=0)
    config = config.with_changes(learning_rate=1e-2)  # 20 epochs on 192 reviews: learn fast enough to see it
    script = tmp_path / "run.py"
    script.write_text(run_script(config, DataSource(ACLIMDB_SOURCE, str(synthetic_tarball)), "test"), encoding="utf-8")
    report = tmp_path / "history.json"
    keep_history = f"json.dump(runpy.run_path({str(script)!r})['history'].history, open({str(report)!r}, 'w'))"
    runner = f"import json, runpy; {keep_history}"
    done = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    history = json.loads(report.read_text())
    assert len(history["loss"]) == 20
    assert history["loss"][-1] < history["loss"][0] * 0.8  # it learns
    assert max(history["val_accuracy"]) > 0.6  # the synthetic reviews are learnable: above a coin toss


def store_run(accuracies: list[float], test: float | None, state: str = "finished") -> str:
    config = RunConfig(num_words=50).validate()
    run_id = runs.create_run(config, "", "someone")
    runs.write_history(run_id, [{"epoch": n, "val_accuracy": a, "loss": 1.0} for n, a in enumerate(accuracies, 1)])
    if test is not None:  # 100 test reviews, the first ``test`` share of them predicted right
        labels = np.ones(100)
        runs.save_evaluation(
            run_id, evaluate_predictions(labels, (np.arange(100) < test * 100).astype(float)).to_dict()
        )
    runs.write_status(run_id, runs.RunStatus(state))
    return run_id


def test_the_board_ranks_names_hides_and_clears(isolated_cache: Path) -> None:
    middle = store_run([0.6, 0.7], 0.69)
    best = store_run([0.8, 0.75], None)
    store_run([0.9], 0.9, state="failed")  # not a finished run: not on the board
    worst = store_run([0.55], 0.5)
    assert [row.run_id for row in board.board_rows()] == [best, middle, worst]
    assert board.board_rows()[1].test_accuracy == 0.69 and board.board_rows()[0].val_accuracy == 0.8

    board.set_name(middle, "  Blue   Falcon ")
    assert board.board_rows()[1].name == "Blue Falcon"
    for bad in ("", "x" * (board.MAX_NAME_LENGTH + 1), "a\u0007b"):
        with pytest.raises(board.BoardError):
            board.set_name(middle, bad)

    board.set_hidden(best, True)
    assert [row.run_id for row in board.board_rows()] == [middle, worst]
    assert [row.hidden for row in board.board_rows(include_hidden=True)] == [True, False, False]
    board.set_hidden(best, False)
    board.clear_board()
    assert board.board_rows() == []
    newer = store_run([0.7], 0.7)
    assert [row.run_id for row in board.board_rows()] == [newer]
