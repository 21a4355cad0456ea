from resettle.custody.tests.conftest import agreement, offence_agreement, person  # noqa: F401
