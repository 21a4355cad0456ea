"""Resettle's URLs plus the bench's hello-world view. Only the bench server uses this URLconf
(bench/wsgi.py), so the view is never part of a real deployment."""

from django.urls import path

from bench.views import hello
from resettle import urls as resettle_urls

urlpatterns = [path("bench/hello/", hello, name="bench_hello"), *resettle_urls.urlpatterns]

handler404 = resettle_urls.handler404
handler500 = resettle_urls.handler500
