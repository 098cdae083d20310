"""Only the optional C extension lives here; everything else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and marsad falls back to
numpy for the same computation (marsad/_speedups.c says what and why).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("marsad._speedups", ["marsad/_speedups.c"], optional=True,
                             extra_compile_args=["-O3"])])
