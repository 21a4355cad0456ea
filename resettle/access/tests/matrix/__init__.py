"""The authorization matrix: every URL pattern and API operation by every demo role by
(own record, another organisation's record, a record shared by agreement, a record whose consent
was withdrawn). `routes` finds the routes and declares each one's policy decision, `scenario`
builds the records, `oracle` says what each actor should see, `runner` sends the requests."""
