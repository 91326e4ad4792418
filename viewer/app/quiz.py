"""The student self-test: multiple-choice questions built from the knowledge, and their grading.

Pure functions on a :class:`viewer.knowledge.Knowledge`: a question is a frozen record with its
choices, the index of the right one and the explanation shown after answering; a
:class:`QuizState` is replaced (never mutated) on every answer, so the score is easy to test.

Two kinds of question:

- ``roots``: "Which roots supply <muscle>?"; the right answer is the muscle's main roots, the
  wrong ones are the same run shifted up or down the spine (never a set some source publishes,
  so a disagreement between sources is not graded as wrong).
- ``level``: "At which level is <point>?"; the right answer is the point's ``segment``, the wrong
  ones its neighbouring levels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from viewer.knowledge import ROOTS, SEGMENTS, Knowledge
from viewer.scene.words import join_words

CHOICES = 4


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Attributes
    ----------
    kind : {"roots", "level"}
    subject : str
        The muscle id or the point code asked about.
    prompt : str
    choices : tuple of str
    answer : int
        Index of the right choice.
    explanation : str
        Why the right answer is right, shown after any answer.
    """

    kind: str
    subject: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class QuizState:
    """The card: the question shown, the choice made (None until answered), the score."""

    question: Question
    number: int = 0
    chosen: int | None = None
    score: int = 0
    asked: int = 0

    @property
    def answered(self) -> bool:
        return self.chosen is not None

    @property
    def correct(self) -> bool:
        return self.chosen is not None and self.chosen == self.question.answer


def _shifted(roots: tuple[str, ...], shift: int) -> tuple[str, ...] | None:
    idx = [ROOTS.index(r) + shift for r in roots]
    if min(idx) < 0 or max(idx) >= len(ROOTS):
        return None
    return tuple(ROOTS[i] for i in idx)


def roots_question(knowledge: Knowledge, muscle_id: str, rng: random.Random) -> Question:
    """"Which roots supply <muscle>?" with the main roots right and shifted runs wrong.

    Raises
    ------
    KeyError
        For an unknown muscle id.
    ValueError
        For a muscle with no roots recorded.
    """
    m = knowledge.muscle(muscle_id)
    if not m.roots:
        raise ValueError(f"{muscle_id} has no roots recorded; it cannot be asked about")
    right = tuple(m.roots)
    published = {tuple(a.roots) for a in m.roots_alt} | {right}
    wrong: list[tuple[str, ...]] = []
    for shift in (1, -1, 2, -2, 3, -3, 4, -4):
        cand = _shifted(right, shift)
        if cand and cand not in published and cand not in wrong:
            wrong.append(cand)
        if len(wrong) == CHOICES - 1:
            break
    options = [right, *wrong]
    rng.shuffle(options)
    explanation = (f"{m.name} is supplied by {join_words(right)}"
                   f"{' through the ' + m.peripheral_nerve if m.peripheral_nerve else ''}"
                   f" ({knowledge.cite(m.sources)}).")
    others = [a for a in m.roots_alt if tuple(a.roots) != right]
    if others:
        explanation += " Other sources: " + "; ".join(
            f"{knowledge.cite(a.sources)} gives {join_words(a.roots)}" for a in others) + "."
    return Question("roots", m.id, f"Which nerve roots supply {m.name.lower()}?",
                    tuple(", ".join(o) for o in options), options.index(right), explanation)


def level_question(knowledge: Knowledge, code: str, rng: random.Random) -> Question:
    """"At which level is <point>?" with the point's segment right and its neighbours wrong.

    Raises
    ------
    KeyError
        For an unknown code.
    ValueError
        For a point without a segment (limbs, head).
    """
    p = knowledge.point(code)
    if not p.segment:
        raise ValueError(f"{code} has no segment; it cannot be asked about by level")
    i = SEGMENTS.index(p.segment)
    near = [SEGMENTS[j] for j in (i - 1, i + 1, i - 2, i + 2, i - 3, i + 3) if 0 <= j < len(SEGMENTS)]
    options = [p.segment, *near[:CHOICES - 1]]
    rng.shuffle(options)
    where = p.location.description or ""
    explanation = f"{p.code} ({p.pinyin}) lies at the {p.segment} level. {where}".strip()
    return Question("level", p.code, f"At which spinal level is {p.code} ({p.pinyin})?",
                    tuple(options), options.index(p.segment), explanation)


def make_question(knowledge: Knowledge, number: int, muscle_id: str | None = None,
                  point_code: str | None = None) -> Question:
    """The ``number``-th question of a session (deterministic for a given number).

    Even numbers ask for roots, odd ones for a level. The muscle (or point) in view is asked
    about first; later questions draw from the whole knowledge.
    """
    rng = random.Random(number * 7919 + 17)
    if number % 2 == 0:
        if muscle_id and number == 0 and knowledge.has_muscle(muscle_id) and knowledge.muscle(muscle_id).roots:
            return roots_question(knowledge, muscle_id, rng)
        pool = [m.id for m in knowledge.muscles if m.roots]
        return roots_question(knowledge, rng.choice(pool), rng)
    if point_code and number == 1 and knowledge.has_point(point_code) and knowledge.point(point_code).segment:
        return level_question(knowledge, point_code, rng)
    pool = [p.code for p in knowledge.points if p.segment]
    if not pool:  # a point set with no trunk points: ask about roots instead
        return roots_question(knowledge, rng.choice([m.id for m in knowledge.muscles if m.roots]), rng)
    return level_question(knowledge, rng.choice(pool), rng)


def start(knowledge: Knowledge, muscle_id: str | None = None, point_code: str | None = None) -> QuizState:
    """A fresh card with score 0/0."""
    return QuizState(make_question(knowledge, 0, muscle_id, point_code))


def answer(state: QuizState, choice: int) -> QuizState:
    """The card after choosing ``choice``; answering twice does not change the score.

    Raises
    ------
    ValueError
        For a choice out of range.
    """
    if not 0 <= choice < len(state.question.choices):
        raise ValueError(f"choice {choice} is not one of 0..{len(state.question.choices) - 1}")
    if state.answered:
        return state
    right = choice == state.question.answer
    return replace(state, chosen=choice, score=state.score + int(right), asked=state.asked + 1)


def next_card(knowledge: Knowledge, state: QuizState, muscle_id: str | None = None,
              point_code: str | None = None) -> QuizState:
    """The next question, keeping the score."""
    n = state.number + 1
    return replace(state, question=make_question(knowledge, n, muscle_id, point_code), number=n, chosen=None)


def focus(knowledge: Knowledge, state: QuizState, muscle_id: str | None = None,
          point_code: str | None = None) -> QuizState:
    """The card re-aimed at what is in view: an unanswered question becomes one about the
    selected point (its level) or muscle (its roots); an answered card is left as it is."""
    if state.answered:
        return state
    rng = random.Random(state.number * 7919 + 17)
    if point_code and knowledge.has_point(point_code) and knowledge.point(point_code).segment:
        if state.question.subject != point_code:
            return replace(state, question=level_question(knowledge, point_code, rng))
        return state
    if muscle_id and knowledge.has_muscle(muscle_id) and knowledge.muscle(muscle_id).roots:
        if state.question.subject != muscle_id:
            return replace(state, question=roots_question(knowledge, muscle_id, rng))
    return state
