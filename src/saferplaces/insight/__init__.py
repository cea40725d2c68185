"""Analytics core: plain Python, no Django imports.

Modules (import what you need; nothing heavy is imported here):

- ``schema``: canonical incident columns (``INCIDENT_SCHEMA``) and ``CATEGORIES``.
- ``sources.police_uk`` / ``sources.incidents_csv``: readers (police.uk street files;
  any dated CSV through a TOML mapping, examples in ``mappings/``).
- ``store``: ``IncidentStore`` - partitioned Parquet, atomic manifest, Ibis/DuckDB views.
- ``imports``: ``import_police_uk`` / ``import_incidents`` -> ``ImportReport``.
- ``geography``: LSOA -> district, CSP/PFA/FRA codes, populations.
- ``periods``: ``Period``, ``parse_period``, ``custom``, ``rolling_12``.
- ``indicators``: ``Indicator`` with JSON filter specs, ``DEFAULT_INDICATORS``.
- ``compare``: ``summarise`` (Poisson z), ``monthly_series`` (c-chart, run rules).
- ``seasons``: month windows and day windows (Mischief Night, bonfire period ...).
- ``quality``: missing months, unlocated rows, rows outside the area.
- ``stats``: ``poisson_z``, control limits and run rules.
- ``problems``: ``ImportProblem``, ``ImportRejected``.
"""
