"""People's consent to share their information: recorded, listed and withdrawn. No models of its
own: `Consent` lives with the person (`resettle.people.models`), and the access policy reads it."""
