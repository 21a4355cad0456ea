"""Record linkage, measured: precision, recall and F1 of pairs, time and peak memory, on the
scale generator's people with realistic errors where the truth is known.

    .venv/bin/python bench/linkage.py --people 100000

1. Prepares a scratch SQLite database (bench/.data/linkage-<people>.sqlite3, reused when it
   already holds the people): migrate, the demo partnership, `generate_scale` with few contacts
   (linkage reads people, not contacts).
2. Reads every person record as the linkage run does (`linkage.services.records_of`).
3. The generator writes each person once, so duplicates are made here: a share of the people
   (`--duplicates`, default 40%) get a second record, as another organisation would have
   written it, with errors drawn from those the evaluations describe: a nickname or a typo in
   the given name, a typo or a double-barrelled/changed family name, given and family names
   swapped, day and month transposed or a digit wrong in the date of birth, a missing date of
   birth, a move to another postcode (often in the same district), a missing postcode or sex,
   and identifiers dropped (another organisation rarely holds the same PNC). The truth is which
   records came from the same person.
4. Links them with the model the task worker runs (`linkage.matching.link`, trained on the data)
   and clusters links at the upper threshold as a run does (two records the links would chain
   but the model finds different are kept apart); pairs within clusters are compared with the
   truth.
5. With --incremental, adds 1% more records (`--new-share`): duplicates of people already there
   (in the same share and with the same errors as above) and new people, and links only those
   against the rest with the model just trained (`linkage.matching.link_new`, as an incremental
   run does), carrying over the earlier pairs and clustering every record again. For comparison
   it also scores every record again with the same model (a full run without the training).

Peak memory is the process's maximum resident set (Django, the records and DuckDB together);
the incremental phase's is measured on its own (the peak is reset before it). Results are
appended to bench/results/linkage.jsonl.
"""

import argparse
import json
import math
import os
import random
import resource
import string
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import log, manage, setup_django  # noqa: E402

KEYBOARD_NEIGHBOURS = {
    "a": "sqwz",
    "e": "wrds",
    "i": "uoj",
    "o": "ipl",
    "n": "bmh",
    "r": "eft",
    "s": "adw",
    "t": "ryg",
    "l": "kop",
    "h": "gjn",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start the peak resident set (VmHWM) again from now (Linux 4.0 and later)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_since_reset_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_mb()


def prepare(people: int, fresh: bool) -> dict[str, str]:
    data = ROOT / "bench" / ".data"
    data.mkdir(exist_ok=True)
    (data / ".gitignore").write_text("*\n")
    path = data / f"linkage-{people}.sqlite3"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "RESETTLE_ENV": "development",
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD") or "bench-demo-password-2026",
    }
    log(f"Scratch database {path}")
    manage("migrate", "--no-input", "-v0", env=env)
    setup_django(env)
    from resettle.demo.generator import demo_exists
    from resettle.demo.generator.scale import scale_data_exists

    if not demo_exists():
        log("Adding the demo partnership")
        manage("generate_demo", env=env, quiet=True)
    if not scale_data_exists():
        log(f"Generating {people:,} people")
        manage(
            "generate_scale", "--people", str(people), "--contacts-per-person-avg", "0.2", env=env
        )
    return env


# Errors ----------------------------------------------------------------------------------------


def typo(rng: random.Random, word: str) -> str:
    """One slip: a neighbouring key, a dropped or doubled letter, or two letters swapped."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:
        near = KEYBOARD_NEIGHBOURS.get(word[i].lower(), string.ascii_lowercase)
        return word[:i] + rng.choice(near) + word[i + 1 :]
    if kind < 0.5:
        return word[:i] + word[i + 1 :]
    if kind < 0.7:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def digit_wrong(rng: random.Random, born: date) -> date:
    """One digit of the date one out, giving a real date that has passed (a date in the future
    would be refused at entry); the next day when no digit does."""
    text = born.isoformat()
    positions = [2, 3, 5, 6, 8, 9]
    rng.shuffle(positions)
    for i in positions:
        digit = str((int(text[i]) + rng.choice([1, -1])) % 10)
        try:
            wrong = date.fromisoformat(text[:i] + digit + text[i + 1 :])
        except ValueError:
            continue
        if wrong <= date.today():
            return wrong
    return born + timedelta(days=1) if born < date.today() else born - timedelta(days=1)


def nickname(rng: random.Random, given: str, namer) -> str:
    options = sorted(namer.nicknames_of(given.lower()))
    return rng.choice(options).capitalize() if options else given


def other_postcode(rng: random.Random, postcode: str | None, postcodes: list[str]) -> str | None:
    """A move: often within the district, sometimes anywhere."""
    if postcode and rng.random() < 0.6:
        district = postcode.split(" ")[0]
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return f"{district} {inward}"
    return rng.choice(postcodes) if postcodes else None


def corrupt(rng: random.Random, record, new_id: str, namer, postcodes: list[str], families):
    """The same person as another organisation wrote them down."""
    given, family = record.given_name, record.family_name
    born, sex, postcode = record.date_of_birth, record.sex, record.postcode
    identifiers = dict(record.identifiers) if rng.random() < 0.25 else {}
    errors = rng.choices(range(1, 4), weights=(5, 4, 1))[0]
    for _ in range(errors):
        kind = rng.random()
        if kind < 0.16:
            given = nickname(rng, given, namer)
        elif kind < 0.28:
            given = typo(rng, given)
        elif kind < 0.40:
            family = typo(rng, family)
        elif kind < 0.45:
            family = f"{family}-{rng.choice(families)}"
        elif kind < 0.48:
            given, family = family, given
        elif kind < 0.58 and born and born.day <= 12 and born.day != born.month:
            born = date(born.year, born.day, born.month)
        elif kind < 0.66 and born:
            born = digit_wrong(rng, born)
        elif kind < 0.72:
            born = None
        elif kind < 0.86:
            postcode = other_postcode(rng, postcode, postcodes)
        elif kind < 0.93:
            postcode = None
        else:
            sex = "not_recorded"
    return replace(
        record,
        id=new_id,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        postcode=postcode,
        other_given_names=(),
        other_family_names=(),
        identifiers=identifiers,
    )


def new_person(rng: random.Random, new_id: str, originals: list, postcodes: list[str]):
    """Someone not yet in the records: a name, a date of birth and a postcode put together from
    different people's."""
    given, family = rng.choice(originals), rng.choice(originals)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    return replace(
        given,
        id=new_id,
        family_name=family.family_name,
        date_of_birth=born,
        postcode=rng.choice(postcodes) if postcodes else None,
        other_given_names=(),
        other_family_names=(),
        identifiers={},
    )


# Scoring ---------------------------------------------------------------------------------------


def pairs_within(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for members in groups.values():
        if len(members) > 1:
            found.update(combinations(sorted(members), 2))
    return found


def score(
    cluster_of: dict[str, str], actual: set[tuple[str, str]]
) -> tuple[float, float, float, int]:
    """Precision, recall and F1 of the pairs within clusters, and the largest cluster."""
    groups: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in cluster_of.items():
        groups[cluster].append(record_id)
    predicted = pairs_within(groups)
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, max(len(m) for m in groups.values())


def clustered(records, links, pairs, model, apart=()) -> tuple[dict[str, str], int]:
    """The records' clusters as a run makes them: the links, less those that would chain two
    records the model finds different (and, after review, two reviewers rejected)."""
    from resettle.linkage import matching

    scored = [(p.left, p.right) for p in pairs]
    doubted = matching.against(records, links, scored, model=model, lower=matching.DEFAULT_LOWER)
    found = matching.clusters(
        [r.id for r in records], links, apart, [(p.left, p.right) for p in doubted]
    )
    return found.cluster_of, len(doubted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fresh", action="store_true", help="Rebuild the scratch database.")
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="Then add more records and link only those, as an incremental run does.",
    )
    parser.add_argument(
        "--new-share", type=float, default=0.01, help="Records added, as a share of those linked."
    )
    args = parser.parse_args()
    prepare(args.people, args.fresh)

    from nicknames import NickNamer

    from resettle.linkage import matching, services
    from resettle.people.models import Person

    started = time.monotonic()
    originals = services.records_of(Person.objects.values_list("pk", flat=True))
    read_seconds = time.monotonic() - started
    log(f"Read {len(originals):,} records in {read_seconds:.1f}s")
    rng = random.Random(args.seed)
    namer = NickNamer()
    postcodes = sorted({r.postcode for r in originals if r.postcode})
    families = sorted({r.family_name for r in originals})[:500] or ["Smith"]
    truth: dict[str, str] = {r.id: r.id for r in originals}
    records = list(originals)
    for index, record in enumerate(originals):
        if rng.random() < args.duplicates:
            copy_id = f"copy-{index}"
            records.append(corrupt(rng, record, copy_id, namer, postcodes, families))
            truth[copy_id] = record.id
    rng.shuffle(records)
    memory_before = peak_mb()
    log(f"Linking {len(records):,} records ({len(records) - len(originals):,} duplicates)")

    started = time.monotonic()
    result = matching.link(records, progress=lambda p, stage: log(f"  {p}% {stage}"))
    link_seconds = time.monotonic() - started
    started = time.monotonic()
    links = [
        (p.left, p.right, p.match_weight)
        for p in result.pairs
        if p.match_weight >= matching.DEFAULT_UPPER
    ]
    cluster_of, doubted = clustered(records, links, result.pairs, result.model)
    cluster_seconds = time.monotonic() - started

    true_groups: dict[str, list[str]] = defaultdict(list)
    for record_id, entity in truth.items():
        true_groups[entity].append(record_id)
    actual = pairs_within(true_groups)
    precision, recall, f1, largest = score(cluster_of, actual)
    # As the partnership would have it once reviewers had answered the review queue correctly:
    # the pairs they accept link whatever the model says, those they reject stay apart.
    queue = [p for p in result.pairs if p.match_weight < matching.DEFAULT_UPPER]
    reviewed = links + [
        (p.left, p.right, math.inf) for p in queue if truth[p.left] == truth[p.right]
    ]
    rejected = [(p.left, p.right) for p in queue if truth[p.left] != truth[p.right]]
    after_review = score(
        clustered(records, reviewed, result.pairs, result.model, rejected)[0], actual
    )
    review = sum(
        1 for p in result.pairs if matching.DEFAULT_LOWER <= p.match_weight < matching.DEFAULT_UPPER
    )
    figures = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "records": len(records),
        "people": len(originals),
        "true_pairs": len(actual),
        "upper_threshold": matching.DEFAULT_UPPER,
        "lower_threshold": matching.DEFAULT_LOWER,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "after_review": {
            "precision": round(after_review[0], 4),
            "recall": round(after_review[1], 4),
            "f1": round(after_review[2], 4),
        },
        "pairs_scored_above_lower": len(result.pairs),
        "pairs_for_review": review,
        "largest_cluster": largest,
        "chained_found_different": doubted,
        "trained": result.trained,
        "notes": result.notes,
        "seconds_link": round(link_seconds, 1),
        "seconds_cluster": round(cluster_seconds, 1),
        "seconds_read_records": round(read_seconds, 1),
        "peak_rss_mb_before_linking": round(memory_before),
        "peak_rss_mb": round(peak_mb()),
        "cpus": os.cpu_count(),
    }
    if args.incremental:
        figures["incremental"] = incremental(
            args, rng, records, originals, truth, result, namer, postcodes, families
        )
    print(json.dumps(figures, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with open(results / "linkage.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(figures) + "\n")


def incremental(args, rng, records, originals, truth, result, namer, postcodes, families) -> dict:
    """Add `--new-share` more records and link only them, with the model just trained; score
    the clusters of every record against the truth."""
    from resettle.linkage import matching

    added = []
    for index in range(max(1, round(len(records) * args.new_share))):
        new_id = f"new-{index}"
        if rng.random() < args.duplicates:
            original = rng.choice(originals)
            added.append(corrupt(rng, original, new_id, namer, postcodes, families))
            truth[new_id] = original.id
        else:
            added.append(new_person(rng, new_id, originals, postcodes))
            truth[new_id] = new_id
    everyone = records + added
    log(f"Adding {len(added):,} records and linking only them")
    reset_peak()
    started = time.monotonic()
    fresh = matching.link_new(everyone, [r.id for r in added], model=result.model)
    link_seconds = time.monotonic() - started
    started = time.monotonic()
    every_pair = [*result.pairs, *fresh.pairs]
    links = [
        (p.left, p.right, p.match_weight)
        for p in every_pair
        if p.match_weight >= matching.DEFAULT_UPPER
    ]
    cluster_of, _doubted = clustered(everyone, links, every_pair, result.model)
    cluster_seconds = time.monotonic() - started
    peak = peak_since_reset_mb()

    true_groups: dict[str, list[str]] = defaultdict(list)
    for record_id, entity in truth.items():
        true_groups[entity].append(record_id)
    actual = pairs_within(true_groups)
    precision, recall, f1, largest = score(cluster_of, actual)
    new_ids = {r.id for r in added}
    new_actual = {pair for pair in actual if new_ids & set(pair)}
    groups: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in cluster_of.items():
        groups[cluster].append(record_id)
    new_found = {pair for pair in pairs_within(groups) if new_ids & set(pair)}

    log("Scoring every record again with the same model, for comparison")
    started = time.monotonic()
    again = matching.link(everyone, model=result.model)
    rescore_seconds = time.monotonic() - started
    return {
        "records_added": len(added),
        "records": len(everyone),
        "records_linked": fresh.linked,
        "pairs_scored_above_lower": len(fresh.pairs),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "new_records_recall": round(len(new_found & new_actual) / len(new_actual), 4)
        if new_actual
        else 1.0,
        "largest_cluster": largest,
        "seconds_link": round(link_seconds, 2),
        "seconds_cluster": round(cluster_seconds, 2),
        "peak_rss_mb": round(peak),
        "full_rescore_same_model": {
            "records_linked": again.linked,
            "pairs_scored_above_lower": len(again.pairs),
            "seconds_link": round(rescore_seconds, 2),
        },
    }


if __name__ == "__main__":
    main()
