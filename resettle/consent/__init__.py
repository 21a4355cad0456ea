"""People's consent to share their information: recorded, listed and withdrawn. The access policy
reads `Consent` to decide what a consent-based sharing agreement lets an organisation see."""
