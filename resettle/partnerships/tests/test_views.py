"""The sharing agreement pages: the list, one agreement with its history, adding, changing and
ending one, and who may do each."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.partnerships.models import LawfulBasis, Partnership, SharingAgreement
from resettle.partnerships.services import agreement_create, agreement_update
from resettle.partnerships.tests.factories import make_agreement

pytestmark = pytest.mark.django_db

TODAY = date.today()
LIST_URL = reverse("partnerships:agreement_list")
CREATE_URL = reverse("partnerships:agreement_create")


def detail_url(agreement: SharingAgreement) -> str:
    return reverse("partnerships:agreement_detail", args=[agreement.pk])


def edit_url(agreement: SharingAgreement) -> str:
    return reverse("partnerships:agreement_edit", args=[agreement.pk])


def end_url(agreement: SharingAgreement) -> str:
    return reverse("partnerships:agreement_end", args=[agreement.pk])


def agreement_post(**changes) -> dict:
    """What the agreement form sends."""
    starts = TODAY - timedelta(days=1)
    data = {
        "title": "Family support sharing",
        "document_reference": "ISA-2025-09",
        "purpose": "So family services can support children.",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "categories": [Category.FAMILY_CHILDREN],
        "recipient_kinds": [OrganisationKind.FAMILY_SUPPORT],
        "recipient_organisations": [],
        "starts_on_day": str(starts.day),
        "starts_on_month": str(starts.month),
        "starts_on_year": str(starts.year),
        "ends_on_day": "",
        "ends_on_month": "",
        "ends_on_year": "",
    }
    return data | changes


@pytest.fixture
def sharing_terms(cast) -> dict:
    """In force, owned by the lead charity (whose admin is `cast.admin`)."""
    return {
        "categories": [Category.HEALTH, Category.CONTACT],
        "kinds": [OrganisationKind.HOUSING],
        "organisations": [cast.family_charity],
        "title": "Health and housing",
    }


# The list


def test_admin_sees_the_partnerships_agreements_with_their_status(client_as, cast, agreement):
    make_agreement(
        partnership=cast.partnership,
        owner=cast.probation_unit,
        categories=[Category.OFFENCE],
        recipient_kinds=[OrganisationKind.PRISON],
        title="Custody updates",
        starts_on=TODAY + timedelta(days=5),
    )
    make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.OUTCOMES],
        recipient_kinds=[OrganisationKind.LEAD_CHARITY],
        title="Alpha outcomes pilot",
        starts_on=TODAY - timedelta(days=100),
        ends_on=TODAY,
    )

    response = client_as(cast.admin).get(LIST_URL)

    assert response.status_code == 200
    listed = [(a.title, a.status) for a in response.context["page_obj"]]
    # In force first, then not yet in force, then ended, whatever the titles.
    assert listed == [
        ("Health and housing", "in_force"),
        ("Custody updates", "not_yet_in_force"),
        ("Alpha outcomes pilot", "ended"),
    ]
    for tag in ("In force", "Not yet in force", "Ended"):
        assert tag in response.text


def test_the_list_filters_by_status(client_as, cast, agreement):
    make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.OUTCOMES],
        recipient_kinds=[OrganisationKind.LEAD_CHARITY],
        title="Old pilot",
        ends_on=TODAY - timedelta(days=1),
    )

    response = client_as(cast.admin).get(LIST_URL, {"status": "ended"})

    assert [a.title for a in response.context["page_obj"]] == ["Old pilot"]


def test_the_list_takes_the_same_number_of_queries_for_more_agreements(
    client_as, cast, django_assert_max_num_queries
):
    def add(titles: str) -> None:
        for title in titles:
            make_agreement(
                partnership=cast.partnership,
                owner=cast.lead_charity,
                categories=[Category.CONTACT],
                recipient_kinds=[OrganisationKind.HOUSING],
                recipient_organisations=[cast.family_charity, cast.housing_provider],
                title=title,
            )

    client = client_as(cast.admin)
    add("ab")
    with django_assert_max_num_queries(30) as few:
        client.get(LIST_URL)
    add("cdefgh")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST_URL)

    assert response.context["page_obj"].paginator.count == 8


def test_an_admin_outside_the_partnership_sees_none_of_its_agreements(
    client_as, outsider_admin, agreement
):
    response = client_as(outsider_admin).get(LIST_URL)

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == []


@pytest.mark.parametrize("who", ["caseworker", "manager", "analyst"])
def test_other_roles_cannot_see_agreements(client_as, cast, who, agreement):
    client = client_as(getattr(cast, who))

    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(agreement)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client_as, agreement):
    response = client_as(None).get(LIST_URL)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_agreements_link_shows_only_for_admins(client_as, cast):
    assert 'href="/agreements/"' in client_as(cast.admin).get(reverse("web:home")).text
    assert 'href="/agreements/"' not in client_as(cast.caseworker).get(reverse("web:home")).text


# One agreement


def test_the_detail_shows_the_terms_and_history(client_as, cast):
    agreement = agreement_create(
        actor=cast.admin,
        partnership=cast.partnership,
        data={
            "title": "Health and housing",
            "document_reference": "ISA-77",
            "purpose": "Safe tenancies.",
            "lawful_basis": LawfulBasis.CONSENT,
            "categories": [Category.HEALTH],
            "recipient_kinds": [OrganisationKind.HOUSING],
            "starts_on": TODAY - timedelta(days=3),
            "ends_on": None,
        },
        recipient_organisation_ids=[cast.family_charity.pk],
    )
    agreement_update(actor=cast.admin, agreement=agreement, data={"categories": [Category.CONTACT]})
    agreement_update(
        actor=cast.admin, agreement=agreement, data={"ends_on": TODAY + timedelta(days=30)}
    )

    response = client_as(cast.admin).get(detail_url(agreement))

    assert response.status_code == 200
    text = response.text
    for shown in ("Health and housing", "ISA-77", "Safe tenancies.", "Consent", "Housing"):
        assert shown in text
    assert "Families Together Northshire" in text
    assert "New Leaf Northshire" in text  # the owner
    history = response.context["history"]
    assert [entry["added"] for entry in history] == [False, False, True]
    assert history[1]["changes"] == [
        {"label": "Information shared", "before": "Health", "after": "Contact details"}
    ]
    assert "Change this agreement" in text
    assert "End this agreement" in text


def test_another_organisations_admin_sees_the_agreement_but_cannot_change_it(
    client_as, probation_admin, agreement
):
    response = client_as(probation_admin).get(detail_url(agreement))

    assert response.status_code == 200
    assert "Change this agreement" not in response.text
    assert "Only admins of New Leaf Northshire can change this agreement" in response.text


def test_an_admin_outside_the_partnership_gets_not_found(client_as, outsider_admin, agreement):
    client = client_as(outsider_admin)

    assert client.get(detail_url(agreement)).status_code == 404
    assert client.get(edit_url(agreement)).status_code == 404
    assert client.post(end_url(agreement)).status_code == 404


# Adding one


def test_admin_adds_an_agreement(client_as, cast):
    response = client_as(cast.admin).post(
        CREATE_URL, agreement_post(recipient_organisations=[str(cast.housing_provider.pk)])
    )

    agreement = SharingAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(agreement)
    assert agreement.owner == cast.lead_charity
    assert agreement.partnership == cast.partnership
    assert list(agreement.recipient_organisations.all()) == [cast.housing_provider]


def test_the_form_offers_checkboxes_for_categories_and_kinds(client_as, cast):
    response = client_as(cast.admin).get(CREATE_URL)

    assert response.status_code == 200
    assert 'type="checkbox" value="offence"' in response.text
    assert 'type="checkbox" value="sport_trust"' in response.text
    # One partnership: it is not asked for.
    assert "partnership" not in response.context["form"].fields


def test_offence_to_a_sport_trust_shows_the_error_by_the_categories_and_saves_nothing(
    client_as, cast
):
    response = client_as(cast.admin).post(
        CREATE_URL,
        agreement_post(
            categories=[Category.OFFENCE], recipient_kinds=[OrganisationKind.SPORT_TRUST]
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["categories"] == [
        "Offence and sentence can only be shared with prison, probation"
    ]
    assert 'id="id_categories-error"' in response.text
    assert "There is a problem" in response.text
    assert not SharingAgreement.objects.exists()


def test_an_admin_in_two_partnerships_chooses_one(client_as, cast):
    second = Partnership.objects.create(name="Coastal Families Partnership")
    second.organisations.add(cast.lead_charity, cast.family_charity)
    client = client_as(cast.admin)
    assert "partnership" in client.get(CREATE_URL).context["form"].fields

    response = client.post(
        CREATE_URL,
        agreement_post(
            partnership=str(second.pk),
            recipient_organisations=[str(cast.housing_provider.pk)],
        ),
    )

    # Northshire Homes is in the first partnership only.
    assert response.status_code == 200
    assert response.context["form"].errors["recipient_organisations"] == [
        "Choose organisations in this agreement's partnership"
    ]
    response = client.post(
        CREATE_URL,
        agreement_post(
            partnership=str(second.pk), recipient_organisations=[str(cast.family_charity.pk)]
        ),
    )
    assert response.status_code == 302
    assert SharingAgreement.objects.get().partnership == second


def test_a_caseworker_cannot_add_an_agreement(client_as, cast):
    response = client_as(cast.caseworker).post(CREATE_URL, agreement_post())

    assert response.status_code == 403
    assert not SharingAgreement.objects.exists()


# Changing one


def test_owner_admin_changes_an_agreement(client_as, cast, agreement):
    client = client_as(cast.admin)
    form = client.get(edit_url(agreement)).context["form"]
    assert form.initial["categories"] == [Category.HEALTH, Category.CONTACT]

    response = client.post(
        edit_url(agreement),
        agreement_post(
            title="Health and housing (v2)",
            categories=[Category.HEALTH],
            recipient_kinds=[OrganisationKind.HOUSING],
        ),
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Health and housing (v2)"
    assert list(agreement.recipient_organisations.all()) == []


def test_another_organisations_admin_cannot_change_it(client_as, probation_admin, agreement):
    client = client_as(probation_admin)

    assert client.get(edit_url(agreement)).status_code == 403
    assert client.post(edit_url(agreement), agreement_post(title="Taken")).status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "Health and housing"


def test_a_caseworker_cannot_change_an_agreement(client_as, cast, agreement):
    assert client_as(cast.caseworker).get(edit_url(agreement)).status_code == 403


# Ending one


def test_ending_asks_for_confirmation_then_ends_today(client_as, cast, agreement):
    client = client_as(cast.admin)

    confirm = client.get(end_url(agreement))
    assert confirm.status_code == 200
    assert "Are you sure you want to end this agreement?" in confirm.text
    agreement.refresh_from_db()
    assert agreement.ends_on is None

    response = client.post(end_url(agreement))

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ends_on == TODAY
    page = client.get(detail_url(agreement))
    assert page.context["agreement"].status == "ended"
    assert "End this agreement" not in page.text


def test_ending_an_ended_agreement_says_why_not(client_as, cast, agreement):
    agreement.ends_on = TODAY
    agreement.save()

    response = client_as(cast.admin).post(end_url(agreement))

    assert response.status_code == 200
    assert "This agreement has already ended" in response.text


def test_another_organisations_admin_cannot_end_it(client_as, probation_admin, agreement):
    response = client_as(probation_admin).post(end_url(agreement))

    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.ends_on is None


def test_ending_is_a_post(client_as, cast, agreement):
    assert client_as(cast.admin).delete(end_url(agreement)).status_code == 405


# An expired agreement, seen through a page


def test_an_ended_agreement_stops_what_a_partner_sees_on_the_page_that_day(
    client_as, cast, agreement, make_person
):
    person = make_person(cast.housing)
    consent_page = reverse("consent:person_consents", args=[person.pk])
    assert "Health" in client_as(cast.housing).get(consent_page).context["visible_labels"]

    client_as(cast.admin).post(end_url(agreement))

    shown = client_as(cast.housing).get(consent_page).context["visible_labels"]
    assert "Health" not in shown
    assert shown == ["Identity"]


def test_the_end_page_has_a_red_button_and_shows_why_it_cannot_end(client_as, cast, agreement):
    client = client_as(cast.admin)
    page = client.get(end_url(agreement)).text
    assert 'class="govuk-button govuk-button--warning"' in page
    assert ">End this agreement</button>" in page
    agreement.ends_on = TODAY
    agreement.save()
    refused = client.post(end_url(agreement)).text
    assert "govuk-error-summary" in refused and "This agreement has already ended" in refused
