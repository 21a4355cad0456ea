"""The shape of the access package: a core that knows only people, partnerships, agreements,
consent and working relationships, and every access rule defined inside the package.

The check is over imports, with ast: each module of the core may import only the standard
library, Django, the core's own modules and the apps it knows (below). Any `import` of another
resettle app, at any depth of the module, fails."""

import ast
from pathlib import Path

import pytest

RESETTLE = Path(__file__).resolve().parents[2]
ACCESS = RESETTLE / "access"

# The access core: who may see which person and which categories of their record.
CORE_MODULES = ("core.py", "principals.py", "categories.py", "models.py", "compiled.py")
# What the core may know about: itself (with the registry of which category each field is in),
# and the apps holding people, organisations and memberships, partnerships and their agreements,
# consent and working relationships.
CORE_MAY_IMPORT = (
    "resettle.access.core",
    "resettle.access.compiled",
    "resettle.access.principals",
    "resettle.access.categories",
    "resettle.access.models",
    "resettle.access.registry",
    "resettle.accounts",
    "resettle.people",
    "resettle.partnerships",
    "resettle.consent",
    "resettle.core",
)


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _is_allowed(module: str) -> bool:
    if not module.startswith("resettle"):
        return True
    return any(module == allowed or module.startswith(allowed + ".") for allowed in CORE_MAY_IMPORT)


@pytest.mark.parametrize("name", CORE_MODULES)
def test_the_core_imports_no_domain_app(name):
    forbidden = [m for m in _imports(ACCESS / name) if not _is_allowed(m)]
    assert forbidden == [], f"access/{name} imports {forbidden}"


def test_the_import_check_catches_a_domain_app():
    assert not _is_allowed("resettle.referrals.models")
    assert not _is_allowed("resettle.access.rules.cases")
    assert _is_allowed("resettle.people.models")
    assert _is_allowed("django.db.models")


def _access_helpers_outside_access() -> list[str]:
    found = []
    for path in RESETTLE.rglob("*.py"):
        relative = path.relative_to(RESETTLE)
        if relative.parts[0] == "access" or "tests" in relative.parts or "e2e" in relative.parts:
            continue
        if "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_access_helper(
                node.name
            ):
                found.append(f"{relative}:{node.lineno} {node.name}")
    return found


def _is_access_helper(name: str) -> bool:
    return name.startswith("can_") or name.endswith("_for_actor")


def test_no_access_predicate_or_for_actor_helper_is_defined_outside_access():
    assert _access_helpers_outside_access() == []


def test_the_helper_check_knows_a_predicate_and_a_getter():
    assert _is_access_helper("can_view_person")
    assert _is_access_helper("get_case_for_actor")
    assert not _is_access_helper("case_list")


def test_no_access_rule_or_selector_catches_every_exception():
    """A record not found, or not the actor's, is one 404 from `get_or_404`; nothing hides other
    errors behind it."""
    paths = [p for p in ACCESS.rglob("*.py") if "tests" not in p.parts]
    paths += list(RESETTLE.glob("*/selectors.py"))
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler):
                caught = ast.unparse(node.type) if node.type is not None else "everything"
                assert caught not in {"Exception", "everything", "BaseException"}, path
