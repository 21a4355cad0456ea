"""Each area of Resettle declares its routes' decisions and builds its records in its own module,
so the matrix grows with the product without one file everyone edits."""

from resettle.access.tests.matrix.areas import (
    appointments,
    cases,
    contacts,
    custody,
    dataprotection,
    directory,
    evaluation,
    mentoring,
    openreferral,
    outcomes,
    plans,
    referrals,
    registers,
    reports,
    today,
)

AREAS = (
    directory,
    openreferral,
    referrals,
    custody,
    cases,
    mentoring,
    contacts,
    plans,
    today,
    appointments,
    registers,
    evaluation,
    dataprotection,
    outcomes,
    reports,
)
