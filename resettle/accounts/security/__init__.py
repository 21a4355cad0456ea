"""Account security: two-factor sign-in (django-otp), lockout after failed sign-ins
(django-axes) and the idle-session timeout."""
