"""The benchmark harness (issue 7): `make bench`. See README.md."""
