"""Drive the app from outside, for the tests and the benchmarks alike: ``browser`` serves it and
opens headless Chromium, ``synthetic`` writes a tiny body to serve. Not part of the app."""
