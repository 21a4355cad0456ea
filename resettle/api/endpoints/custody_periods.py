from ninja import Router

router = Router(tags=["custody-periods"])
