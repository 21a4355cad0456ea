"""Instrument definitions: the questions, answer scales, scoring and bands of an outcome
instrument, read from a JSON file (`instruments/*.json`) and checked before anything is loaded.

An answer is a number on the question's scale, one of its options, free text, or one of the
two answers every question has: "missing" (not asked or not answered) and "refused" (the person
chose not to say). Both are kept as themselves and never scored."""

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError

MISSING, REFUSED = "missing", "refused"
NO_ANSWER = {MISSING: "Missing", REFUSED: "Refused"}
SCALE_KINDS = ("integer", "choice", "text")
DIRECTIONS = ("higher", "lower")
RATERS = ("person", "worker")
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
TEXT_LIMIT = 1000


class DefinitionError(ValueError):
    """An instrument file that does not validate; the message names the file and question."""


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    short: str
    kind: str
    low: int | None = None
    high: int | None = None
    unit: str = ""
    labels: dict[int, str] = field(default_factory=dict)
    options: tuple[tuple[str, str], ...] = ()
    max_length: int = TEXT_LIMIT
    better: str = ""
    bands: tuple[Band, ...] = ()
    rater: str = "person"
    pathway: str = ""
    optional: bool = False

    @property
    def scored(self) -> bool:
        return self.kind == "integer" and bool(self.better)

    def band_of(self, value: int) -> Band | None:
        return next((b for b in self.bands if b.low <= value <= b.high), None)

    def improved(self, change: int) -> bool:
        return change > 0 if self.better == "higher" else change < 0

    def label_of(self, answer: Any) -> str:
        """An answer as a person reads it."""
        if answer in NO_ANSWER:
            return NO_ANSWER[answer]
        if self.kind == "choice":
            return dict(self.options).get(answer, str(answer))
        if self.kind == "integer" and self.unit:
            return f"{answer} {self.unit}"
        return str(answer)

    def clean(self, answer: Any) -> Any:
        """The answer as stored, or a ValidationError saying what the scale allows."""
        if answer in NO_ANSWER:
            return answer
        if self.kind == "integer":
            if isinstance(answer, str) and re.fullmatch(r"-?\d+", answer.strip()):
                answer = int(answer.strip())
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise ValidationError(self._scale_words())
            assert self.low is not None and self.high is not None
            if not self.low <= answer <= self.high:
                raise ValidationError(self._scale_words())
            return answer
        if self.kind == "choice":
            if answer not in dict(self.options):
                raise ValidationError(self._scale_words())
            return answer
        if not isinstance(answer, str):
            raise ValidationError("Give the answer as text")
        if len(answer) > self.max_length:
            raise ValidationError(f"Keep the answer to {self.max_length} characters or fewer")
        return answer.strip()

    def _scale_words(self) -> str:
        if self.kind == "integer":
            unit = f" {self.unit}" if self.unit else ""
            return (
                f"Answer with a whole number from {self.low} to {self.high}{unit}, "
                f'or "{MISSING}" or "{REFUSED}"'
            )
        allowed = ", ".join(f'"{value}"' for value, _ in self.options)
        return f'Answer with one of {allowed}, or "{MISSING}" or "{REFUSED}"'


@dataclass(frozen=True)
class Definition:
    code: str
    version: int
    name: str
    source: str
    introduction: str
    questions: tuple[Question, ...]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.scored)

    def clean_answers(self, answers: Any) -> dict[str, Any]:
        """Every answer checked against its question's scale: a ValidationError naming each
        question whose answer does not fit. A question left out is missing when it is optional;
        one that is required must be answered, "missing" or "refused" included."""
        if not isinstance(answers, dict):
            raise ValidationError({"answers": ["Give the answers as a map of question to answer"]})
        errors: dict[str, list[str]] = {}
        cleaned: dict[str, Any] = {}
        for code in answers:
            if self.question(code) is None:
                errors[str(code)] = [f"There is no question {code} in {self.name}"]
        for question in self.questions:
            if question.code not in answers or answers[question.code] in (None, ""):
                if not question.optional:
                    errors[question.code] = [
                        f'Answer "{question.short}", or record it as "{MISSING}" or "{REFUSED}"'
                    ]
                continue
            try:
                cleaned[question.code] = question.clean(answers[question.code])
            except ValidationError as exc:
                errors[question.code] = [f"{question.short}: {m}" for m in exc.messages]
        if errors:
            raise ValidationError(errors)
        return cleaned

    def score(self, answers: dict[str, Any]) -> tuple[dict[str, int], dict[str, str]]:
        """The scores (each scored question's number) and their bands, from clean answers;
        missing and refused answers have neither."""
        scores: dict[str, int] = {}
        bands: dict[str, str] = {}
        for question in self.scored_questions:
            value = answers.get(question.code)
            if isinstance(value, int) and not isinstance(value, bool):
                scores[question.code] = value
                band = question.band_of(value)
                if band is not None:
                    bands[question.code] = band.code
        return scores, bands


# Reading a file ---------------------------------------------------------------------------------


def _fail(where: str, message: str) -> DefinitionError:
    return DefinitionError(f"{where}: {message}")


def _text(data: dict, key: str, where: str, *, required: bool = True, limit: int = 2000) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(where, f'"{key}" must be {"non-empty " if required else ""}text')
    if len(value) > limit:
        raise _fail(where, f'"{key}" is longer than {limit} characters')
    return value.strip()


def _int(data: dict, key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f'"{key}" must be a whole number')
    return value


def _bands(data: dict, low: int, high: int, where: str) -> tuple[Band, ...]:
    raw = data.get("bands", [])
    if not isinstance(raw, list):
        raise _fail(where, '"bands" must be a list')
    bands = []
    for n, item in enumerate(raw, start=1):
        at = f"{where}, band {n}"
        if not isinstance(item, dict):
            raise _fail(at, "must be an object")
        band = Band(
            code=_text(item, "code", at, limit=40),
            label=_text(item, "label", at, limit=200),
            low=_int(item, "min", at),
            high=_int(item, "max", at),
        )
        if band.low > band.high:
            raise _fail(at, '"min" is more than "max"')
        bands.append(band)
    bands.sort(key=lambda b: b.low)
    if bands:
        # Every score falls in exactly one band.
        if bands[0].low != low or bands[-1].high != high:
            raise _fail(where, f"the bands must cover the whole scale, {low} to {high}")
        for before, after in pairwise(bands):
            if after.low != before.high + 1:
                raise _fail(where, f"the bands leave a gap or overlap at {after.low}")
    return tuple(bands)


def _question(data: Any, where: str) -> Question:
    if not isinstance(data, dict):
        raise _fail(where, "must be an object")
    code = data.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise _fail(where, '"code" must be lower-case letters, digits and underscores')
    where = f'question "{code}"'
    scale = data.get("scale")
    if not isinstance(scale, dict) or scale.get("kind") not in SCALE_KINDS:
        raise _fail(where, f'"scale" must have a "kind": one of {", ".join(SCALE_KINDS)}')
    kind = scale["kind"]
    better = data.get("better", "")
    if better and (better not in DIRECTIONS or kind != "integer"):
        raise _fail(where, '"better" must be "higher" or "lower", on a number scale only')
    rater = data.get("rater", "person")
    if rater not in RATERS:
        raise _fail(where, f'"rater" must be one of {", ".join(RATERS)}')
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        raise _fail(where, '"optional" must be true or false')
    common: dict[str, Any] = {
        "code": code,
        "text": _text(data, "text", where, limit=500),
        "short": _text(data, "short", where, limit=200),
        "kind": kind,
        "better": better,
        "rater": rater,
        "pathway": _text(data, "pathway", where, required=False, limit=40),
        "optional": optional,
    }
    if kind == "integer":
        low, high = _int(scale, "min", where), _int(scale, "max", where)
        if low >= high:
            raise _fail(where, 'the scale\'s "min" must be less than its "max"')
        labels = scale.get("labels", {})
        if not isinstance(labels, dict) or not all(
            isinstance(v, str) and k.lstrip("-").isdigit() and low <= int(k) <= high
            for k, v in labels.items()
        ):
            raise _fail(where, '"labels" must name points on the scale')
        return Question(
            **common,
            low=low,
            high=high,
            unit=_text(scale, "unit", where, required=False, limit=40),
            labels={int(k): v for k, v in labels.items()},
            bands=_bands(data, low, high, where),
        )
    if "bands" in data:
        raise _fail(where, "only a number scale has bands")
    if kind == "choice":
        options = scale.get("options")
        if not isinstance(options, list) or not options:
            raise _fail(where, '"options" must be a non-empty list')
        pairs = []
        for n, option in enumerate(options, start=1):
            at = f"{where}, option {n}"
            if not isinstance(option, dict):
                raise _fail(at, "must be an object")
            value = _text(option, "value", at, limit=40)
            if value in NO_ANSWER:
                raise _fail(at, f'"{value}" is an answer every question has already')
            pairs.append((value, _text(option, "label", at, limit=200)))
        if len({v for v, _ in pairs}) != len(pairs):
            raise _fail(where, "an option is listed twice")
        return Question(**common, options=tuple(pairs))
    max_length = scale.get("max_length", TEXT_LIMIT)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise _fail(where, '"max_length" must be a positive whole number')
    return Question(**common, max_length=min(max_length, TEXT_LIMIT * 4))


def parse_definition(data: Any, source: str = "instrument") -> Definition:
    """A definition from a file's JSON, or a DefinitionError naming the file and question."""
    if not isinstance(data, dict):
        raise _fail(source, "must be a JSON object")
    code = data.get("code")
    if not isinstance(code, str) or not CODE.match(code) or "." in code:
        raise _fail(source, '"code" must be lower-case letters, digits and underscores')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail(source, '"version" must be a whole number from 1')
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise _fail(source, '"questions" must be a non-empty list')
    questions = []
    for n, item in enumerate(raw, start=1):
        try:
            questions.append(_question(item, f"question {n}"))
        except DefinitionError as exc:
            raise _fail(source, str(exc)) from exc
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        twice = next(c for c in codes if codes.count(c) > 1)
        raise _fail(source, f'question "{twice}" is listed twice')
    return Definition(
        code=code,
        version=version,
        name=_text(data, "name", source, limit=200),
        source=_text(data, "source", source, required=False),
        introduction=_text(data, "introduction", source, required=False),
        questions=tuple(questions),
    )
