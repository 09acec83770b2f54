"""Testing harness for testers (SPEC §11): the ``app.testing`` pytest plugin and the
``RegisterDriver`` it hands out. Names here are a public API: keep them stable."""
