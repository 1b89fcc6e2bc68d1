"""Run names a class can say out loud: "Book one-hot #2" rather than ``20261201-152233.417-3fa9c1``.

A new run is named after the preset it was started from (or, once its settings were changed,
after its model, e.g. ``Embedding(500, 16) → LSTM(32)``) with the next free number for that
name. The name is stored in the run's folder (``runs.write_name``, atomic); the run id stays
the run's reference (folders, downloads, links). The owner may replace the name with their own.
A preset's name is stored as the preset, so it reads in the language of whoever looks.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from explorer.i18n import translate
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.view import short_model

MAX_NAME_LENGTH = 60  # characters of an owner's own name: fits a table column and a picker
PRESET_PREFIX = "preset:"  # a base naming a preset, e.g. "preset:book_onehot"
# Numbering reads the other runs' names, then writes this one's: one run at a time per server
# (every session of a server shares this process), so two students pressing Train at once still
# get different numbers.
_NUMBERING = threading.Lock()


class RunNameError(ValueError):
    """A name the owner typed that cannot be used (the message says why)."""


@dataclass(frozen=True)
class RunName:
    """A run's name: what it is numbered under, its number, and the owner's own name if they gave one."""

    base: str  # "preset:<name>" or the short model
    number: int
    text: str | None = None

    def label(self, language: str) -> str:
        """The name as shown: the owner's own, else the preset's (translated) or model's with the number."""
        if self.text:
            return self.text
        if self.base.startswith(PRESET_PREFIX):
            base = translate(language, f"training.run_name_{self.base.removeprefix(PRESET_PREFIX)}")
        else:
            base = self.base
        return f"{base} #{self.number}"


def name_new_run(run_id: str, config: RunConfig, preset: str | None) -> RunName:
    """Give a new run the next number of its preset's (or model's) name, and store it."""
    base = PRESET_PREFIX + preset if preset else short_model(config)
    with _NUMBERING:
        taken = [name.number for name in map(read_name, runs.list_runs()) if name is not None and name.base == base]
        name = RunName(base, max(taken, default=0) + 1)
        runs.write_name(run_id, asdict(name))
    return name


def read_name(run_id: str) -> RunName | None:
    """The run's name, or None for a run stored before names existed (or with a damaged name file)."""
    try:
        values = runs.read_name(run_id)
        return None if values is None else RunName(str(values["base"]), int(values["number"]), values.get("text"))
    except (runs.RunStoreError, KeyError, TypeError, ValueError):
        return None


def rename(run_id: str, config: RunConfig, text: str) -> RunName:
    """Replace the run's shown name with ``text`` (an empty text goes back to the numbered name)."""
    text = " ".join(text.split())  # one line, no stray spaces
    if len(text) > MAX_NAME_LENGTH:
        raise RunNameError(f"a name has at most {MAX_NAME_LENGTH} characters, not {len(text)}.")
    current = read_name(run_id) or RunName(short_model(config), 0)
    name = RunName(current.base, current.number, text or None)
    runs.write_name(run_id, asdict(name))
    return name


def run_label(run_id: str, config: RunConfig | None, language: str) -> str:
    """What a run is called on screen: its name, or for an unnamed older run its model and id."""
    name = read_name(run_id)
    if name is not None and (name.text or name.number):
        return name.label(language)
    return f"{short_model(config)} · {run_id}" if config is not None else run_id
