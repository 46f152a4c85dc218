"""The production settings, with two reference pages beside the site (bench/reference_urls.py).

`make bench` serves the site with these, so its pages and the references share one server.
"""

from smptraining.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference_urls"
