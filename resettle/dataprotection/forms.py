"""Forms for the data-protection pages. They check what was typed; the services decide what may
be done."""

from typing import Any

from django import forms

from resettle.dataprotection.services import REASON_LENGTH
from resettle.people.forms import PersonForm
from resettle.web.forms import GovukForm


class FindPersonForm(GovukForm):
    query = forms.CharField(
        label="Name or identifier",
        max_length=100,
        help_text="A first or last name, or a PNC ID, prison number, CRN or National Insurance "
        "number",
        error_messages={
            "required": "Enter a name or an identifier",
            "max_length": "Enter 100 characters or fewer",
        },
    )

    class Layout:
        button = "Find"


class SubjectAccessConfirmForm(GovukForm):
    """The confirmation step: a pack holds a whole record, so the lead first says the request
    is the person's own (or made on their behalf with their authority)."""

    identity_checked = forms.BooleanField(
        label="I have checked that this request comes from the person, or from someone they "
        "have authorised to ask for them",
        error_messages={
            "required": "Confirm that you have checked who is asking before making the pack"
        },
    )

    class Layout:
        button = "Make the pack"


class CorrectionForm(PersonForm):
    """A correction to the person's details, with the reason: the record's history says why it
    changed."""

    reason = forms.CharField(
        label="Why is this being corrected?",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, “The person told us their date of birth was recorded wrongly” "
        "— this is kept with the change",
        error_messages={
            "required": "Say why the record is being corrected",
            "max_length": f"The reason must be {REASON_LENGTH} characters or fewer",
        },
    )

    class Layout:
        title = "Correct personal details"
        button = "Save the correction"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A correction is to someone already here: no duplicate check to confirm.
        del self.fields["confirm_new"]
