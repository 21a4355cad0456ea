"""The linkage model: which person records are the same person, scored by Splink on DuckDB.

Pure: records in, scored pairs and clusters out; nothing here reads or writes Resettle's
database, so the task, the tests and the bench (`bench/linkage.py`) run the same code.

The model is a Splink settings dictionary whose comparisons are plain SQL, so the same model
runs on Splink's Spark backend for a national deployment that outgrows one machine
(`SparkAPI` in place of `DuckDBAPI`; DuckDB's `list_has_any` is Spark's `arrays_overlap`,
and the string functions have the same names). Nothing is downloaded: DuckDB is told not to
fetch extensions, and Splink's bundled data sets are never asked for.
"""

import logging
import math
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import duckdb
from nicknames import NickNamer

from resettle.lib.names import fold, name_key

logger = logging.getLogger(__name__)
# Splink's SQL translator notes every array index it rewrites, at INFO, per comparison.
logging.getLogger("sqlglot").setLevel(logging.WARNING)

IDENTIFIER_SCHEMES = ("prison_number", "crn", "pnc", "ni_number")

# Match weights (log2 Bayes factors, prior included). At or above the upper threshold a pair is
# linked without review; between the two it goes to a person to decide; below, it is ignored.
# The upper threshold is where, on the bench's records (bench/linkage.py), about 97 in 100 of
# the pairs linked without review are the same person at a million people (98 at 100,000), and
# F1 is at its best; the lower one is where a pair is as likely as not to be.
DEFAULT_UPPER = 1.0
DEFAULT_LOWER = 0.0
# Fewer records than this and the model keeps its starting parameters: estimates from a
# handful of pairs would be noise.
TRAIN_FROM = 2_000
# Whether training also estimates m (how often each field agrees for the same person) by
# expectation maximisation, or keeps the starting m and estimates only u and the prior.
ESTIMATE_M = False
# The share of true duplicates the deterministic rules in `_train` find, for the prior.
DETERMINISTIC_RECALL = 0.5


@dataclass(frozen=True)
class Record:
    """One person record as the model sees it. Names as written; the model folds them."""

    id: str
    given_name: str
    family_name: str
    date_of_birth: date | None = None
    sex: str | None = None
    postcode: str | None = None
    other_given_names: tuple[str, ...] = ()
    other_family_names: tuple[str, ...] = ()
    identifiers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    match_weight: float
    match_probability: float
    # Field -> how it agreed ("exact", "nickname", "transposed day and month", ...).
    agreed: dict[str, str]
    disagreed: list[str]


@dataclass
class Result:
    pairs: list[Pair]
    model: dict[str, Any]
    trained: bool
    records: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    # Records scored against the rest: every record on a full run (`link`), only the new and
    # changed ones on an incremental run (`link_new`).
    linked: int = 0


Progress = Callable[[int, str], None]


# Records to columns -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=65536)
def _given_variants(folded: str) -> tuple[str, ...]:
    namer = _nicknamer()
    return tuple(sorted({folded} | namer.nicknames_of(folded) | namer.canonicals_of(folded)))


@lru_cache(maxsize=65536)
def _canonical(folded: str) -> str:
    """The name a nickname is short for (Bill -> william), for blocking: one key per name."""
    canonicals = _nicknamer().canonicals_of(folded)
    return min(canonicals) if canonicals else folded


def _parts(value: str) -> list[str]:
    """A name's words, folded: "Smith-Jones" -> ["smith", "jones"]."""
    spaced = "".join(" " if c in "-'\u2019. " else c for c in unicodedata.normalize("NFC", value))
    return [p for p in (fold(w) for w in spaced.split()) if len(p) > 1]


def _outward(postcode: str) -> str:
    return postcode.split(" ")[0] if " " in postcode else postcode[:-3]


def columns(records: Iterable[Record]) -> dict[str, list[Any]]:
    """The model's input table, one row per record, identified by its position in `records`:
    a small integer where the record's own id is a 32-character string, so that the pairs
    DuckDB holds while scoring (tens of millions at a million records) take a fraction of the
    memory. `_predictions` turns positions back into ids."""
    table: dict[str, list[Any]] = {
        name: []
        for name in (
            "unique_id",
            "given",
            "given_variants",
            "given_canonical",
            "family",
            "family_parts",
            "family_key",
            "dob",
            "sex",
            "postcode",
            "district",
            *IDENTIFIER_SCHEMES,
        )
    }
    for position, record in enumerate(records):
        given = fold(record.given_name) or None
        variants: set[str] = set()
        for name in (record.given_name, *record.other_given_names):
            folded = fold(name)
            if folded:
                variants.update(_given_variants(folded))
        family = fold(record.family_name) or None
        parts = set(_parts(record.family_name))
        for other in record.other_family_names:
            parts.add(fold(other))
            parts.update(_parts(other))
        postcode = (record.postcode or "").strip().upper() or None
        table["unique_id"].append(position)
        table["given"].append(given)
        table["given_variants"].append(sorted(variants) or None)
        table["given_canonical"].append(_canonical(given) if given else None)
        table["family"].append(family)
        table["family_parts"].append(sorted(p for p in parts if p) or None)
        table["family_key"].append(name_key(record.family_name) or None)
        table["dob"].append(record.date_of_birth.isoformat() if record.date_of_birth else None)
        table["sex"].append(record.sex if record.sex in ("male", "female") else None)
        table["postcode"].append(postcode)
        table["district"].append(_outward(postcode) if postcode else None)
        for scheme in IDENTIFIER_SCHEMES:
            value = (record.identifiers.get(scheme) or "").replace(" ", "").upper()
            table[scheme].append(value or None)
    return table


# The model ----------------------------------------------------------------------------------------


def _level(
    sql: str,
    label: str,
    m: float,
    u: float,
    *,
    null: bool = False,
    tf: str | None = None,
    fixed: bool = False,
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
        return level
    level["m_probability"] = m
    level["u_probability"] = u
    if fixed:
        level["fix_m_probability"] = True
        level["fix_u_probability"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


HOUSEHOLD = "exact, as is the family name"
# Given and family names written the wrong way round, alike or one of them now a part of a
# longer family name (James Lewis, Lewis James-Fitzwilliam).
SWAPPED = (
    '(jaro_winkler_similarity("given_l", "family_r") >= 0.9 '
    'OR list_contains("family_parts_r", "given_l")) '
    'AND (jaro_winkler_similarity("family_l", "given_r") >= 0.9 '
    'OR list_contains("family_parts_l", "given_r"))'
)


def _null(column: str) -> dict[str, Any]:
    return _level(f'"{column}_l" IS NULL OR "{column}_r" IS NULL', "missing", 0, 0, null=True)


def _comparison(name: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_description": name, "comparison_levels": levels}


def comparisons() -> list[dict[str, Any]]:
    """What is compared, and the starting m and u of each level (the chance of the level among
    true matches and among non-matches), used as they are on small data and as the start of
    training on large."""
    jw = "jaro_winkler_similarity"
    given = _comparison(
        "given_name",
        [
            _null("given"),
            _level('"given_l" = "given_r"', "exact", 0.78, 0.01, tf="given"),
            _level(
                'list_has_any("given_variants_l", "given_variants_r")',
                "nickname or known-as name",
                0.08,
                0.001,
            ),
            _level(
                'damerau_levenshtein("given_l", "given_r") <= 1 '
                f'OR {jw}("given_l", "given_r") >= 0.92',
                "close spelling",
                0.07,
                0.003,
            ),
            _level(SWAPPED, "swapped with family name", 0.02, 0.00001),
            _level(f'{jw}("given_l", "given_r") >= 0.8', "similar", 0.03, 0.03),
            _level("ELSE", "different", 0.02, 0.956),
        ],
    )
    family = _comparison(
        "family_name",
        [
            _null("family"),
            _level('"family_l" = "family_r"', "exact", 0.8, 0.004, tf="family"),
            _level(
                'list_has_any("family_parts_l", "family_parts_r")',
                "shares a part or a previous name",
                0.06,
                0.0005,
            ),
            _level(
                'damerau_levenshtein("family_l", "family_r") <= 1 '
                f'OR {jw}("family_l", "family_r") >= 0.92',
                "close spelling",
                0.07,
                0.002,
            ),
            # Names swapped with each other count once, in the given-name comparison: here they
            # are neither evidence for nor against, where "different" would count them against.
            _level(SWAPPED, "swapped with given name", 0.02, 0.02, fixed=True),
            _level(f'{jw}("family_l", "family_r") >= 0.8', "similar", 0.03, 0.02),
            _level("ELSE", "different", 0.02, 0.95349),
        ],
    )
    dob = _comparison(
        "date_of_birth",
        [
            _null("dob"),
            _level('"dob_l" = "dob_r"', "exact", 0.86, 0.00005),
            _level(
                'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
                'AND substr("dob_l", 6, 2) = substr("dob_r", 9, 2) '
                'AND substr("dob_l", 9, 2) = substr("dob_r", 6, 2)',
                "transposed day and month",
                0.03,
                0.00005,
            ),
            _level(
                'damerau_levenshtein("dob_l", "dob_r") <= 1',
                "one digit wrong or two swapped",
                0.06,
                0.001,
            ),
            _level(
                'abs(CAST(substr("dob_l", 1, 4) AS INTEGER) - CAST(substr("dob_r", 1, 4) AS '
                "INTEGER)) <= 1",
                "within a year",
                0.025,
                0.04,
            ),
            # A parent and child of the same name at one address differ here, and only here.
            _level("ELSE", "different", 0.005, 0.9589),
        ],
    )
    sex = _comparison(
        "sex",
        [
            _null("sex"),
            _level('"sex_l" = "sex_r"', "exact", 0.97, 0.5),
            _level("ELSE", "different", 0.03, 0.5),
        ],
    )
    postcode = _comparison(
        "postcode",
        [
            _null("postcode"),
            # Members of one household share an address and a family name, so among different
            # people the two agree together far more often than each alone would: this level
            # counts only what the address adds to the family name (its u is worked out from
            # the records in `_household`), so that a parent and child of the same name are
            # told apart by the date of birth rather than outweighed by the address.
            _level(
                '"postcode_l" = "postcode_r" AND "family_l" = "family_r"',
                HOUSEHOLD,
                0.48,
                0.04,
                fixed=True,
            ),
            _level('"postcode_l" = "postcode_r"', "exact", 0.12, 0.0004),
            _level('"district_l" = "district_r"', "same district", 0.15, 0.01),
            _level("ELSE", "different (moved?)", 0.25, 0.9895),
        ],
    )
    identifiers = [
        _comparison(
            scheme,
            [
                _null(scheme),
                _level(f'"{scheme}_l" = "{scheme}_r"', "exact", 0.98, 0.000001),
                _level("ELSE", "different", 0.02, 0.999999),
            ],
        )
        for scheme in IDENTIFIER_SCHEMES
    ]
    return [given, family, dob, sex, postcode, *identifiers]


def blocking_rules() -> list[str]:
    """Several tight rules rather than one loose one (a surname-only rule at a million records
    needs about 20 GB): each pair a rule admits is scored once, whichever rules admit it.

    Every rule asks for a second sign besides the name: names alone, with no date of birth or
    address to back them, rarely reach the review queue once there are more than a few
    thousand records (there are too many namesakes), so a rule that admitted every pair of
    namesakes would mostly add work (at a million records, most of the run's)."""
    year = 'substr(l."dob", 1, 4) = substr(r."dob", 1, 4)'
    return [
        *(f'l."{scheme}" = r."{scheme}"' for scheme in IDENTIFIER_SCHEMES),
        # The same date of birth and a family name that starts alike or shares a part or a
        # previous name (Samantha Green, once White, and Sam White).
        'l."dob" = r."dob" AND (substr(l."family", 1, 1) = substr(r."family", 1, 1) '
        'OR list_has_any(l."family_parts", r."family_parts"))',
        # The same name (spelt alike, or a nickname of it) and any other sign: the year of
        # birth (day or month wrong), the day and month (year wrong), or the district (no date
        # of birth, or one wrong in two places).
        'l."family_key" = r."family_key" AND l."given_canonical" = r."given_canonical" '
        f'AND ({year} OR substr(l."dob", 6, 5) = substr(r."dob", 6, 5) '
        'OR l."district" = r."district")',
        'l."postcode" = r."postcode" AND substr(l."given", 1, 2) = substr(r."given", 1, 2)',
        # Names written the wrong way round, with the year of birth or the district: many
        # names are both given and family names (James Lewis, Lewis James).
        f'l."given" = r."family" AND l."family" = r."given" AND ({year} '
        'OR l."district" = r."district")',
        'l."dob" = r."dob" AND l."postcode" = r."postcode"',
        'l."dob" = r."dob" AND substr(l."given", 1, 1) = substr(r."family", 1, 1) '
        'AND substr(l."family", 1, 1) = substr(r."given", 1, 1)',
        # A family name spelt alike and the year of birth: the given name misspelt, or a
        # nickname that starts with another letter (Bob for Robert).
        f'l."family_key" = r."family_key" AND {year} '
        'AND (substr(l."given", 1, 1) = substr(r."given", 1, 1) '
        'OR list_has_any(l."given_variants", r."given_variants"))',
        # A family name misspelt beyond its phonetic key (Smith, Smyth), with the year and
        # month of birth, or the month written as the day.
        'substr(l."family", 1, 2) = substr(r."family", 1, 2) '
        f'AND substr(l."given", 1, 1) = substr(r."given", 1, 1) AND {year} '
        'AND (substr(l."dob", 6, 2) = substr(r."dob", 6, 2) '
        'OR substr(l."dob", 6, 2) = substr(r."dob", 9, 2))',
        # No date of birth to go on (or a wrong one) but the same district.
        'l."family_key" = r."family_key" AND l."district" = r."district" '
        'AND substr(l."given", 1, 1) = substr(r."given", 1, 1)',
        'l."given_canonical" = r."given_canonical" AND l."district" = r."district" '
        'AND substr(l."family", 1, 1) = substr(r."family", 1, 1)',
    ]


# Weights above which two records are the same person on their own (identifiers): kept at
# their starting values through training, so an agreeing identifier stays near-certain and a
# disagreeing one strong evidence against.
FIXED_COMPARISONS = frozenset(IDENTIFIER_SCHEMES)


def settings(probability_two_random_records_match: float) -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in blocking_rules()
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
    }


# What DuckDB may hold in memory before it spills to disk: a run at a million records shares
# the task worker's machine with the web app and the database, so it works within this rather
# than growing to whatever the machine has.
MEMORY_LIMIT = "4GB"


@contextmanager
def _connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB database in memory that spills to a temporary directory of its own, removed
    with it. No network at run time: DuckDB must not fetch an extension it thinks it needs."""
    spill = tempfile.mkdtemp(prefix="resettle-linkage-")
    connection = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": spill,
        },
    )
    try:
        yield connection
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def _labels(model: dict[str, Any]) -> dict[str, list[str]]:
    """Comparison -> level labels indexed by gamma (0 is the ELSE level)."""
    labels = {}
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        labels[comparison["output_column_name"]] = [
            lv["label_for_charts"] for lv in reversed(levels)
        ]
    return labels


def _keep_fixed(trained: dict[str, Any], start: dict[str, Any]) -> dict[str, Any]:
    starting = {c["output_column_name"]: c for c in start["comparisons"]}
    trained["comparisons"] = [
        starting[c["output_column_name"]] if c["output_column_name"] in FIXED_COMPARISONS else c
        for c in trained["comparisons"]
    ]
    return trained


def _train(
    linker: Any, records: int, notes: list[str], progress: Progress, *, estimate_m: bool
) -> None:
    from splink import block_on

    training = linker.training
    # Pairs that agree on this much are almost surely the same person; together they find
    # about this share of the duplicates (measured on the bench's data: bench/linkage.py).
    training.estimate_probability_two_random_records_match(
        [
            *(block_on(scheme) for scheme in IDENTIFIER_SCHEMES),
            block_on("family", "given", "dob"),
            block_on("given", "dob", "postcode"),
            block_on("family", "dob", "postcode"),
        ],
        recall=DETERMINISTIC_RECALL,
    )
    progress(20, "Estimating how often fields agree by chance")
    # Two million random pairs link as well as five million did (the same precision and recall
    # to three places at 100,000 people, bench/linkage.py), in less than half the time.
    training.estimate_u_using_random_sampling(max_pairs=min(2e6, records * 50.0), seed=2026)
    if not estimate_m:
        return
    progress(35, "Estimating how often fields agree for the same person")
    for rule in (block_on("dob"), block_on("family_key", "given")):
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as error:  # EM can fail to converge on odd data: keep going
            notes.append(f"One training pass was skipped ({type(error).__name__}).")
            logger.warning("Linkage training pass skipped: %s", error)


def _household(db_api: Any, table: Any, model: dict[str, Any]) -> dict[str, Any]:
    """The model with the u of the household level worked out from the records: how often two
    records with the same family name (and both an address) share the postcode, times how
    often the same person's records agree on the family name, so that the level's weight is
    what the address adds once the family name has been counted."""
    # Our own column and table names: no outside text reaches this SQL.
    counted = (
        "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n "  # noqa: S608
        f"FROM {table.physical_name} WHERE family IS NOT NULL AND postcode IS NOT NULL "
        "AND given IS NOT NULL GROUP BY {})"
    )
    con = db_api.duckdb_con

    def pairs(by: str) -> float:
        return float(con.execute(counted.format(by)).fetchall()[0][0])

    # Among records of different given names: most records of one family name, one address and
    # one given name are the same person, and would count as a household of two.
    same_family = pairs("family") - pairs("family, given")
    same_both = pairs("family, postcode") - pairs("family, postcode, given")
    if same_family <= 0 or same_both <= 0:
        return model
    by_name = {c["output_column_name"]: c for c in model["comparisons"]}
    family_agrees = next(
        lv["m_probability"]
        for lv in by_name["family_name"]["comparison_levels"]
        if lv.get("label_for_charts") == "exact"
    )
    for level in by_name["postcode"]["comparison_levels"]:
        if level.get("label_for_charts") == HOUSEHOLD:
            level["u_probability"] = family_agrees * same_both / same_family
    return model


def _predictions(
    db_api: Any, predictions: Any, model: dict[str, Any], records: Sequence[Record]
) -> list[Pair]:
    """The scored pairs Splink left in `predictions`, with how each field agreed, between
    `records` (the input table's rows are their positions)."""
    labels = _labels(model)
    names = list(labels)
    gamma_columns = ", ".join(f'"gamma_{name}"' for name in names)
    # Our own column names and Splink's table name: no outside text reaches this SQL.
    select = (
        'SELECT "unique_id_l", "unique_id_r", "match_weight", "match_probability", '  # noqa: S608
        f"{gamma_columns} FROM {predictions.physical_name}"
    )
    pairs = []
    for row in db_api.duckdb_con.execute(select).fetchall():
        agreed: dict[str, str] = {}
        disagreed: list[str] = []
        for name, gamma in zip(names, row[4:], strict=True):
            if gamma is None or gamma < 0:
                continue
            if gamma == 0:
                disagreed.append(name)
            else:
                agreed[name] = labels[name][gamma]
        left, right = sorted((records[row[0]].id, records[row[1]].id))
        weight = float(row[2])
        probability = float(row[3]) if not math.isnan(row[3]) else 0.0
        pairs.append(Pair(left, right, weight, probability, agreed, disagreed))
    return pairs


def link(
    records: Sequence[Record],
    *,
    model: dict[str, Any] | None = None,
    lower: float = DEFAULT_LOWER,
    train: bool | None = None,
    estimate_m: bool = ESTIMATE_M,
    progress: Progress | None = None,
) -> Result:
    """Score every pair the blocking rules admit, keeping those at or above `lower`. With
    `model` (a saved run's parameters) it scores without training; otherwise it trains when
    there are enough records (`train` forces either)."""
    from splink import DuckDBAPI, Linker

    report = progress or (lambda percent, message: None)
    started = time.monotonic()
    notes: list[str] = []
    if len(records) < 2:
        return Result([], model or settings(0.0001), False, len(records), 0.0, notes, len(records))
    with _connection() as connection:
        db_api = DuckDBAPI(connection)
        table = db_api.register(columns(records), table_name="records")
        start = settings(min(0.5, 1.0 / len(records)))
        linker = Linker(table, model or start, log_level=logging.WARNING)
        trained = False
        should_train = (
            train if train is not None else (model is None and len(records) >= TRAIN_FROM)
        )
        if should_train:
            report(10, "Training the model")
            _train(linker, len(records), notes, report, estimate_m=estimate_m)
            fitted = _household(db_api, table, _keep_fixed(linker.misc.save_model_to_json(), start))
            linker = Linker(table, fitted, log_level=logging.WARNING)
            trained = True
        report(60, "Scoring pairs of records")
        predictions = linker.inference.predict(threshold_match_weight=lower)
        saved = linker.misc.save_model_to_json()
        pairs = _predictions(db_api, predictions, saved, records)
        report(85, "Recording the results")
    return Result(
        pairs=pairs,
        model=saved,
        trained=trained,
        records=len(records),
        seconds=time.monotonic() - started,
        notes=notes,
        linked=len(records),
    )


def _term_frequency_columns(model: dict[str, Any]) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in model["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def link_new(
    records: Sequence[Record],
    new: Iterable[str],
    *,
    model: dict[str, Any],
    lower: float = DEFAULT_LOWER,
    progress: Progress | None = None,
) -> Result:
    """Score only the pairs that involve a record in `new` (the ids of records added or
    changed since the last run), against every record, with a saved model and no training.

    Splink's `predict_between` blocks the new records against the rest, and `predict_within`
    the new records among themselves, so no pair of two unchanged records is compared again.
    Term frequencies (how common a name is) are worked out over every record, as a full run
    would."""
    from splink import DuckDBAPI, Linker

    report = progress or (lambda percent, message: None)
    started = time.monotonic()
    position = {record.id: index for index, record in enumerate(records)}
    fresh = sorted(position[record_id] for record_id in set(new) if record_id in position)
    if not fresh or len(records) < 2:
        return Result([], model, False, len(records), 0.0, [], len(fresh))
    with _connection() as connection:
        db_api = DuckDBAPI(connection)
        table = db_api.register(columns(records), table_name="records")
        linker = Linker(table, model, log_level=logging.WARNING)
        for column in _term_frequency_columns(model):
            linker.table_management.compute_tf_table(column)
        report(30, f"Scoring {len(fresh):,} new or changed records against the rest")
        # The new records and the rest, cut from the table of every record inside DuckDB (our own
        # table names: no outside text reaches this SQL).
        db_api.register({"unique_id": fresh}, table_name="new_ids")
        for name, keep in (("new_records", "IN"), ("other_records", "NOT IN")):
            db_api.duckdb_con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM {table.physical_name} "  # noqa: S608
                f"WHERE unique_id {keep} (SELECT unique_id FROM new_ids)"
            )
        pairs: list[Pair] = []
        new_table = db_api.register("new_records", table_name="new_records")
        if len(fresh) < len(records):
            rest_table = db_api.register("other_records", table_name="other_records")
            between = linker.inference.predict_between(
                new_table, rest_table, threshold_match_weight=lower, warning_mode="never"
            )
            pairs.extend(_predictions(db_api, between, model, records))
        if len(fresh) > 1:
            within = linker.inference.predict_within(
                new_table, threshold_match_weight=lower, warning_mode="never"
            )
            pairs.extend(_predictions(db_api, within, model, records))
        report(85, "Recording the results")
    return Result(
        pairs=pairs,
        model=model,
        trained=False,
        records=len(records),
        seconds=time.monotonic() - started,
        linked=len(fresh),
    )


# Clusters -----------------------------------------------------------------------------------------


# A link between two records: (left, right, strength). Stronger links are kept first when a
# cluster has to be split; a link reviewers accepted is given `math.inf`.
Link = tuple[str, str, float]


@dataclass
class Clusters:
    # Record -> its cluster's id (the smallest record id in it).
    cluster_of: dict[str, str]
    # Links left out so that records reviewers said are different people stay apart.
    cut: set[tuple[str, str]] = field(default_factory=set)


def _components(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Connected components by Splink's clustering on DuckDB: component -> its records."""
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    if not edges:
        return {node: [node] for node in nodes}
    with _connection() as connection:
        db_api = DuckDBAPI(connection)
        result = cluster_pairwise_predictions_at_threshold(
            {"unique_id": nodes},
            {
                "unique_id_l": [e[0] for e in edges],
                "unique_id_r": [e[1] for e in edges],
                "match_probability": [1.0] * len(edges),
            },
            db_api=db_api,
            node_id_column_name="unique_id",
            threshold_match_probability=0.5,
        )
        select = f'SELECT "unique_id", "cluster_id" FROM {result.physical_name}'  # noqa: S608
        rows = db_api.duckdb_con.execute(select).fetchall()
    members: dict[str, list[str]] = {}
    for node, cluster in rows:
        members.setdefault(cluster, []).append(node)
    return members


def _split(
    members: list[str],
    links: list[Link],
    apart: set[tuple[str, str]],
    against: set[tuple[str, str]],
) -> tuple[list[list[str]], set[tuple[str, str]]]:
    """One component holding a pair reviewers said are different people, split: links are
    joined strongest first (ties by record id), and a link that would put such a pair in one
    group is left out. The link left out for a pair is the weakest on the strongest path
    between them, so the split loses as little evidence as it can, and a link reviewers
    accepted is only left out when reviewers also kept two of its records apart. Pairs the model
    finds different (`against`) are kept apart the same way, except by a link reviewers
    accepted: their word outweighs the model's."""
    group = {member: member for member in members}
    held = {member: {member} for member in members}
    others: dict[str, set[str]] = {member: set() for member in members}
    doubted: dict[str, set[str]] = {member: set() for member in members}
    for pairs, kept in ((apart, others), (against, doubted)):
        for left, right in pairs:
            kept[left].add(right)
            kept[right].add(left)

    def root(node: str) -> str:
        while group[node] != node:
            group[node] = group[group[node]]
            node = group[node]
        return node

    cut: set[tuple[str, str]] = set()
    for left, right, strength in sorted(links, key=lambda link: (-link[2], link[0], link[1])):
        a, b = root(left), root(right)
        if a == b:
            continue
        if len(held[a]) > len(held[b]):
            a, b = b, a
        barred = [others] if strength == math.inf else [others, doubted]
        if any(root(o) == b for bar in barred for member in held[a] for o in bar[member]):
            cut.add((left, right))
            continue
        group[a] = b
        held[b] |= held.pop(a)
    return [sorted(part) for part in held.values()], cut


def clusters(
    ids: Iterable[str],
    links: Iterable[Link],
    apart: Iterable[tuple[str, str]] = (),
    against: Iterable[tuple[str, str]] = (),
) -> Clusters:
    """The records' clusters: the connected components of the links (Splink's connected
    components on DuckDB), except that records reviewers said are different people (`apart`)
    never share one, nor, unless reviewers linked them, records the model finds different
    (`against`, from `against()`): a component holding such a pair is split by `_split`."""
    present = set(ids)
    nodes = sorted(present)
    strongest: dict[tuple[str, str], float] = {}
    for left, right, strength in links:
        if left == right or left not in present or right not in present:
            continue
        key = (left, right) if left < right else (right, left)
        strongest[key] = max(strength, strongest.get(key, -math.inf))
    kept_apart, doubted = (
        {
            (left, right) if left < right else (right, left)
            for left, right in pairs
            if left != right and left in present and right in present
        }
        for pairs in (apart, against)
    )
    components = _components(nodes, sorted(strongest))
    component_of = {node: name for name, group in components.items() for node in group}
    clashing: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {}
    for kind, pairs in enumerate((kept_apart, doubted)):
        for left, right in pairs:
            if component_of[left] == component_of[right]:
                clash = clashing.setdefault(component_of[left], (set(), set()))
                clash[kind].add((left, right))
    within: dict[str, list[Link]] = {name: [] for name in clashing}
    for (left, right), strength in strongest.items():
        if component_of[left] in clashing:
            within[component_of[left]].append((left, right, strength))
    cluster_of: dict[str, str] = {}
    cut: set[tuple[str, str]] = set()
    for name, group in components.items():
        parts = [group]
        if name in clashing:
            parts, left_out = _split(group, within[name], *clashing[name])
            cut |= left_out
        for part in parts:
            first = min(part)
            cluster_of.update((node, first) for node in part)
    return Clusters(cluster_of, cut)


# Pairs the links would chain ----------------------------------------------------------------------

# Past this many records a component is left as it is: its pairs grow with the square of its size,
# and a component that large is a matter for reviewers rather than for the model.
AGAINST_LARGEST = 100
# The columns whose term frequencies (how common a name is) the model reads, as `columns` writes
# them from a record.
TF_VALUES: dict[str, Callable[[Record], str | None]] = {
    "given": lambda record: fold(record.given_name) or None,
    "family": lambda record: fold(record.family_name) or None,
}


def _components_of(links: Iterable[Link]) -> list[list[str]]:
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right, _strength in links:
        a, b = root(left), root(right)
        if a != b:
            parent[a] = b
    groups: dict[str, list[str]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    return list(groups.values())


def against(
    records: Sequence[Record],
    links: Iterable[Link],
    scored: Iterable[tuple[str, str]],
    *,
    model: dict[str, Any],
    lower: float,
) -> list[Pair]:
    """Pairs of records that `links` would put in one cluster through other records, which the
    model, scoring them now, finds below `lower`: its own evidence that the two are different
    people. Clustering keeps such pairs apart (`clusters(..., against=...)`), so that a record
    linked to each of two namesakes does not make them one person. Only components of three or
    more records have such pairs; pairs already `scored` are not scored again. Every record
    counts towards how common a name is, as in a full run."""
    components = [c for c in _components_of(links) if 3 <= len(c) <= AGAINST_LARGEST]
    if not components:
        return []
    known = {(a, b) if a < b else (b, a) for a, b in scored}
    by_id = {record.id: record for record in records}
    members = [by_id[node] for component in components for node in component if node in by_id]
    table = columns(members)
    component_of = {node: n for n, component in enumerate(components) for node in component}
    table["component"] = [component_of[record.id] for record in members]
    frequencies = {}
    for column in _term_frequency_columns(model):
        value_of = TF_VALUES[column]
        wanted = {v for v in table[column] if v is not None}
        counts: dict[str, int] = {}
        total = 0
        for record in records:
            value = value_of(record)
            if value is None:
                continue
            total += 1
            if value in wanted:
                counts[value] = counts.get(value, 0) + 1
        frequencies[column] = {
            column: list(counts),
            f"tf_{column}": [n / total for n in counts.values()],
        }
    from splink import DuckDBAPI, Linker

    settings_within = {
        **model,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": 'l."component" = r."component"'}
        ],
    }
    with _connection() as connection:
        db_api = DuckDBAPI(connection)
        members_table = db_api.register(table, table_name="chained")
        linker = Linker(members_table, settings_within, log_level=logging.WARNING)
        for column, lookup in frequencies.items():
            linker.table_management.register_term_frequency_lookup(
                db_api.register(lookup, table_name=f"tf_lookup_{column}"), column
            )
        predictions = linker.inference.predict()
        pairs = _predictions(db_api, predictions, model, members)
    return [p for p in pairs if p.match_weight < lower and (p.left, p.right) not in known]
