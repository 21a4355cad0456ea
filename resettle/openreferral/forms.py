import json
from typing import Any

from django import forms

from resettle.accounts.models import Membership
from resettle.openreferral.importer import (
    MAX_FILE_BYTES,
    FeedError,
    feed_import_upload,
    rows_of,
)
from resettle.openreferral.models import FeedImport
from resettle.web.forms import GovukForm


class FeedUploadForm(GovukForm):
    class Layout:
        title = "Import services from an Open Referral UK feed"
        button = "Upload and preview"

    feed = forms.FileField(
        label="Upload a feed file",
        help_text="A JSON file of services in Open Referral UK format, up to 5 MB",
        error_messages={"required": "Select a feed file", "empty": "The selected file is empty"},
    )

    def clean_feed(self) -> Any:
        upload = self.cleaned_data["feed"]
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError("The selected file must be a JSON file (.json)")
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB")
        try:
            payload = json.loads(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The selected file must be saved as UTF-8 text") from error
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The selected file is not valid JSON (line {error.lineno}: {error.msg})"
            ) from error
        try:
            rows_of(payload)
        except FeedError as error:
            raise forms.ValidationError(str(error)) from error
        self.payload = payload
        return upload

    def save(self, *, actor: Membership) -> FeedImport:
        return feed_import_upload(
            actor=actor, file_name=self.cleaned_data["feed"].name, payload=self.payload
        )
