"""Lessons as data: one TOML file per lesson, read and checked into typed steps.

A lesson is a guided path through the explorer's pages. Each step names a page, the settings
it opens with (the same query parameters a shared link carries: ``maxlen = 100``), a short text
in every UI language, optionally the parts of the page presenter view keeps (``focus``), and
optionally a question the class answers before the page reveals the truth (a number computed
from the data, or a choice). A teacher writes a new lesson by copying a
file in ``lessons/``; nothing else is needed. Every mistake in a file becomes one
``LessonError`` that names the file, the step and the field, so a broken lesson is explained,
never a traceback.

Example (all texts need every language of ``explorer.i18n.LANGUAGES``)::

    title = { en = "...", ko = "..." }
    summary = { en = "...", ko = "..." }

    [[steps]]
    page = "lengths"
    settings = { num_words = 500, maxlen = 100 }
    title = { en = "...", ko = "..." }
    text = { en = "...", ko = "..." }
    predict = { kind = "number", fact = "truncated_reviews", question = { en = "...", ko = "..." } }
    focus = ["histogram"]  # in presenter view, only these parts of the page (``PAGE_SECTIONS``)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from explorer.i18n import LANGUAGES
from explorer.lesson.facts import FACTS
from explorer.training.view import PRESETS

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"  # the lessons shipped with the app
LESSONS_ENV = "IMDB_EXPLORER_LESSONS"  # a folder of a teacher's own lesson files, listed after ours
LESSON_SUFFIX = ".toml"
MAX_STEPS = 40  # a lesson longer than this is a course: split it
MAX_CHOICES = 6  # more options than this do not fit a projector
PredictKind = Literal["number", "choice"]
PREDICT_KINDS: tuple[PredictKind, ...] = ("number", "choice")
# The parts of each page a step can focus presenter view on (``ui.presenter.section`` draws them);
# a part of a page that is in no section always shows.
PAGE_SECTIONS: dict[str, tuple[str, ...]] = {
    "lengths": ("histogram", "cumulative"),
    "padding": ("review", "combinations", "batch"),
    "onehot": ("sizes", "map", "proof", "image"),
    "training": ("form", "live", "runs", "compare", "results"),
    "embeddings": ("projection", "neighbours", "axis", "export"),
}

Text = dict[str, str]  # language code -> text
ParamCheck = Callable[[str], bool]  # is this query-parameter value (as text) acceptable?


class LessonError(ValueError):
    """A lesson file that cannot be used; the message says which file, step and field, and why."""


@dataclass(frozen=True)
class Prediction:
    """A question asked before the page shows the answer.

    ``number``: the answer is the data fact ``fact`` (see ``explorer.lesson.facts``), computed
    with the step's settings. ``choice``: the answer is ``choices[answer]``, ``explain`` says why.
    """

    kind: PredictKind
    question: Text
    fact: str = ""
    preset: str = ""  # for the preset_parameters fact: which training preset's model
    choices: tuple[Text, ...] = ()
    answer: int = 0
    explain: Text | None = None


@dataclass(frozen=True)
class Step:
    """One stop of a lesson: a page opened with ``settings`` (query parameter -> value as text)."""

    page: str
    settings: dict[str, str]
    title: Text
    text: Text
    predict: Prediction | None = None
    focus: tuple[str, ...] = ()  # the page's sections presenter view keeps (all when empty)


@dataclass(frozen=True)
class Lesson:
    """A lesson file's content; ``lesson_id`` is the file's name without ``.toml``."""

    lesson_id: str
    title: Text
    summary: Text
    steps: tuple[Step, ...]


def lesson_folders() -> list[Path]:
    """Where lessons are looked for: the app's own folder, then ``$IMDB_EXPLORER_LESSONS`` if set."""
    extra = os.environ.get(LESSONS_ENV)
    return [LESSONS_DIR, *([Path(extra)] if extra else [])]


def lesson_files() -> dict[str, Path]:
    """Every lesson file by lesson id (a later folder's file replaces an earlier one of the same id)."""
    found: dict[str, Path] = {}
    for folder in lesson_folders():
        if folder.is_dir():
            found.update({path.stem: path for path in sorted(folder.glob(f"*{LESSON_SUFFIX}"))})
    return found


def load_lesson(path: Path, pages: Collection[str], params: Mapping[str, ParamCheck]) -> Lesson:
    """Read and check the lesson file at ``path``.

    ``pages`` are the page keys a step may name; ``params`` the query parameters a step may set,
    each with the check its value (as text) must pass: the same checks a shared link gets.
    """
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        raise LessonError(f"{path.name}: cannot be read ({error.strerror or error}).") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LessonError(f"{path.name}: is not valid TOML ({error}).") from error
    return parse_lesson(path.stem, data, pages, params, where=path.name)


def parse_lesson(
    lesson_id: str, data: Mapping[str, Any], pages: Collection[str], params: Mapping[str, ParamCheck], where: str = ""
) -> Lesson:
    """A lesson from its parsed TOML ``data`` (``where`` names it in error messages)."""
    where = where or lesson_id
    _only(data, {"title", "summary", "steps"}, where)
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise LessonError(f"{where}: needs at least one [[steps]] table.")
    if len(steps) > MAX_STEPS:
        raise LessonError(f"{where}: has {len(steps)} steps; at most {MAX_STEPS} are allowed.")
    return Lesson(
        lesson_id,
        _text(data, "title", where),
        _text(data, "summary", where),
        tuple(_step(step, pages, params, f"{where}, step {number}") for number, step in enumerate(steps, 1)),
    )


def _step(data: Any, pages: Collection[str], params: Mapping[str, ParamCheck], where: str) -> Step:
    if not isinstance(data, dict):
        raise LessonError(f"{where}: must be a table of page, settings, title, text (and predict, focus).")
    _only(data, {"page", "settings", "title", "text", "predict", "focus"}, where)
    page = data.get("page")
    if page not in pages:
        raise LessonError(f"{where}: page is {page!r}, not one of: {', '.join(sorted(pages))}.")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise LessonError(f"{where}: settings must be a table such as {{ maxlen = 100 }}.")
    checked = {}
    for name, value in settings.items():
        if name not in params:
            raise LessonError(f"{where}: unknown setting {name!r} (known: {', '.join(sorted(params))}).")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if isinstance(value, dict | list) or not params[name](text):
            raise LessonError(f"{where}: {name} = {value!r} is not a value a link may give.")
        checked[name] = text
    predict = _prediction(data["predict"], f"{where}, predict") if "predict" in data else None
    focus = _focus(data.get("focus", []), page, where)
    return Step(page, checked, _text(data, "title", where), _text(data, "text", where), predict, focus)


def _focus(value: Any, page: str, where: str) -> tuple[str, ...]:
    sections = PAGE_SECTIONS.get(page, ())
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise LessonError(f'{where}: focus must be a list of section names such as ["histogram"].')
    unknown = [name for name in value if name not in sections]
    if unknown and not sections:
        raise LessonError(f"{where}: the {page} page has no sections to focus on; leave focus out.")
    if unknown:
        raise LessonError(f"{where}: focus names {', '.join(map(repr, unknown))}, not one of: {', '.join(sections)}.")
    return tuple(value)


def _prediction(data: Any, where: str) -> Prediction:
    if not isinstance(data, dict):
        raise LessonError(f"{where}: must be a table with kind and question.")
    _only(data, {"kind", "question", "fact", "preset", "choices", "answer", "explain"}, where)
    kind = data.get("kind")
    if kind not in PREDICT_KINDS:
        raise LessonError(f"{where}: kind is {kind!r}, not one of: {', '.join(PREDICT_KINDS)}.")
    question = _text(data, "question", where)
    explain = _text(data, "explain", where) if "explain" in data else None
    if kind == "number":
        fact = data.get("fact")
        if fact not in FACTS:
            raise LessonError(f"{where}: fact is {fact!r}, not one of: {', '.join(sorted(FACTS))}.")
        preset = data.get("preset", "")
        if FACTS[fact].needs_preset and preset not in PRESETS:
            raise LessonError(f"{where}: the fact {fact} needs preset = one of: {', '.join(PRESETS)}.")
        return Prediction(kind, question, fact=fact, preset=preset, explain=explain)
    choices = data.get("choices")
    if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
        raise LessonError(f"{where}: choices must be a list of 2 to {MAX_CHOICES} texts.")
    texts = tuple(_language_table(choice, f"{where}, choice {number}") for number, choice in enumerate(choices, 1))
    answer = data.get("answer")
    if isinstance(answer, bool) or not isinstance(answer, int) or not 1 <= answer <= len(choices):
        raise LessonError(f"{where}: answer must be the number of the right choice, 1 to {len(choices)}.")
    return Prediction(kind, question, choices=texts, answer=answer - 1, explain=explain)


def _text(data: Mapping[str, Any], name: str, where: str) -> Text:
    if name not in data:
        raise LessonError(f"{where}: {name} is missing.")
    return _language_table(data[name], f"{where}, {name}")


def _language_table(value: Any, where: str) -> Text:
    if not isinstance(value, dict):
        raise LessonError(f"{where}: must be a table of texts by language ({_languages()}).")
    missing = [code for code in LANGUAGES if not isinstance(value.get(code), str) or not value[code].strip()]
    if missing:
        raise LessonError(f"{where}: needs a text in {', '.join(missing)} (every one of {_languages()}).")
    return {code: value[code] for code in LANGUAGES}


def _only(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise LessonError(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))}).")


def _languages() -> str:
    return ", ".join(LANGUAGES)
