"""Resettle's URLs plus the bench's baseline views. Only the bench server uses this URLconf
(bench/wsgi.py), so the view is never part of a real deployment."""

from django.urls import path

from bench.views import hello, layout, signed_in
from resettle import urls as resettle_urls

urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("bench/signed-in/", signed_in, name="bench_signed_in"),
    path("bench/layout/", layout, name="bench_layout"),
    *resettle_urls.urlpatterns,
]

handler404 = resettle_urls.handler404
handler500 = resettle_urls.handler500
