from resettle.custody.tests.conftest import offence_agreement, person  # noqa: F401
