from resettle.contacts.tests.conftest import api_as  # noqa: F401  (a shared fixture)
