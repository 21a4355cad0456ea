"""The benchmark harness: `make bench`. See README.md."""
