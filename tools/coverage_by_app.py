"""Print the line coverage of each app from the data `make test` collected (.coverage)."""

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPORT = Path(".coverage.json")


def main() -> None:
    subprocess.run(  # noqa: S603 (our own coverage, a fixed command)
        [sys.executable, "-m", "coverage", "json", "-q", "-o", str(REPORT)], check=True
    )
    files = json.loads(REPORT.read_text())["files"]
    REPORT.unlink()
    statements: dict[str, int] = defaultdict(int)
    covered: dict[str, int] = defaultdict(int)
    for name, data in files.items():
        parts = Path(name).parts
        app = parts[1] if len(parts) > 2 else "(project)"
        statements[app] += data["summary"]["num_statements"]
        covered[app] += data["summary"]["covered_lines"]
    print(f"{'app':<16}{'lines':>8}{'covered':>9}{'%':>7}")
    for app in sorted(statements):
        share = percent(covered[app], statements[app])
        print(f"{app:<16}{statements[app]:>8}{covered[app]:>9}{share:>7}")
    total, hit = sum(statements.values()), sum(covered.values())
    print(f"{'total':<16}{total:>8}{hit:>9}{percent(hit, total):>7}")


def percent(hit: int, total: int) -> str:
    return f"{100 * hit / total:.1f}" if total else "-"


if __name__ == "__main__":
    main()
