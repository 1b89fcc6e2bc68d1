"""AppTests of lesson mode: the lesson page, a lesson's steps, the code behind a view, the class board."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ui.training.manager
from explorer.lesson import board
from explorer.lesson.facts import FactInput, reveal
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.evaluate import evaluate_predictions
from tests.apptest import click, open_page, rerun_with
from tests.test_page_training import FakeJobManager, engine  # noqa: F401
from ui import state

LESSON_PAGE = "pages/lesson.py"
BOARD_PAGE = "pages/board.py"


def test_the_lesson_page_lists_the_lessons_and_explains_a_broken_file(app_environment, tmp_path, monkeypatch):
    shipped = (Path(__file__).parent.parent / "lessons" / "hongong_rnn.toml").read_text(encoding="utf-8")
    (tmp_path / "broken.toml").write_text(shipped.replace('page = "padding"', 'page = "paddin"'), encoding="utf-8")
    monkeypatch.setenv("IMDB_EXPLORER_LESSONS", str(tmp_path))
    at = open_page(app_environment, LESSON_PAGE)
    assert {"lesson_start_hongong_rnn", "lesson_start_chollet_text"} <= {button.key for button in at.button}
    assert [error.value for error in at.error] == ["The lesson file broken.toml cannot be used. What is wrong:"]
    assert any("broken.toml" in text.value and "step 2: page is 'paddin'" in text.value for text in at.text)


def test_steps_set_the_settings_and_reveal_the_data(app_environment, small_corpus, engine, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ui.training.manager, "owner_token", lambda: "me")
    at = open_page(app_environment, LESSON_PAGE, maxlen=300, num_words=2000)
    click(at, "lesson_start_hongong_rnn")
    assert (at.session_state[state.MAXLEN], at.session_state[state.NUM_WORDS]) == (100, 500)
    at.switch_page("pages/lengths.py").run()  # where the app's st.switch_page takes a browser
    assert "How long is a review?" in [header.value for header in at.subheader]
    at.number_input(key="lesson_guess_hongong_rnn_1").set_value(10).run()
    click(at, "lesson_guess_hongong_rnn_1_reveal")
    real = reveal("truncated_reviews", FactInput(small_corpus, 50, 100), 10).value
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["The data says"] == f"{real:,.0f}" and shown["The class guessed"] == "10"
    assert shown["Off by"] == f"{abs(real - 10):,.0f}"

    click(at, "lesson_next")
    at.switch_page("pages/padding.py").run()
    assert at.session_state[state.PADDING] == "pre" and at.session_state[state.LESSON_STEP] == 2
    at.radio(key="lesson_guess_hongong_rnn_2").set_value(1).run()
    click(at, "lesson_guess_hongong_rnn_2_reveal")
    assert [warning.value for warning in at.warning][-1].startswith("Not quite: the answer is The beginning")

    for _ in range(2):
        click(at, "lesson_next")
    assert at.session_state["training_encoding"] == "one_hot"  # the step's preset filled the training form
    at.switch_page("pages/training.py").run()
    assert not at.exception


def test_the_code_behind_follows_the_settings(app_environment):
    at = open_page(app_environment, "pages/padding.py", maxlen=123, padding="post")
    codes = [block.value for block in at.code if "pad_sequences(train_input" in block.value]
    assert codes
    assert "maxlen=123, padding='post', truncating='pre'" in codes[0]
    compile(codes[0], "code behind", "exec")


def finished(run_id: str, accuracy: float) -> None:
    runs.write_history(run_id, [{"epoch": 1, "val_accuracy": accuracy, "loss": 0.5}])
    labels = np.ones(100)
    runs.save_evaluation(run_id, evaluate_predictions(labels, (np.arange(100) < 70).astype(float)).to_dict())
    runs.write_status(run_id, runs.RunStatus("finished"))


@pytest.fixture()
def class_runs(small_corpus, engine: FakeJobManager, monkeypatch) -> dict[str, str]:  # noqa: F811
    monkeypatch.setattr(ui.training.manager, "owner_token", lambda: "me")
    made = {}
    for name, owner, accuracy in (("mine", "me", 0.8), ("theirs", "other", 0.9), ("also_mine", "me", 0.6)):
        made[name] = engine.submit(RunConfig(num_words=50), owner)
        engine.jobs[made[name]].state = "finished"
        finished(made[name], accuracy)
    return made


def test_the_class_board_ranks_names_and_lets_the_teacher_hide(app_environment, class_runs, monkeypatch):
    at = open_page(app_environment, BOARD_PAGE)
    table = at.dataframe[0].value
    assert list(table["Validation accuracy"]) == [0.9, 0.8, 0.6]
    own = {box.key for box in at.text_input}
    assert own == {state.BOARD_NAME.format(run_id=class_runs[name]) for name in ("mine", "also_mine")}

    key = state.BOARD_NAME.format(run_id=class_runs["mine"])
    at.text_input(key=key).set_value("Blue Falcon").run()
    click(at, f"{key}_post")
    assert board.read_board().names == {class_runs["mine"]: "Blue Falcon"}
    assert list(at.dataframe[0].value["Entry"])[1] == "2. Blue Falcon"

    assert not [box for box in at.multiselect if box.key == "board_hidden"]  # no teacher's token: no controls
    monkeypatch.setenv(ui.training.manager.ADMIN_TOKEN_ENV, "secret")
    rerun_with(at, **{state.TRAINING_ADMIN: "wrong"})
    assert not [box for box in at.multiselect if box.key == "board_hidden"]
    rerun_with(at, **{state.TRAINING_ADMIN: "secret"})
    at.multiselect(key="board_hidden").set_value([class_runs["theirs"]]).run()
    click(at, "board_apply_hidden")
    assert list(at.dataframe[0].value["Validation accuracy"]) == [0.8, 0.6]
    click(at, "board_clear")
    assert not at.dataframe and "No finished run yet" in at.info[0].value


def test_the_board_lives_in_the_tests_own_cache(app_environment, class_runs, tmp_path):
    assert board.board_path().is_relative_to(tmp_path)  # the runs above never reach the shared corpus cache


def test_the_lesson_page_resumes_or_ends_the_lesson_being_followed(app_environment):
    at = open_page(app_environment, LESSON_PAGE)
    click(at, "lesson_start_chollet_text")
    at.switch_page(LESSON_PAGE).run()
    assert "step 1 of 5" in at.info[0].value and at.button(key="lesson_resume")
    click(at, "lesson_leave")
    assert state.LESSON not in at.session_state and not [b for b in at.button if b.key == "lesson_resume"]


def test_a_page_cannot_draw_a_section_the_lessons_do_not_know() -> None:
    from ui.presenter import focus_css, section

    with pytest.raises(ValueError, match="'legend' is not a section of the lengths page"):
        section("lengths", "legend")
    css = focus_css(("histogram",))
    assert '[class*="st-key-section_"]:not(.st-key-section_histogram) { display: none; }' in css
